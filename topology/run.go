package topology

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/processor/prommetrics"
	"github.com/ripplestream/ripple/topology/streamconfig"
)

// RunConfig says how Run runs a topology.
type RunConfig struct {
	// Kinds are the job kinds the topology may use. Required.
	Kinds *Registry
	// Processor is the base configuration of every job: Brokers (required),
	// StateDir (each job keeps its state in StateDir/<job>), Replication,
	// Logger. Run adds the metrics hook.
	Processor processor.Config
	// MetricsAddr is where /metrics, /healthz and /readyz are served.
	// Default prommetrics.DefaultAddr.
	MetricsAddr string
	// Apply creates the topology's topics (Plan.Apply) before the jobs
	// start.
	Apply bool
}

// Running is a topology Start runs: every runner of every job, one
// Prometheus registry, and the health of all of them.
type Running struct {
	runners []Runnable
	closers []func() error
	reg     *prometheus.Registry
	streams map[string]streamconfig.Settings
	logger  *slog.Logger
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	done    chan struct{} // closed when a runner has stopped
	once    sync.Once
	mu      struct {
		sync.Mutex
		errs []error
	}
	stop sync.Once
	err  error
}

// DefaultInputWait is how long a job of a topology waits for an input
// stream to exist, unless RunConfig.Processor.InputWait says otherwise.
// In a validated topology every input is a declared stream or one a job of
// it creates (changeprop's candidates, between its two jobs), so it does
// appear: the wait is as long as the other jobs take to start on a loaded
// machine (over processor.DefaultInputWait's 30 s once, in the platform
// test), not a guard against a misspelt name.
const DefaultInputWait = 5 * time.Minute

// Start validates t, applies its plan if asked, builds its jobs and runs
// them in the background until Stop or ctx ends.
func Start(ctx context.Context, t *Topology, cfg RunConfig) (*Running, error) {
	if cfg.Kinds == nil {
		return nil, errors.New("topology: RunConfig.Kinds is nil; make one with NewRegistry and the jobs' Register")
	}
	if err := t.Validate(cfg.Kinds); err != nil {
		return nil, err
	}
	if cfg.Processor.InputWait == 0 {
		cfg.Processor.InputWait = DefaultInputWait
	}
	cfg.Processor = cfg.Processor.WithDefaults() // StateDir and the other defaults the kinds see
	if err := cfg.Processor.Validate(); err != nil {
		return nil, err
	}
	if cfg.Apply {
		applied, err := t.Plan().Apply(ctx, cfg.Processor)
		if err != nil {
			return nil, err
		}
		for _, a := range applied {
			if a.Created {
				cfg.Processor.Logger.Info("created topic", "topic", a.Topic)
			}
		}
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m, err := prommetrics.New(reg)
	if err != nil {
		return nil, err
	}
	base := cfg.Processor
	base.Hooks = append(append([]processor.Hook(nil), base.Hooks...), m)
	rn := &Running{reg: reg, streams: t.StreamConfigs(), logger: base.Logger, done: make(chan struct{})}
	for _, j := range t.Jobs {
		k, _ := cfg.Kinds.Kind(j.Kind) // Validate checked it
		spec := Spec{Name: j.Name, Inputs: map[string]processor.Stream{}, Outputs: map[string]processor.Stream{},
			Processor: base, Metrics: reg, config: j.Config}
		for _, b := range j.Inputs {
			spec.Inputs[b.Role] = b.Stream
		}
		for _, b := range j.Outputs {
			spec.Outputs[b.Role] = b.Stream
		}
		built, err := k.Build(ctx, spec)
		if err != nil {
			rn.close()
			return nil, fmt.Errorf("topology: job %s (%s, %s): %w", j.Name, j.Kind, j.Pos, err)
		}
		rn.runners = append(rn.runners, built.Runners...)
		if built.Close != nil {
			rn.closers = append(rn.closers, built.Close)
		}
	}
	ctx, rn.cancel = context.WithCancel(ctx)
	for _, r := range rn.runners {
		rn.wg.Add(1)
		go func() {
			defer rn.wg.Done()
			if err := r.Run(ctx); err != nil {
				rn.mu.Lock()
				rn.mu.errs = append(rn.mu.errs, err)
				rn.mu.Unlock()
			}
			// One runner stopping (failed, or ctx ended) ends the topology:
			// half a pipeline is not a deployment.
			rn.once.Do(func() { close(rn.done) })
		}()
	}
	return rn, nil
}

// Ready reports whether every job has its partitions and its state
// recovered, and waits for nothing.
func (rn *Running) Ready() bool {
	for _, r := range rn.runners {
		if !r.Ready() {
			return false
		}
	}
	return true
}

// Healthy returns nil while every job runs, else the first job's error.
func (rn *Running) Healthy() error {
	for _, r := range rn.runners {
		if err := r.Healthy(); err != nil {
			return err
		}
	}
	return nil
}

// Waiting says what the jobs wait for; "" when nothing.
func (rn *Running) Waiting() string {
	var out []string
	for _, r := range rn.runners {
		if w := r.Waiting(); w != "" {
			out = append(out, w)
		}
	}
	return strings.Join(out, "; ")
}

// Done is closed once a job has stopped (Stop was called, ctx ended, or a
// job failed); Stop then stops the others and says why.
func (rn *Running) Done() <-chan struct{} { return rn.done }

// Handler serves /metrics (every job's, and the Go runtime's), /healthz
// and /readyz (each job a probe, so /readyz says which one waits), and
// the streams' settings on streamconfig.Path (/v1/streams).
func (rn *Running) Handler() http.Handler {
	probes := make([]prommetrics.Probe, len(rn.runners))
	for i, r := range rn.runners {
		probes[i] = r
	}
	mux := http.NewServeMux()
	mux.Handle(streamconfig.Path, streamconfig.Handler(rn.streams))
	mux.Handle("/", prommetrics.Handler(rn.reg, probes...))
	return mux
}

// Stop stops every job (in-flight events finish, offsets commit, state
// closes), closes what the jobs' kinds opened, and returns the jobs'
// errors: nil after a clean stop. Later calls return the same.
func (rn *Running) Stop() error {
	rn.stop.Do(func() {
		rn.cancel()
		rn.wg.Wait()
		rn.mu.Lock()
		errs := rn.mu.errs
		rn.mu.Unlock()
		rn.err = errors.Join(append(errs, rn.close())...)
	})
	return rn.err
}

func (rn *Running) close() error {
	var errs []error
	for i := len(rn.closers) - 1; i >= 0; i-- {
		errs = append(errs, rn.closers[i]())
	}
	return errors.Join(errs...)
}

// Run runs t until ctx ends (Ctrl-C) or a job fails: it starts the jobs
// (Start), serves their metrics and health on cfg.MetricsAddr, and stops
// cleanly.
func Run(ctx context.Context, t *Topology, cfg RunConfig) error {
	rn, err := Start(ctx, t, cfg)
	if err != nil {
		return err
	}
	sctx, cancel := context.WithCancel(ctx)
	serveErr := make(chan error, 1)
	go func() { serveErr <- prommetrics.Serve(sctx, cfg.MetricsAddr, rn.Handler()) }()
	select {
	case <-ctx.Done():
	case <-rn.Done():
	case err = <-serveErr:
		serveErr <- err
	}
	stopErr := rn.Stop()
	cancel()
	return errors.Join(stopErr, <-serveErr)
}
