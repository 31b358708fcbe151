package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: peers run [flags] | peers engine [flags]")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch os.Args[1] {
	case "run":
		err = runCommand(ctx, os.Args[2:])
	case "engine":
		err = engineCommand(ctx, os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "peers:", err)
		os.Exit(1)
	}
}

// engineCommand runs one job on ripple or goka until ctx ends.
func engineCommand(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("engine", flag.ContinueOnError)
	var s engineSpec
	brokers := fs.String("brokers", os.Getenv("RIPPLE_KAFKA_BROKERS"), "bootstrap brokers, comma-separated")
	fs.StringVar(&s.Engine, "engine", "", "ripple or goka-leveldb")
	fs.StringVar(&s.Job, "job", "", "count, dedupe or window")
	fs.StringVar(&s.Input, "input", "", "input topic")
	fs.StringVar(&s.Output, "output", "", "output topic")
	fs.StringVar(&s.Group, "group", "", "consumer group")
	fs.StringVar(&s.StateDir, "state", "", "state directory")
	fs.DurationVar(&s.Commit, "commit", 100*time.Millisecond, "commit interval")
	profile := fs.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *profile != "" {
		f, err := os.Create(*profile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	s.Brokers = strings.Split(*brokers, ",")
	// The driver keeps this process's stderr in a file per run.
	s.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	s.Logger.Info("engine starting", "engine", s.Engine, "job", s.Job, "group", s.Group)
	var err error
	switch s.Engine {
	case "ripple":
		err = runRippleEngine(ctx, s)
	case "goka-leveldb":
		err = runGokaEngine(ctx, s)
	default:
		err = fmt.Errorf("unknown engine %q", s.Engine)
	}
	s.Logger.Info("engine stopped", "error", err, "signalled", ctx.Err() != nil)
	return err
}
