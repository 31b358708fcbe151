package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
)

// TestEveryHelpHasAnExample walks the whole command tree.
func TestEveryHelpHasAnExample(t *testing.T) {
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Hidden {
			return
		}
		var out bytes.Buffer
		path := strings.Fields(c.CommandPath())[1:]
		if err := run(context.Background(), append(path, "--help"), &out, io.Discard); err != nil {
			t.Errorf("%s --help: %v", c.CommandPath(), err)
		}
		if !strings.Contains(out.String(), "Examples:\n  ") {
			t.Errorf("%s --help has no example:\n%s", c.CommandPath(), out.String())
		}
		if c.HasAvailableLocalFlags() && !strings.Contains(out.String(), "RIPPLE_<FLAG>") {
			t.Errorf("%s --help does not say flags come from RIPPLE_* too:\n%s", c.CommandPath(), out.String())
		}
		for _, s := range c.Commands() {
			walk(s)
		}
	}
	walk(newRoot(io.Discard, io.Discard))
}

// TestHelpListsEveryDepsCommand: `ripple help deps` listed 5 of 7.
func TestHelpListsEveryDepsCommand(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"help", "deps"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"replay", "load", "gen", "explain", "dependents", "parse", "aspects"} {
		if !strings.Contains(out.String(), "\n  "+name+" ") {
			t.Errorf("ripple help deps does not list %s:\n%s", name, out.String())
		}
	}
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		var out bytes.Buffer
		if err := run(context.Background(), args, &out, io.Discard); err != nil {
			t.Fatal(err)
		}
		if got := out.String(); !strings.HasPrefix(got, "ripple (devel) (") || strings.Count(got, "\n") != 1 {
			t.Errorf("%q printed %q, want one line with the module version and the revision", args, got)
		}
	}
	if err := run(context.Background(), []string{"version", "extra"}, io.Discard, io.Discard); err == nil {
		t.Error("version took an argument")
	}
}

func TestCompletion(t *testing.T) {
	for shell, want := range map[string]string{"bash": "complete -o default -F __start_ripple ripple", "zsh": "#compdef ripple",
		"fish": "complete -c ripple", "powershell": "Register-ArgumentCompleter"} {
		var out bytes.Buffer
		if err := run(context.Background(), []string{"completion", shell}, &out, io.Discard); err != nil {
			t.Fatalf("completion %s: %v", shell, err)
		}
		if !strings.Contains(out.String(), want) {
			t.Errorf("completion %s lacks %q", shell, want)
		}
	}
}

// TestPositionalArgumentsUsedOrRefused: an argument a command does not take
// is an error, never ignored.
func TestPositionalArgumentsUsedOrRefused(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"deps", "gen", "extra"}, `unexpected argument "extra"`},
		{[]string{"deps", "explain", "--store", "pebble:x", "--page", "A", "B"}, `unexpected argument "B"`},
		{[]string{"deps", "dependents", "--store", "pebble:x"}, "give TARGET, such as: ripple deps dependents"},
		{[]string{"deps", "replay", "a.jsonl", "b.jsonl", "--store", "pebble:x"}, `unexpected argument "b.jsonl"`},
		{[]string{"deps", "replay", "a.jsonl", "--in", "b.jsonl", "--store", "pebble:x"}, "not both"},
		{[]string{"demo", "now"}, `unexpected argument "now": ripple demo takes no arguments`},
		{[]string{"run"}, "give the topology FILE, such as: RIPPLE_BROKERS="},
		{[]string{"topology", "graph", "a.yaml", "b.yaml"}, `unexpected argument "b.yaml": ripple topology graph takes the topology FILE;`},
		{[]string{"deps", "explaim"}, `did you mean "explain"?`},
		{[]string{"deps", "gen", "--chnages", "3"}, "unknown flag: --chnages; run `ripple deps gen --help` for its flags"},
	} {
		err := run(context.Background(), c.args, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want an error saying %q", c.args, err, c.want)
		}
	}
}

// TestSettingsPrecedence: flag > RIPPLE_* > --config file > default.
func TestSettingsPrecedence(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "ripple.yaml")
	if err := os.WriteFile(file, []byte("format: mermaid\nbrokers: [a:1, b:2]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	topo := filepath.Join(dir, "t.yaml")
	if err := os.WriteFile(topo, []byte("streams:\n  s: {partitions: 1}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	graph := func(args ...string) string {
		t.Helper()
		var out bytes.Buffer
		if err := run(context.Background(), append([]string{"topology", "graph", topo}, args...), &out, io.Discard); err != nil {
			t.Fatalf("%q: %v", args, err)
		}
		return out.String()
	}
	if got := graph(); !strings.HasPrefix(got, "digraph") {
		t.Errorf("default: %q, want DOT", got)
	}
	if got := graph("--config", file); !strings.HasPrefix(got, "flowchart") {
		t.Errorf("from the file: %q, want Mermaid", got)
	}
	t.Setenv("RIPPLE_FORMAT", "dot")
	if got := graph("--config", file); !strings.HasPrefix(got, "digraph") {
		t.Errorf("env over file: %q, want DOT", got)
	}
	t.Setenv("RIPPLE_FORMAT", "mermaid")
	if got := graph("--config", file, "--format", "dot"); !strings.HasPrefix(got, "digraph") {
		t.Errorf("flag over env: %q, want DOT", got)
	}
	t.Setenv("RIPPLE_CONFIG", file)
	t.Setenv("RIPPLE_FORMAT", "")
	os.Unsetenv("RIPPLE_FORMAT")
	if got := graph(); !strings.HasPrefix(got, "flowchart") {
		t.Errorf("RIPPLE_CONFIG: %q, want Mermaid", got)
	}

	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("brokerz: a:1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := run(context.Background(), []string{"topology", "graph", topo, "--config", bad}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), `"brokerz" is no flag of any ripple command`) {
		t.Errorf("a misspelt key: %v", err)
	}
	t.Setenv("RIPPLE_BATCH", "many")
	err = run(context.Background(), []string{"deps", "load", "--store", "pebble:" + dir}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), `RIPPLE_BATCH="many"`) {
		t.Errorf("a bad environment value: %v", err)
	}
}

// TestCancelStopsReadingStdin: Ctrl-C (the context's cancel) stops a
// replay that waits on stdin.
func TestCancelStopsReadingStdin(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	stdin := os.Stdin
	os.Stdin = r
	t.Cleanup(func() { os.Stdin = stdin })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"deps", "replay", "--store", "pebble:" + t.TempDir()}, io.Discard, io.Discard)
	}()
	cancel()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "context canceled") {
			t.Errorf("replay stopped with %v, want context canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("replay still waits on stdin 10 s after the cancel")
	}
}
