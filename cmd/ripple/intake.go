package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ripplestream/ripple/topology/intake"
)

type intakeFlags struct {
	brokers      string
	addr         string
	schemaDirs   []string
	sampleFields map[string]string
	maxBody      int64
	linger       time.Duration
	timeout      time.Duration
	drain        time.Duration
	verbose      bool
	sec          securityFlags
}

func intakeCmd() *cobra.Command {
	var f intakeFlags
	const example = "ripple intake deploy/topology/wikimedia.yaml --brokers 127.0.0.1:19092"
	cmd := &cobra.Command{
		Use:   "intake TOPOLOGY",
		Short: "an HTTP service that takes events into their streams, with Wikimedia EventGate's API",
		Long: `Serves EventGate's API on --addr (loopback unless told otherwise) until
Ctrl-C or SIGTERM, then finishes the requests in flight and stops.

POST /v1/events takes one JSON event or an array of them, whatever the
Content-Type (navigator.sendBeacon posts text/plain). Each event must name
its schema in $schema (ripple's schema repository, and --schemas DIRs) and
pass it, and name in meta.stream a stream the TOPOLOGY file declares, whose
schema title is the event's; meta.id (a UUID) and meta.dt (the receive
time) are filled in when missing. A stream the topology samples
(sample: {rate, unit}) keeps only the events of sampled units, decided as
ripple produce decides. Accepted events go to the topic of their stream
through an idempotent producer, in batches.

The answer is EventGate's:
  201  every event was accepted, and the brokers acknowledged it
  202  ?hasty=true: answered at once; the events are produced after
  207  some were: {"invalid": [...], "error": [...]}, each entry the
       event, its status and a context saying what was wrong
  400  none were, all invalid: {"invalid": [...]}
  413  the body is over --max-body-bytes
  500  none were, and one failed to be produced
  503  the intake is shutting down (and /readyz fails): post again
       (with --drain-delay, /readyz fails that long before, while events
       are still taken)

It also serves /metrics (ripple_intake_*), /healthz, /readyz, the streams'
settings on /v1/streams, and a page on /client/ that posts events with
navigator.sendBeacon (/client/?stream=S&n=3 sends three resource_change
events to S). Create the topics first: ripple topology plan --apply TOPOLOGY.

It runs the garbage collector at GOGC=400 unless GOGC is set: a quarter
less CPU per event for a few MB more heap.`,
		Example: "  " + example + "\n" +
			"  curl -i -d @event.json http://127.0.0.1:8192/v1/events\n" +
			"  ripple intake my.yaml --brokers 127.0.0.1:19092 --addr 0.0.0.0:8192 --sample-field device=performer.device_id",
		Args: exactArgs(example, "the TOPOLOGY file declaring the streams"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runIntake(cmd.Context(), cmd.ErrOrStderr(), args[0], f)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&f.brokers, "brokers", "", "Kafka bootstrap addresses, comma-separated (required; the local broker is 127.0.0.1:19092)")
	fs.StringVar(&f.addr, "addr", intake.DefaultAddr, "address to serve on; loopback by default, give 0.0.0.0:8192 to take events from other machines")
	fs.StringSliceVar(&f.schemaDirs, "schemas", nil, "more schema repositories (jsonschema/<title>/<version>.yaml), beside ripple's")
	fs.StringToStringVar(&f.sampleFields, "sample-field", nil, "UNIT=PATH: the dotted path of the field holding a sampling unit's id (default: session=performer.session_id, pageview=performer.pageview_id)")
	fs.Int64Var(&f.maxBody, "max-body-bytes", 4<<20, "largest request body; a larger one is refused with 413")
	fs.DurationVar(&f.linger, "linger", 0, "how long the producer waits to fill a batch (0: batches form while one is in flight)")
	fs.DurationVar(&f.timeout, "produce-timeout", 30*time.Second, "how long an event may wait for the brokers before it fails (500 or 207)")
	fs.DurationVar(&f.drain, "drain-delay", 0, "on SIGTERM or Ctrl-C, go on taking events this long with /readyz failing, so a load balancer stops sending first (behind a Kubernetes Service: 10s)")
	fs.BoolVarP(&f.verbose, "verbose", "v", false, "log debug messages (every refused request)")
	f.sec.declare(fs)
	return cmd
}

func runIntake(ctx context.Context, stderr io.Writer, file string, f intakeFlags) error {
	t, err := loadTopology(file)
	if err != nil {
		return err
	}
	if f.brokers == "" {
		return errors.New("--brokers is required (or RIPPLE_BROKERS), such as --brokers 127.0.0.1:19092")
	}
	repo, err := openSchemas(f.schemaDirs)
	if err != nil {
		return err
	}
	logger := serviceLogger(stderr, f.verbose)
	cfg := intake.Config{
		Brokers: strings.Split(f.brokers, ","), Security: f.sec.security(),
		Schemas: repo, Streams: t.StreamConfigs(), SampleFields: f.sampleFields,
		Addr: f.addr, MaxBodyBytes: f.maxBody, Linger: f.linger, ProduceTimeout: f.timeout, DrainDelay: f.drain,
		Logger: logger,
	}
	if err := cfg.WithDefaults().Validate(); err != nil {
		return err
	}
	if _, set := os.LookupEnv("GOGC"); !set {
		// Every event is decoded into maps and validated: the garbage
		// collector ran a quarter of the CPU at Go's default of 100. The
		// heap stays small (the requests in flight), so trade a few MB
		// for it; GOGC=100 restores the default.
		debug.SetGCPercent(400)
	}
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return fmt.Errorf("--addr %s: %w (choose another address)", f.addr, err)
	}
	logger.Info("intake serving", "addr", "http://"+ln.Addr().String()+intake.EventsPath, "streams", len(t.Streams), "kafka", cfg.Security)
	if err := intake.Run(ctx, cfg, ln); err != nil {
		return err
	}
	logger.Info("stopped cleanly")
	return nil
}
