package main

import (
	"context"
	"io"

	"github.com/ripplestream/ripple/internal/demo"
)

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg demo.Config
	fs := newFlags("demo", `Starts an in-process Kafka-protocol broker, produces synthetic
mediawiki page_change events, runs a stateful job over them, checks the
job's state against the workload and prints a summary. Needs nothing
installed; for the real broker see deploy/local/kafka.`, "ripple demo --events 10000", stderr)
	fs.IntVar(&cfg.Events, "events", 2000, "number of page_change events to produce")
	fs.IntVar(&cfg.Pages, "pages", 120, "number of distinct pages edited")
	fs.Uint64Var(&cfg.Seed, "seed", 1, "seed of the synthetic workload")
	fs.DurationVar(&cfg.Timeout, "timeout", 0, "give up after this long (default 60s)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	_, err := demo.Run(ctx, cfg, stdout)
	return err
}
