package prommetrics_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/processor/processortest"
	"github.com/ripplestream/ripple/processor/prommetrics"
)

type ev struct {
	N int `json:"n"`
}

func TestMetricsCountOutcomes(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := prommetrics.New(reg)
	if err != nil {
		t.Fatal(err)
	}
	job := processor.Job[int]{
		Name:  "metered",
		State: event.JSON[int]{},
		Inputs: []processor.Input[int]{processor.On("in", event.JSON[ev]{},
			func(c *processor.Context[int], key string, e ev) error {
				if e.N < 0 {
					return errors.New("negative")
				}
				return c.SetState(e.N)
			})},
	}
	h := processortest.New(t, job, processor.Config{MaxRetries: 1, Hooks: []processor.Hook{m}})
	h.SendJSON("in", "a", ev{N: 1})
	h.SendJSON("in", "a", ev{N: 2})
	h.SendJSON("in", "b", ev{N: -1})
	h.Send("in", "c", []byte("not json"))

	body := scrape(t, prommetrics.Handler(reg), "/metrics", http.StatusOK)
	for _, want := range []string{
		`ripple_events_total{job="metered",kind="",outcome="ok",stream="in"} 2`,
		`ripple_events_total{job="metered",kind="handler",outcome="retry",stream="in"} 1`,
		`ripple_events_total{job="metered",kind="handler",outcome="error",stream="in"} 1`,
		`ripple_events_total{job="metered",kind="decode",outcome="error",stream="in"} 1`,
		`ripple_handler_duration_seconds_count{job="metered",stream="in"} 5`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

type probe struct {
	ready bool
	err   error
}

func (p probe) Ready() bool    { return p.ready }
func (p probe) Healthy() error { return p.err }

func TestHealthEndpoints(t *testing.T) {
	reg := prometheus.NewRegistry()
	scrape(t, prommetrics.Handler(reg, probe{ready: true}), "/readyz", http.StatusOK)
	scrape(t, prommetrics.Handler(reg, probe{ready: true}), "/healthz", http.StatusOK)
	scrape(t, prommetrics.Handler(reg, probe{ready: false}), "/readyz", http.StatusServiceUnavailable)
	body := scrape(t, prommetrics.Handler(reg, probe{ready: true, err: errors.New("broker gone")}), "/healthz", http.StatusServiceUnavailable)
	if !strings.Contains(body, "broker gone") {
		t.Errorf("/healthz does not say why: %q", body)
	}
	body = scrape(t, prommetrics.Handler(reg, waitingProbe{probe{}, "engine: waiting for Kafka"}), "/readyz", http.StatusServiceUnavailable)
	if !strings.Contains(body, "waiting for Kafka") {
		t.Errorf("/readyz does not say what the job waits for: %q", body)
	}
}

// waitingProbe is a probe that says what it waits for, as processor.Runner
// does.
type waitingProbe struct {
	probe
	why string
}

func (w waitingProbe) Waiting() string { return w.why }

func scrape(t *testing.T, h http.Handler, path string, status int) string {
	t.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	resp, err := http.Get(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != status {
		t.Fatalf("GET %s = %d, want %d: %s", path, resp.StatusCode, status, b)
	}
	return string(b)
}

// TestPartitionsMovedAwayLeaveNoSeries: after a rebalance takes partition
// 1 away, its lag and recovery gauges are gone and partition 0's stay.
func TestPartitionsMovedAwayLeaveNoSeries(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := prommetrics.New(reg)
	if err != nil {
		t.Fatal(err)
	}
	var _ processor.PartitionSetHook = m
	sample := func(parts ...int32) {
		for _, p := range parts {
			m.OnPartition(processor.PartitionInfo{Job: "j", Partition: p, Lag: map[processor.Stream]int64{"in": 7}, RecoveryLag: 3})
		}
		m.OnPartitions("j", parts)
	}
	sample(0, 1)
	sample(0)
	body := scrape(t, prommetrics.Handler(reg), "/metrics", http.StatusOK)
	for _, want := range []string{
		`ripple_consumer_lag_events{job="j",partition="0",stream="in"} 7`,
		`ripple_state_recovery_remaining_records{job="j",partition="0"} 3`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if strings.Contains(body, `partition="1"`) {
		t.Errorf("/metrics still has partition 1 after it moved away:\n%s", body)
	}
}
