package intake

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the intake's Prometheus metrics. Labels stay bounded: the
// stream label is a declared stream or "".
type metrics struct {
	events   *prometheus.CounterVec
	requests *prometheus.CounterVec
	duration prometheus.Histogram
	batch    prometheus.Histogram
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ripple_intake_events_total",
			Help: "Events posted to the intake, by stream (a declared one, or empty) and outcome: accepted, unsampled, invalid or error.",
		}, []string{"stream", "outcome"}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ripple_intake_requests_total",
			Help: "Requests to /v1/events, by HTTP status code.",
		}, []string{"code"}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "ripple_intake_request_duration_seconds",
			Help:    "Time from a request to /v1/events to its answer (after the brokers acknowledged its events, unless hasty).",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 16),
		}),
		batch: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "ripple_intake_request_events",
			Help:    "Events per request to /v1/events.",
			Buckets: prometheus.ExponentialBuckets(1, 4, 8),
		}),
	}
	cs := []prometheus.Collector{m.events, m.requests, m.duration, m.batch}
	for i, c := range cs {
		if err := reg.Register(c); err != nil {
			// None or all: a failed New leaves reg as it found it.
			for _, r := range cs[:i] {
				reg.Unregister(r)
			}
			return nil, err
		}
	}
	return m, nil
}

func (m *metrics) request(code int) { m.requests.WithLabelValues(strconv.Itoa(code)).Inc() }
