// Package examples_test checks that the numbered examples are what a user
// can copy out of the repository: each builds in a module of its own.
package examples_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestExamplesBuildOutsideTheModule copies each example, its test
// included, into a module of its own that requires ripple (replaced by
// this checkout) and builds and vets it there, as a user who copies an
// example does. An example that imports one of ripple's internal/
// packages fails here ("use of internal package ... not allowed").
//
// It runs offline from the module cache this checkout's build filled
// (GOPROXY=off), and only if a module is missing there asks the proxy the
// environment names.
func TestExamplesBuildOutsideTheModule(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	goLine := regexp.MustCompile(`(?m)^go [0-9.]+$`).Find(gomod)
	gosum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	dirs, err := filepath.Glob("[0-9]*-*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no examples found (%v)", err)
	}
	for _, dir := range dirs {
		t.Run(dir, func(t *testing.T) {
			mod := t.TempDir()
			copyGoFiles(t, dir, mod)
			modFile := "module example.com/" + dir + "\n\n" + string(goLine) + "\n\n" +
				"require github.com/ripplestream/ripple v0.0.0\n\n" +
				"replace github.com/ripplestream/ripple => " + root + "\n"
			write(t, filepath.Join(mod, "go.mod"), []byte(modFile))
			write(t, filepath.Join(mod, "go.sum"), gosum)
			goCmd(t, mod, "build", "./...")
			goCmd(t, mod, "vet", "./...")
		})
	}
}

// goCmd runs the go command in dir, offline first.
func goCmd(t *testing.T, dir string, args ...string) {
	t.Helper()
	out, err := runGo(dir, "off", args...)
	if err != nil && bytes.Contains(out, []byte("GOPROXY=off")) {
		t.Logf("go %s: a module is not in the local cache, asking the proxy:\n%s", strings.Join(args, " "), out)
		out, err = runGo(dir, "", args...)
	}
	if err != nil {
		t.Fatalf("go %s in a module of its own: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// runGo runs go with the environment of a user's module: no workspace, the
// installed toolchain, go.mod and go.sum updated as needed; proxy, when not
// empty, replaces GOPROXY (and then no checksum database is asked: the
// hashes come from ripple's go.sum and the verified module cache).
func runGo(dir, proxy string, args ...string) ([]byte, error) {
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOTOOLCHAIN=local", "GOFLAGS=-mod=mod -buildvcs=false")
	if proxy != "" {
		cmd.Env = append(cmd.Env, "GOPROXY="+proxy, "GOSUMDB=off")
	}
	return cmd.CombinedOutput()
}

func copyGoFiles(t *testing.T, from, to string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(from, "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("%s has no Go files (%v)", from, err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		write(t, filepath.Join(to, filepath.Base(f)), b)
	}
}

func write(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
