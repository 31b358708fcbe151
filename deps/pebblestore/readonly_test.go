package pebblestore

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ripplestream/ripple/deps"
)

// TestReadOnlyCreatesNothing: a read-only Open of a missing store fails
// with ErrNotExist and leaves no directory behind; of a store, it reads.
func TestReadOnlyCreatesNothing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "graph")
	if _, err := Open(Config{Dir: dir, ReadOnly: true}); !errors.Is(err, ErrNotExist) {
		t.Fatalf("read-only open of a missing store: %v, want ErrNotExist", err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a read-only open created %s (%v)", dir, err)
	}
	empty := t.TempDir()
	if _, err := Open(Config{Dir: empty, ReadOnly: true}); !errors.Is(err, ErrNotExist) {
		t.Fatalf("read-only open of an empty directory: %v, want ErrNotExist", err)
	}

	s, err := Open(Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if empty, err := s.Empty(ctx); err != nil || !empty {
		t.Fatalf("a new store: Empty = %v, %v", empty, err)
	}
	if _, err := s.PutPage(ctx, deps.PageDeps{Wiki: "enwiki", Page: deps.PageRef{ID: 1, Title: "A"}, RevID: 1, Templates: []string{"Template:T"}}); err != nil {
		t.Fatal(err)
	}
	if empty, err := s.Empty(ctx); err != nil || empty {
		t.Fatalf("a store with a page: Empty = %v, %v", empty, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := Open(Config{Dir: dir, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, ok, err := r.Page(ctx, "enwiki", "A"); !ok || err != nil {
		t.Fatalf("read-only Page: %v, %v", ok, err)
	}
	if _, err := r.PutPage(ctx, deps.PageDeps{Wiki: "enwiki", Page: deps.PageRef{ID: 2, Title: "B"}, RevID: 1}); err == nil {
		t.Fatal("a read-only store took a write")
	}
}

// TestLockedNamesTheProcess: a store another process has open is an error
// that names that process, not "resource temporarily unavailable".
func TestLockedNamesTheProcess(t *testing.T) {
	if dir := os.Getenv("PEBBLESTORE_TEST_HOLD"); dir != "" {
		holdStore(dir)
		return
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestLockedNamesTheProcess$")
	cmd.Env = append(os.Environ(), "PEBBLESTORE_TEST_HOLD="+dir)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer stdin.Close()
	if line, err := bufio.NewReader(stdout).ReadString('\n'); err != nil || line != "open\n" {
		t.Fatalf("the holding process said %q, %v", line, err)
	}
	_, err = Open(Config{Dir: dir})
	var locked *LockedError
	if !errors.As(err, &locked) || locked.PID != cmd.Process.Pid {
		t.Fatalf("open of a store held by process %d: %v", cmd.Process.Pid, err)
	}
	if msg := err.Error(); !strings.Contains(msg, fmt.Sprintf("in use by process %d (%s", cmd.Process.Pid, os.Args[0])) ||
		!strings.Contains(msg, "stop it or wait for it to finish") {
		t.Errorf("the error does not name the process and what to do: %s", msg)
	}
	if _, err := Open(Config{Dir: dir, ReadOnly: true}); !errors.As(err, &locked) {
		t.Errorf("a read-only open of a held store: %v, want a LockedError", err)
	}
}

// holdStore opens the store in dir, says so, and holds it until stdin
// closes.
func holdStore(dir string) {
	s, err := Open(Config{Dir: dir})
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	fmt.Println("open")
	bufio.NewReader(os.Stdin).ReadString('\n')
	s.Close()
	os.Exit(0)
}
