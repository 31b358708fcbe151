// Command ripple is ripple's one CLI: it runs jobs, the embedded demo,
// dependency-graph tools and benchmarks. Run `ripple help` for the commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// command is one subcommand: its one-line summary for `ripple help` and the
// function that parses its flags and runs it.
type command struct {
	name, summary string
	run           func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"demo", "run a stateful job end to end on an in-process broker (nothing installed)", runDemo},
		{"deps", "dependency tracking: replay, load, gen, explain, dependents", runDeps},
		{"errors", "a job's error topic: list the failures by reason, replay them once fixed", runErrors},
		{"run", "run the jobs of a topology file, with /metrics, /healthz and /readyz", runRun},
		{"topology", "a topology file: validate, plan (and create) its topics, draw it", runTopology},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "ripple: %v\n", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout)
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, args[1:], stdout, stderr)
		}
	}
	usage(stderr)
	return fmt.Errorf("unknown command %q; see the list above", args[0])
}

func usage(w io.Writer) {
	fmt.Fprint(w, `ripple: stream processing on Kafka with dependency tracking.

Usage: ripple <command> [flags]   (ripple <command> --help for its flags)

Commands:
`)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Start here: ripple demo
`)
}

// newFlags returns a FlagSet whose --help prints the command's description,
// its flags and an example.
func newFlags(name, about, example string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("ripple "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: ripple %s [flags]\n\n%s\n\nFlags:\n", name, about)
		fs.PrintDefaults()
		fmt.Fprintf(stderr, "\nExample:\n  %s\n", example)
	}
	return fs
}
