// Package sinkprom adapts a sink's Hook (package sink) to Prometheus. It
// lives apart from package sink so sinks that do not use Prometheus do not
// link it; serve the registry with processor/prommetrics or promhttp.
package sinkprom

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ripplestream/ripple/jobs/sink"
)

// Metrics is a sink.Hook that records the sinks' metrics in a Prometheus
// registry. One Metrics serves every sink of a process.
type Metrics struct {
	written, rejected, batches, storeErrors *prometheus.CounterVec
	duration                                *prometheus.HistogramVec
	lag                                     *prometheus.GaugeVec
}

var _ sink.Hook = (*Metrics)(nil)

// New creates the metrics and registers them with reg.
func New(reg prometheus.Registerer) (*Metrics, error) {
	labels := []string{"sink", "stream"}
	m := &Metrics{
		written: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ripple_sink_records_written_total",
			Help: "Records a sink wrote to its store.",
		}, labels),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ripple_sink_records_rejected_total",
			Help: "Records a sink's store rejected as invalid, sent to the sink's error topic.",
		}, labels),
		batches: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ripple_sink_batches_total",
			Help: "Batches a sink wrote to its store, each in one transaction with its offsets.",
		}, labels),
		storeErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ripple_sink_store_errors_total",
			Help: "Failed store calls of a sink, each retried after a backoff.",
		}, labels),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "ripple_sink_write_duration_seconds",
			Help:    "Time a store took to write one batch.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 4, 9),
		}, labels),
		lag: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "ripple_sink_lag_records",
			Help: "Records of a partition after a sink's stored offset, as of its last fetch.",
		}, []string{"sink", "stream", "partition"}),
	}
	// A registry that has them already (another sink of the process
	// registered them) gives them back: every sink shares them.
	for _, c := range []any{&m.written, &m.rejected, &m.batches, &m.storeErrors, &m.duration, &m.lag} {
		if err := register(reg, c); err != nil {
			return nil, fmt.Errorf("sinkprom: registering: %w", err)
		}
	}
	return m, nil
}

// register registers *c with reg, or sets *c to the collector reg has.
func register(reg prometheus.Registerer, c any) error {
	var col prometheus.Collector
	switch v := c.(type) {
	case **prometheus.CounterVec:
		col = *v
	case **prometheus.HistogramVec:
		col = *v
	case **prometheus.GaugeVec:
		col = *v
	}
	err := reg.Register(col)
	var are prometheus.AlreadyRegisteredError
	if !errors.As(err, &are) {
		return err
	}
	switch v := c.(type) {
	case **prometheus.CounterVec:
		*v, _ = are.ExistingCollector.(*prometheus.CounterVec)
	case **prometheus.HistogramVec:
		*v, _ = are.ExistingCollector.(*prometheus.HistogramVec)
	case **prometheus.GaugeVec:
		*v, _ = are.ExistingCollector.(*prometheus.GaugeVec)
	}
	return nil
}

// Wrote counts a batch.
func (m *Metrics) Wrote(s, topic string, written, rejected int, took time.Duration) {
	m.written.WithLabelValues(s, topic).Add(float64(written))
	m.rejected.WithLabelValues(s, topic).Add(float64(rejected))
	m.batches.WithLabelValues(s, topic).Inc()
	m.duration.WithLabelValues(s, topic).Observe(took.Seconds())
}

// StoreFailed counts a failed store call.
func (m *Metrics) StoreFailed(s, topic string, _ error) {
	m.storeErrors.WithLabelValues(s, topic).Inc()
}

// Lag sets a partition's lag.
func (m *Metrics) Lag(s, topic string, partition int32, records int64) {
	m.lag.WithLabelValues(s, topic, strconv.Itoa(int(partition))).Set(float64(records))
}
