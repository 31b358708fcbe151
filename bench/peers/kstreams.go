package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
)

// kstreamsJar builds bench/kstreams with Maven unless a jar built from the
// same sources is cached under ~/.cache/ripple, and returns the jar's path.
// Maven's own cache (~/.m2) keeps rebuilds offline and fast.
func kstreamsJar(src string) (string, error) {
	sum, err := treeHash(src)
	if err != nil {
		return "", err
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	jar := filepath.Join(home, ".cache", "ripple", "kstreams-peer-"+sum[:16]+".jar")
	if _, err := os.Stat(jar); err == nil {
		return jar, nil
	}
	for _, tool := range []string{"mvn", "javac"} {
		if _, err := exec.LookPath(tool); err != nil {
			return "", fmt.Errorf("building the Kafka Streams peer (%s) needs Maven and a JDK 17, which bench/run-peers installs: %w", src, err)
		}
	}
	mvn := exec.Command("mvn", "-q", "-B", "package", "-DskipTests")
	mvn.Dir, mvn.Stdout, mvn.Stderr = src, os.Stderr, os.Stderr
	if err := mvn.Run(); err != nil {
		return "", fmt.Errorf("mvn package in %s: %w", src, err)
	}
	if err := os.MkdirAll(filepath.Dir(jar), 0o755); err != nil {
		return "", err
	}
	b, err := os.ReadFile(filepath.Join(src, "target", "kstreams-peer-1.jar"))
	if err != nil {
		return "", err
	}
	return jar, os.WriteFile(jar, b, 0o644)
}

// treeHash hashes pom.xml and the sources under src.
func treeHash(src string) (string, error) {
	var files []string
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "target" {
			return filepath.SkipDir
		}
		if !d.IsDir() {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	sort.Strings(files)
	h := sha256.New()
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s %d\n", filepath.ToSlash(f[len(src):]), len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
