package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/ripplestream/ripple/cmd/ripple/internal/demo"
)

func demoCmd() *cobra.Command {
	var cfg demo.Config
	var job string
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "run a stateful job end to end on an in-process broker (nothing installed)",
		Long: `Runs ripple's main job on the embedded default: an in-process
Kafka-protocol broker and an embedded Pebble dependency graph. The default
job, changeprop, loads the dependency sets of a generated Wikidata-like wiki,
then propagates its changes into precise resource_change purges, each with
the dependency path that explains it, and compares the count with its oracle
and with broad purging. --job pagestats runs a small stateful counter
instead. Needs nothing installed; for the real broker see deploy/local.`,
		Example: "  ripple demo\n  ripple demo --events 2000 --pages 3000\n  ripple demo --job pagestats",
		Args:    exactArgs("ripple demo --events 2000"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stdout := cmd.Context(), cmd.OutOrStdout()
			switch job {
			case "changeprop":
				if cfg.Events == 0 {
					cfg.Events = 1000
				}
				if cfg.Pages == 0 {
					cfg.Pages = 2000
				}
				_, err := demo.RunChangeprop(ctx, cfg, stdout)
				return err
			case "pagestats":
				_, err := demo.Run(ctx, cfg, stdout)
				return err
			}
			return fmt.Errorf("--job %q: want changeprop or pagestats", job)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&job, "job", "changeprop", "which job: changeprop or pagestats")
	fs.IntVar(&cfg.Events, "events", 0, "changes (changeprop, default 1000) or page_change events (pagestats, default 2000)")
	fs.IntVar(&cfg.Pages, "pages", 0, "pages of the wiki (changeprop, default 2000) or pages edited (pagestats, default 120)")
	fs.Uint64Var(&cfg.Seed, "seed", 1, "seed of the synthetic workload")
	fs.DurationVar(&cfg.Timeout, "timeout", 0, "give up after this long (default 60s)")
	return cmd
}
