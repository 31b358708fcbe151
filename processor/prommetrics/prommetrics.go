// Package prommetrics adapts ripple's processor hooks to Prometheus and
// serves /metrics, /healthz and /readyz. It lives apart from package
// processor so jobs that do not use Prometheus do not link it.
package prommetrics

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/ripplestream/ripple/processor"
)

// Metrics is a processor hook (EventHook and PartitionHook) that records
// ripple's metrics in a Prometheus registry.
type Metrics struct {
	events    *prometheus.CounterVec
	emitted   *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	lag       *prometheus.GaugeVec
	recovery  *prometheus.GaugeVec
	stateSize *prometheus.GaugeVec
	stateKeys *prometheus.GaugeVec
	compacts  *prometheus.GaugeVec

	mu    sync.Mutex
	owned map[processor.Group]map[string]bool // partitions with series, by job
}

// New creates the metrics and registers them with reg.
func New(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ripple_events_total",
			Help: "Events consumed, by job, stream and outcome (ok, retry, error, dropped) and failure kind.",
		}, []string{"job", "stream", "outcome", "kind"}),
		emitted: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ripple_events_emitted_total",
			Help: "Events emitted to declared outputs by successful handler calls.",
		}, []string{"job", "stream"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "ripple_handler_duration_seconds",
			Help:    "Time to decode, handle and apply one event.",
			Buckets: prometheus.ExponentialBuckets(0.00001, 4, 10),
		}, []string{"job", "stream"}),
		lag: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "ripple_consumer_lag_events",
			Help: "Events behind the end of an input stream, per partition.",
		}, []string{"job", "stream", "partition"}),
		recovery: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "ripple_state_recovery_remaining_records",
			Help: "Changelog records still to restore while a partition's state recovers (0 when done).",
		}, []string{"job", "partition"}),
		stateSize: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "ripple_state_bytes",
			Help: "Disk bytes of a partition's Pebble state.",
		}, []string{"job", "partition"}),
		stateKeys: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "ripple_state_keys_estimate",
			Help: "Estimated keys in a partition's Pebble state.",
		}, []string{"job", "partition"}),
		compacts: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "ripple_state_compactions",
			Help: "Compactions of a partition's Pebble state since it opened.",
		}, []string{"job", "partition"}),
	}
	for _, c := range []prometheus.Collector{m.events, m.emitted, m.latency, m.lag, m.recovery, m.stateSize, m.stateKeys, m.compacts} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("prommetrics: registering: %w", err)
		}
	}
	return m, nil
}

// OnEvent implements processor.EventHook.
func (m *Metrics) OnEvent(e processor.EventInfo) {
	job, stream := string(e.Job), string(e.Stream)
	m.events.WithLabelValues(job, stream, string(e.Outcome), e.Kind).Inc()
	if e.Outcome == processor.OutcomeDropped {
		return
	}
	m.latency.WithLabelValues(job, stream).Observe(e.Duration.Seconds())
	if e.Emitted > 0 {
		m.emitted.WithLabelValues(job, stream).Add(float64(e.Emitted))
	}
}

// OnPartition implements processor.PartitionHook.
func (m *Metrics) OnPartition(p processor.PartitionInfo) {
	job, part := string(p.Job), strconv.Itoa(int(p.Partition))
	m.mu.Lock()
	if m.owned == nil {
		m.owned = map[processor.Group]map[string]bool{}
	}
	if m.owned[p.Job] == nil {
		m.owned[p.Job] = map[string]bool{}
	}
	m.owned[p.Job][part] = true
	m.mu.Unlock()
	for s, lag := range p.Lag {
		m.lag.WithLabelValues(job, string(s), part).Set(float64(lag))
	}
	m.recovery.WithLabelValues(job, part).Set(float64(p.RecoveryLag))
	if p.State != nil {
		m.stateSize.WithLabelValues(job, part).Set(float64(p.State.DiskBytes))
		m.stateKeys.WithLabelValues(job, part).Set(float64(p.State.EstimatedKeys))
		m.compacts.WithLabelValues(job, part).Set(float64(p.State.Compactions))
	}
}

// OnPartitions implements processor.PartitionSetHook: it drops the series
// of the job's partitions the process no longer owns, so a partition that
// moved away at a rebalance leaves no stale lag or recovery gauge behind.
func (m *Metrics) OnPartitions(job processor.Group, owned []int32) {
	now := map[string]bool{}
	for _, p := range owned {
		now[strconv.Itoa(int(p))] = true
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for part := range m.owned[job] {
		if now[part] {
			continue
		}
		match := prometheus.Labels{"job": string(job), "partition": part}
		for _, g := range []*prometheus.GaugeVec{m.lag, m.recovery, m.stateSize, m.stateKeys, m.compacts} {
			g.DeletePartialMatch(match)
		}
		delete(m.owned[job], part)
	}
}

// Probe is what the health endpoints ask: processor.Runner satisfies it.
type Probe interface {
	Ready() bool
	Healthy() error
}

// waiter is the optional capability of a Probe to say what it waits for
// (processor.Runner.Waiting): /readyz then gives the reason.
type waiter interface{ Waiting() string }

// DefaultAddr is where Serve listens unless told otherwise: loopback only,
// so metrics are not exposed by accident.
const DefaultAddr = "127.0.0.1:9464"

// Handler serves /metrics from g, /healthz (200 while every probe is
// healthy) and /readyz (200 once every probe is ready).
func Handler(g prometheus.Gatherer, probes ...Probe) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(g, promhttp.HandlerOpts{}))
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		for _, p := range probes {
			if err := p.Healthy(); err != nil {
				http.Error(w, err.Error(), http.StatusServiceUnavailable)
				return
			}
		}
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, _ *http.Request) {
		for _, p := range probes {
			if !p.Ready() {
				msg := "not ready: partitions unassigned or state recovering"
				if wp, ok := p.(waiter); ok && wp.Waiting() != "" {
					msg = "not ready: " + wp.Waiting()
				}
				http.Error(w, msg, http.StatusServiceUnavailable)
				return
			}
		}
		fmt.Fprintln(w, "ready")
	})
	return mux
}

// Serve listens on addr (DefaultAddr when empty) and serves Handler until
// ctx is cancelled.
func Serve(ctx context.Context, addr string, h http.Handler) error {
	if addr == "" {
		addr = DefaultAddr
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("prommetrics: listening on %s: %w (choose another address)", addr, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	stopped := make(chan struct{})
	defer close(stopped)
	go func() {
		select {
		case <-ctx.Done():
			sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = srv.Shutdown(sctx)
		case <-stopped:
		}
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("prommetrics: serving on %s: %w", addr, err)
	}
	return nil
}
