package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ripplestream/ripple/jobs"
	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/processor/prommetrics"
	"github.com/ripplestream/ripple/topology"
)

// loadTopology loads and validates the topology file.
func loadTopology(file string) (*topology.Topology, error) {
	t, err := topology.Load(file)
	if err != nil {
		return nil, err
	}
	if err := t.Validate(jobs.Kinds()); err != nil {
		return nil, fmt.Errorf("%s is not valid:\n%w", file, err)
	}
	return t, nil
}

func topologyCmd() *cobra.Command {
	return group(&cobra.Command{
		Use:   "topology",
		Short: "a topology file: validate, plan (and create) its topics, draw it",
		Long: fmt.Sprintf(`A topology file declares a deployment as data: its streams (partitions,
replication, retention or compaction, schema) and its jobs (kind, config,
and the streams bound to their inputs and outputs). Both commands validate
it first and report each problem at its line:col. Job kinds: %s.`, strings.Join(jobs.Kinds().Names(), ", ")),
		Example: `  ripple topology plan deploy/topology/wikimedia.yaml
  ripple topology graph deploy/topology/wikimedia.yaml --format mermaid`,
	}, topologyPlanCmd(), topologyGraphCmd())
}

func topologyPlanCmd() *cobra.Command {
	var brokers string
	var apply bool
	var replication int
	var sec securityFlags
	const example = "ripple topology plan deploy/topology/wikimedia.yaml"
	cmd := &cobra.Command{
		Use:   "plan FILE",
		Short: "print the topics the topology needs; --apply creates them",
		Long: `Validates the topology FILE and prints the topics its streams need. With
--apply it creates those missing on the brokers and checks the partitions of
those that exist (it never changes an existing topic). The jobs create their
internal topics (state, retry, error, loopback) themselves when they start.`,
		Example: "  " + example + "\n  RIPPLE_BROKERS=127.0.0.1:19092 ripple topology plan deploy/topology/wikimedia.yaml --apply",
		Args:    exactArgs(example, "the topology FILE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			t, err := loadTopology(args[0])
			if err != nil {
				return err
			}
			stdout := cmd.OutOrStdout()
			if err := t.Plan().Write(stdout); err != nil || !apply {
				return err
			}
			if brokers == "" {
				return errors.New("--apply needs --brokers (or RIPPLE_BROKERS), such as --brokers 127.0.0.1:19092")
			}
			applied, err := t.Plan().Apply(cmd.Context(), processor.Config{Brokers: strings.Split(brokers, ","),
				Replication: replication, Security: sec.security()})
			for _, a := range applied {
				what := "exists"
				if a.Created {
					what = "created"
				}
				fmt.Fprintf(stdout, "%-8s %s\n", what, a.Topic)
			}
			return err
		},
	}
	cmd.Flags().BoolVar(&apply, "apply", false, "create the missing topics on the brokers")
	cmd.Flags().StringVar(&brokers, "brokers", "", "Kafka bootstrap addresses, comma-separated, for --apply")
	cmd.Flags().IntVar(&replication, "replication", 1, "replication of topics that set none")
	sec.declare(cmd.Flags())
	return cmd
}

func topologyGraphCmd() *cobra.Command {
	var format string
	const example = "ripple topology graph deploy/topology/wikimedia.yaml --format dot | dot -Tsvg > topology.svg"
	cmd := &cobra.Command{
		Use:   "graph FILE",
		Short: "draw the streams and jobs as a DOT or Mermaid graph",
		Long: `Validates the topology FILE and writes its streams and jobs as a graph:
DOT for Graphviz (dot -Tsvg) or a Mermaid flowchart for Markdown.`,
		Example: "  " + example + "\n  ripple topology graph deploy/topology/wikimedia.yaml --format mermaid",
		Args:    exactArgs(example, "the topology FILE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			t, err := loadTopology(args[0])
			if err != nil {
				return err
			}
			return t.Render(cmd.OutOrStdout(), topology.Format(format))
		},
	}
	cmd.Flags().StringVar(&format, "format", "dot", "dot or mermaid")
	return cmd
}

type runFlags struct {
	brokers, version, stateDir, metrics, instance string
	replication                                   int
	apply, verbose                                bool
	sec                                           securityFlags
}

func runCmd() *cobra.Command {
	var f runFlags
	const example = "RIPPLE_BROKERS=127.0.0.1:19092 ripple run deploy/topology/wikimedia.yaml --apply --state-dir /var/lib/ripple"
	cmd := &cobra.Command{
		Use:   "run FILE",
		Short: "run the jobs of a topology file, with /metrics, /healthz and /readyz",
		Long: `Runs every job of the topology FILE in this process until Ctrl-C (or
SIGTERM), then stops cleanly: in-flight events finish, offsets commit, state
closes. It serves /metrics (Prometheus), /healthz and /readyz (200 once every
job has its partitions and its state recovered) on --metrics-addr, and the
streams' settings on /v1/streams (?streams=a|b, ?all_settings), as
MediaWiki's action=streamconfigs does.`,
		Example: "  " + example,
		Args:    exactArgs(example, "the topology FILE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runTopology(cmd.Context(), cmd.ErrOrStderr(), args[0], f)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&f.brokers, "brokers", "", "Kafka bootstrap addresses, comma-separated (required)")
	fs.StringVar(&f.version, "kafka-version", "", "Kafka protocol version (default 4.0.0)")
	fs.StringVar(&f.stateDir, "state-dir", "ripple-state", "directory of the jobs' local state")
	fs.StringVar(&f.metrics, "metrics-addr", prommetrics.DefaultAddr, "address of /metrics, /healthz, /readyz and /v1/streams")
	fs.IntVar(&f.replication, "replication", 1, "replication of the topics created")
	fs.StringVar(&f.instance, "instance-id", "", "static group member id of this process, such as its pod name")
	fs.BoolVar(&f.apply, "apply", false, "create the topology's missing topics before starting")
	fs.BoolVarP(&f.verbose, "verbose", "v", false, "log debug messages")
	f.sec.declare(fs)
	return cmd
}

func runTopology(ctx context.Context, stderr io.Writer, file string, f runFlags) error {
	t, err := loadTopology(file)
	if err != nil {
		return err
	}
	if f.brokers == "" {
		return errors.New("--brokers is required (or RIPPLE_BROKERS), such as --brokers 127.0.0.1:19092")
	}
	logger := serviceLogger(stderr, f.verbose)
	sec := f.sec.security()
	logger.Info("running topology", "file", file, "jobs", len(t.Jobs), "metrics", f.metrics, "kafka", sec)
	err = topology.Run(ctx, t, topology.RunConfig{
		Kinds: jobs.Kinds(),
		Processor: processor.Config{Brokers: strings.Split(f.brokers, ","), KafkaVersion: f.version, StateDir: f.stateDir,
			Replication: f.replication, InstanceID: f.instance, Logger: logger, Security: sec},
		MetricsAddr: f.metrics,
		Apply:       f.apply,
	})
	if err == nil {
		logger.Info("stopped cleanly")
	}
	return err
}

// serviceLogger is the logger of a command that runs until stopped (run,
// intake): text on stderr, debug messages with --verbose.
func serviceLogger(stderr io.Writer, verbose bool) *slog.Logger {
	level := slog.LevelInfo
	if verbose {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
}
