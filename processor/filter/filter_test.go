package filter

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ripplestream/ripple/internal/testenv"
)

func TestReload(t *testing.T) {
	f, err := New(Config{Patterns: Keywords("old")})
	if err != nil {
		t.Fatal(err)
	}
	before := f.Matcher()
	if err := f.Reload([]Pattern{{Text: "(", Regex: true}}); !errors.Is(err, ErrBadPatterns) {
		t.Fatalf("bad reload: %v", err)
	}
	if f.Matcher() != before {
		t.Fatal("a bad list replaced the current one")
	}
	if err := f.Reload(Keywords("new")); err != nil {
		t.Fatal(err)
	}
	if f.Matcher().Match("old new") == nil || f.Matcher().Match("old") != nil {
		t.Fatal("reload did not take effect")
	}
	if s := f.Stats(); s.Reloads != 2 || s.Failed != 1 || s.Patterns != 1 {
		t.Fatalf("stats %+v", s)
	}
}

// eventually waits until cond holds (testenv.Eventually, bounded at a
// minute for a loaded machine).
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	testenv.Eventually(t, time.Minute, func() error {
		if cond() {
			return nil
		}
		return fmt.Errorf("waiting for %s", what)
	})
}

func TestWatch(t *testing.T) {
	path := filepath.Join(t.TempDir(), "patterns.txt")
	write := func(s string) {
		t.Helper()
		// Write to a temporary file and rename, as deploy tools do, so the
		// watcher never reads a half-written list.
		tmp := path + ".tmp"
		if err := os.WriteFile(tmp, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, path); err != nil {
			t.Fatal(err)
		}
	}
	write("alpha\n")
	f, err := New(Config{PatternsFile: path, PollInterval: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.Watch(ctx) }()

	write("alpha\nre:be+ta\n")
	eventually(t, "the new list", func() bool { return f.Matcher().Len() == 2 })
	if got := matchString(f.Matcher().Match("beeeta")); got != "re:be+ta=1" {
		t.Fatalf("after reload: %q", got)
	}
	write("re:(\n") // does not compile: refused, the list stays
	eventually(t, "the refusal", func() bool { return f.Stats().Failed >= 1 })
	failed := f.Stats().Failed
	if f.Matcher().Len() != 2 {
		t.Fatal("a bad file replaced the list")
	}
	if err := os.Remove(path); err != nil { // gone: logged, the list stays
		t.Fatal(err)
	}
	eventually(t, "the missing file noticed", func() bool { return f.Stats().Failed > failed })
	write("gamma\n")
	eventually(t, "the list after the file came back", func() bool { return f.Matcher().Match("gamma") != nil })

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Watch returned %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Watch did not stop with its context")
	}
}

func TestWatchNeedsFile(t *testing.T) {
	f, _ := New(Config{Patterns: Keywords("x")})
	if err := f.Watch(context.Background()); !errors.Is(err, ErrInvalidConfig) {
		t.Fatalf("Watch without a file: %v", err)
	}
}

func TestConfigValidate(t *testing.T) {
	for _, c := range []Config{
		{},
		{Patterns: Keywords("x"), PatternsFile: "y"},
		{Patterns: Keywords("x"), Field: "a..b"},
		{Patterns: Keywords("x"), PollInterval: time.Microsecond},
		{Patterns: Keywords("x"), MaxTextBytes: -1},
	} {
		if err := c.Validate(); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("Validate(%+v) = %v, want ErrInvalidConfig", c, err)
		}
	}
	if _, err := New(Config{PatternsFile: filepath.Join(t.TempDir(), "missing")}); err == nil {
		t.Error("New with a missing pattern file succeeded")
	}
	big := filepath.Join(t.TempDir(), "big")
	os.WriteFile(big, make([]byte, 100), 0o644)
	if _, err := New(Config{PatternsFile: big, MaxFileBytes: 10}); !errors.Is(err, ErrBadPatterns) {
		t.Errorf("oversized file: %v", err)
	}
}
