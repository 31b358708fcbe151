package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ripplestream/ripple/deps/pebblestore"
)

// genWork writes a small generated workload and returns its file.
func genWork(t *testing.T) string {
	t.Helper()
	var work bytes.Buffer
	if err := run(context.Background(), []string{"deps", "gen", "--pages", "100", "--templates", "10", "--entities", "20", "--changes", "100"}, &work, io.Discard); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "work.jsonl")
	if err := os.WriteFile(file, work.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

// TestDepsReplayReadsItsFileArgument: `deps replay work.jsonl --store X`
// reads the file (it ignored it and waited on stdin), with the flags after
// it parsed, and prints no progress bar off a terminal.
func TestDepsReplayReadsItsFileArgument(t *testing.T) {
	file := genWork(t)
	r, w, err := os.Pipe() // a stdin that never ends: reading it would hang
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	stdin := os.Stdin
	os.Stdin = r
	t.Cleanup(func() { os.Stdin = stdin })
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"deps", "replay", file, "--store", "pebble:" + filepath.Join(t.TempDir(), "g")}, &out, &errOut); err != nil {
		t.Fatalf("replay: %v\n%s", err, errOut.String())
	}
	if !strings.Contains(out.String(), `"/resource_change/1.0.0"`) || !strings.Contains(errOut.String(), "ripple deps replay: ") {
		t.Fatalf("replay of its FILE printed:\n%s\n%s", out.String(), errOut.String())
	}
	if strings.Contains(errOut.String(), "\r") {
		t.Errorf("a progress bar off a terminal:\n%q", errOut.String())
	}
}

// TestReadOnlyCommandsCreateNoStore: explain and dependents of a store
// that does not exist say how to make one, and make none.
func TestReadOnlyCommandsCreateNoStore(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "graph")
	for _, args := range [][]string{
		{"deps", "explain", "--store", "pebble:" + dir, "--page", "A"},
		{"deps", "dependents", "--store", "pebble:" + dir, "Template:T0"},
	} {
		err := run(context.Background(), args, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "create one with: ripple deps load --store pebble:"+dir) {
			t.Errorf("%q: %v", args, err)
		}
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Fatalf("%q created %s", args, dir)
		}
	}
	// An empty directory stays empty: no LOCK file left behind.
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	err := run(context.Background(), []string{"deps", "explain", "--store", "pebble:" + dir, "--page", "A"}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "holds no database") {
		t.Errorf("explain of an empty directory: %v", err)
	}
	if names, _ := os.ReadDir(dir); len(names) != 0 {
		t.Errorf("explain of an empty directory left %v in it", names)
	}
}

// TestDepsGenScoreRefusesAStoreInUse: a second --score into the same
// store is refused (it scored 0.954 precision instead of 1).
func TestDepsGenScoreRefusesAStoreInUse(t *testing.T) {
	store := "pebble:" + filepath.Join(t.TempDir(), "score")
	args := []string{"deps", "gen", "--pages", "100", "--templates", "10", "--entities", "20", "--changes", "100", "--score", store}
	var errOut bytes.Buffer
	if err := run(context.Background(), args, io.Discard, &errOut); err != nil || !strings.Contains(errOut.String(), "precision 1.0000") {
		t.Fatalf("first --score: %v\n%s", err, errOut.String())
	}
	err := run(context.Background(), args, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "the store is not empty") {
		t.Fatalf("second --score into the same store: %v", err)
	}
}

// TestLockedStoreSaysWho: a store open elsewhere is named as in use, not
// "resource temporarily unavailable".
func TestLockedStoreSaysWho(t *testing.T) {
	dir := t.TempDir()
	st, err := pebblestore.Open(pebblestore.Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	err = run(context.Background(), []string{"deps", "load", "--store", "pebble:" + dir, "--in", genWork(t)}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "is in use by this process") || !strings.Contains(err.Error(), "use another directory") {
		t.Fatalf("load into a store open elsewhere: %v", err)
	}
}

// TestDepsGenStopsOnCancel: Ctrl-C stops a generation of minutes.
func TestDepsGenStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out bytes.Buffer
	err := run(ctx, []string{"deps", "gen", "--changes", "5000000"}, &out, io.Discard)
	if !errors.Is(err, context.Canceled) || out.Len() != 0 {
		t.Fatalf("gen after a cancel: %v, %d bytes written", err, out.Len())
	}
}
