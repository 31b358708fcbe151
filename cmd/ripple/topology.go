package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"

	"github.com/ripplestream/ripple/jobs/anomaly"
	"github.com/ripplestream/ripple/jobs/changeprop"
	"github.com/ripplestream/ripple/jobs/entitychange"
	"github.com/ripplestream/ripple/jobs/errorlog"
	"github.com/ripplestream/ripple/jobs/searchindex"
	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/processor/prommetrics"
	"github.com/ripplestream/ripple/topology"
)

// kinds are the job kinds a topology file may name.
func kinds() *topology.Registry {
	r := topology.NewRegistry()
	changeprop.Register(r)
	entitychange.Register(r)
	errorlog.Register(r)
	anomaly.Register(r)
	searchindex.Register(r)
	return r
}

// envOr returns the environment variable name, or def when it is unset.
func envOr(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

// loadTopology loads and validates the one FILE argument.
func loadTopology(pos []string, usage func(), cmd string) (*topology.Topology, error) {
	switch {
	case len(pos) == 0:
		usage()
		return nil, errors.New("give the topology file, such as: ripple " + cmd + " deploy/topology/wikimedia.yaml")
	case len(pos) > 1:
		return nil, fmt.Errorf("unexpected argument %q: ripple %s takes one topology file; flags go before or after it", pos[1], cmd)
	}
	t, err := topology.Load(pos[0])
	if err != nil {
		return nil, err
	}
	if err := t.Validate(kinds()); err != nil {
		return nil, fmt.Errorf("%s is not valid:\n%w", pos[0], err)
	}
	return t, nil
}

func runTopology(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	subs := map[string]func(context.Context, []string, io.Writer, io.Writer) error{"plan": topologyPlan, "graph": topologyGraph}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintf(stdout, `Usage: ripple topology <command> FILE [flags]

A topology file declares a deployment as data: its streams (partitions,
replication, retention or compaction, schema) and its jobs (kind, config,
and the streams bound to their inputs and outputs). Both commands validate
it first and report each problem at its line:col. Job kinds: %s.

Commands:
  plan   print the topics the topology needs; --apply creates them
  graph  draw the streams and jobs as a DOT or Mermaid graph

Start here:
  ripple topology plan deploy/topology/wikimedia.yaml
  ripple topology graph deploy/topology/wikimedia.yaml --format mermaid
`, strings.Join(kinds().Names(), ", "))
		return nil
	}
	sub, ok := subs[args[0]]
	if !ok {
		return fmt.Errorf("unknown topology command %q; run `ripple topology help`", args[0])
	}
	return sub(ctx, args[1:], stdout, stderr)
}

func topologyPlan(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("topology plan FILE", `Validates the topology FILE and prints the topics its streams need. With
--apply it creates those missing on the brokers and checks the partitions of
those that exist (it never changes an existing topic). The jobs create their
internal topics (state, retry, error, loopback) themselves when they start.`,
		"RIPPLE_BROKERS=127.0.0.1:19092 ripple topology plan deploy/topology/wikimedia.yaml --apply", stderr)
	apply := fs.Bool("apply", false, "create the missing topics on the brokers")
	brokers := fs.String("brokers", envOr("RIPPLE_BROKERS", ""), "Kafka bootstrap addresses, comma-separated, for --apply (env RIPPLE_BROKERS)")
	replication := fs.Int("replication", envInt("RIPPLE_REPLICATION", 1), "replication of topics that set none (env RIPPLE_REPLICATION)")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	t, err := loadTopology(pos, fs.Usage, "topology plan")
	if err != nil {
		return err
	}
	if err := t.Plan().Write(stdout); err != nil || !*apply {
		return err
	}
	if *brokers == "" {
		return errors.New("--apply needs --brokers (or RIPPLE_BROKERS), such as --brokers 127.0.0.1:19092")
	}
	applied, err := t.Plan().Apply(ctx, strings.Split(*brokers, ","), *replication)
	for _, a := range applied {
		what := "exists"
		if a.Created {
			what = "created"
		}
		fmt.Fprintf(stdout, "%-8s %s\n", what, a.Topic)
	}
	return err
}

func topologyGraph(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("topology graph FILE", `Validates the topology FILE and writes its streams and jobs as a graph:
DOT for Graphviz (dot -Tsvg) or a Mermaid flowchart for Markdown.`,
		"ripple topology graph deploy/topology/wikimedia.yaml --format dot | dot -Tsvg > topology.svg", stderr)
	format := fs.String("format", "dot", "dot or mermaid")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	t, err := loadTopology(pos, fs.Usage, "topology graph")
	if err != nil {
		return err
	}
	return t.Render(stdout, topology.Format(*format))
}

func runRun(ctx context.Context, args []string, _, stderr io.Writer) error {
	fs := newFlags("run FILE", `Runs every job of the topology FILE in this process until Ctrl-C (or
SIGTERM), then stops cleanly: in-flight events finish, offsets commit, state
closes. It serves /metrics (Prometheus), /healthz and /readyz (200 once every
job has its partitions and its state recovered) on --metrics-addr.
Each flag's default comes from the environment variable named with it.`,
		"RIPPLE_BROKERS=127.0.0.1:19092 ripple run deploy/topology/wikimedia.yaml --apply --state-dir /var/lib/ripple", stderr)
	brokers := fs.String("brokers", envOr("RIPPLE_BROKERS", ""), "Kafka bootstrap addresses, comma-separated (env RIPPLE_BROKERS; required)")
	version := fs.String("kafka-version", envOr("RIPPLE_KAFKA_VERSION", ""), "Kafka protocol version (env RIPPLE_KAFKA_VERSION; default 4.0.0)")
	stateDir := fs.String("state-dir", envOr("RIPPLE_STATE_DIR", "ripple-state"), "directory of the jobs' local state (env RIPPLE_STATE_DIR)")
	metrics := fs.String("metrics-addr", envOr("RIPPLE_METRICS_ADDR", prommetrics.DefaultAddr), "address of /metrics, /healthz and /readyz (env RIPPLE_METRICS_ADDR)")
	replication := fs.Int("replication", envInt("RIPPLE_REPLICATION", 1), "replication of the topics created (env RIPPLE_REPLICATION)")
	instance := fs.String("instance-id", envOr("RIPPLE_INSTANCE_ID", ""), "static group member id of this process, such as its pod name (env RIPPLE_INSTANCE_ID)")
	apply := fs.Bool("apply", false, "create the topology's missing topics before starting")
	verbose := fs.Bool("v", false, "log debug messages")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	t, err := loadTopology(pos, fs.Usage, "run")
	if err != nil {
		return err
	}
	if *brokers == "" {
		fs.Usage()
		return errors.New("--brokers (or RIPPLE_BROKERS) is required, such as --brokers 127.0.0.1:19092")
	}
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	logger.Info("running topology", "file", pos[0], "jobs", len(t.Jobs), "metrics", *metrics)
	err = topology.Run(ctx, t, topology.RunConfig{
		Kinds: kinds(),
		Processor: processor.Config{Brokers: strings.Split(*brokers, ","), KafkaVersion: *version, StateDir: *stateDir,
			Replication: *replication, InstanceID: *instance, Logger: logger},
		MetricsAddr: *metrics,
		Apply:       *apply,
	})
	if err == nil {
		logger.Info("stopped cleanly")
	}
	return err
}

// envInt is envOr for a number; an unparsable value is def.
func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return n
	}
	return def
}
