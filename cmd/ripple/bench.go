package main

import (
	"fmt"
	"os"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ripplestream/ripple/cmd/ripple/internal/cpbench"
	"github.com/ripplestream/ripple/cmd/ripple/internal/progress"
	"github.com/ripplestream/ripple/jobs/changeprop"
)

func benchCmd() *cobra.Command {
	return group(&cobra.Command{
		Use:   "bench",
		Short: "measure ripple's jobs on a real broker",
		Long: `Benchmarks of ripple's jobs on a Kafka broker. The engine's own benchmarks are
Go benchmarks (make bench); the comparison with Kafka Streams and goka is
make bench-peers (bench/README.md).`,
		Example: "  ripple bench changeprop --brokers 127.0.0.1:19092 --rates 1000,5000",
	}, benchChangepropCmd())
}

func benchChangepropCmd() *cobra.Command {
	var (
		k                                  kafkaFlags
		store, stateDir, rates, cpuProfile string
		cfg                                cpbench.Config
	)
	example := "  ripple bench changeprop --brokers 127.0.0.1:19092 --rates 1000,5000 --duration 30s\n" +
		"  ripple bench changeprop --brokers 127.0.0.1:19092 --store dgraph:127.0.0.1:9180 --rates 1000"
	cmd := &cobra.Command{
		Use:   "changeprop",
		Short: "change-to-purge latency of the changeprop job at fixed input rates",
		Long: `Loads a generated graph (--pages pages, page i transcluding template
i mod --templates) into the store, starts the changeprop job in this process on
the broker, sends page changes at each rate of --rates for --duration (article
edits, each purging its page, and --template-share template edits, each
purging the template's transcluders) and reads the purges back. It prints,
per rate, the changes sent, the rate achieved, the purges read, the p50,
p99 and largest change-to-purge latency of the changes sent after --warmup,
and the CPU time of this process (job, producer and consumer together).

Latency runs from a change's event time (set when it is sent) to when its
purge is read: it includes the producer, the broker and the consumer. The
coalescing window is off (it holds a page's later purges on purpose). Topics
are new for every run (bench-<time>.*); delete them when done. The store
must not hold the generated pages already: by default a new Pebble store in
a temporary directory, removed at the end.`,
		Example: example,
		Args:    exactArgs(example),
		RunE: func(cmd *cobra.Command, _ []string) error {
			kc, err := k.config()
			if err != nil {
				return err
			}
			for _, r := range strings.Split(rates, ",") {
				n, err := strconv.Atoi(strings.TrimSpace(r))
				if err != nil || n <= 0 {
					return fmt.Errorf("--rates %q: want positive numbers of changes per second, comma-separated, such as 1000,5000", rates)
				}
				cfg.Rates = append(cfg.Rates, n)
			}
			cfg.Kafka = kc
			if cpuProfile != "" {
				f, err := os.Create(cpuProfile)
				if err != nil {
					return fmt.Errorf("--cpuprofile: %w", err)
				}
				defer f.Close()
				if err := pprof.StartCPUProfile(f); err != nil {
					return fmt.Errorf("--cpuprofile: %w", err)
				}
				defer pprof.StopCPUProfile()
			}
			tmp, err := os.MkdirTemp("", "ripple-bench-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(tmp)
			if stateDir == "" {
				stateDir = tmp + "/state"
			}
			cfg.StateDir = stateDir
			if store == "" {
				store = "pebble:" + tmp + "/graph"
			}
			st, err := openStore(cmd.Context(), store)
			if err != nil {
				return err
			}
			defer st.Close()
			cfg.Store = st
			bar := progress.New(cmd.ErrOrStderr(), -1, "changes sent", "changes")
			cfg.Progress = func(rate, sent, purges int) {
				bar.Describe("%d/s: %d changes sent, %d purges read", rate, sent, purges)
				bar.Set(int64(sent))
			}
			steps, err := cpbench.Run(cmd.Context(), cfg, cmd.ErrOrStderr())
			bar.Done()
			if cfg.Fanout == 0 {
				cpbench.Table(cmd.OutOrStdout(), steps)
			}
			return err
		},
	}
	k.declare(cmd)
	fs := cmd.Flags()
	fs.StringVar(&store, "store", "", "dependency store: pebble:DIR or dgraph:HOST:PORT (default: a new Pebble store in a temporary directory)")
	fs.StringVar(&stateDir, "state-dir", "", "the job's state directory (default: a temporary directory)")
	fs.StringVar(&rates, "rates", "1000,5000,20000", "input rates to measure, in changes per second, comma-separated")
	fs.DurationVar(&cfg.Duration, "duration", 20*time.Second, "how long each rate is sent")
	fs.DurationVar(&cfg.Warmup, "warmup", 5*time.Second, "the start of each rate whose purges are not timed")
	fs.IntVar(&cfg.Pages, "pages", 100_000, "pages in the generated graph")
	fs.IntVar(&cfg.Templates, "templates", 1_000, "templates in the generated graph (a template edit purges pages/templates pages)")
	fs.Float64Var(&cfg.TemplateShare, "template-share", 0.001, "share of the changes that are template edits")
	fs.IntVar(&cfg.Partitions, "partitions", 4, "partitions of the topics")
	fs.IntVar(&cfg.WalkBatch, "walk-batch", 0, "dependents one step of a fan-out reads (default the job's, changeprop.DefaultWalkBatch: 10000)")
	fs.DurationVar(&cfg.FetchWait, "fetch-wait", changeprop.FetchWait, "the fan-out job's fetch wait (processor.Config.FetchWait): how long the broker holds an empty fetch; 500ms is sarama's default")
	fs.BoolVar(&cfg.WalkOnly, "walk-only", false, "with --fanout: run the fan-out job alone and count its purge candidates (no coalesce job, its per-URI state and topics)")
	fs.StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of this process (graph load, jobs, sender and reader) to this file, for go tool pprof")
	fs.IntVar(&cfg.Fanout, "fanout", 0, "instead of the rates: one edit of a template transcluded by this many pages, timed to its last purge, with the peak RSS")
	return cmd
}
