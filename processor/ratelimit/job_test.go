package ratelimit_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/processor/processortest"
	"github.com/ripplestream/ripple/processor/ratelimit"
)

const (
	in      processor.Stream = "client_errors"
	out     processor.Stream = "client_errors.limited"
	delayed processor.Stream = "client_errors.delayed"
	sums    processor.Stream = "client_errors.summaries"
)

type fakeClock struct{ ms atomic.Int64 }

func newClock() *fakeClock {
	c := &fakeClock{}
	c.ms.Store(time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC).UnixMilli())
	return c
}
func (c *fakeClock) now() time.Time      { return time.UnixMilli(c.ms.Load()).UTC() }
func (c *fakeClock) add(d time.Duration) { c.ms.Add(d.Milliseconds()) }

func ev(n int) []byte {
	return fmt.Appendf(nil, `{"meta":{"stream":"client_errors","id":"e%d"},"n":%d}`, n, n)
}

func start(t testing.TB, cfg ratelimit.Config) *processortest.Harness[ratelimit.State] {
	t.Helper()
	cfg.Name, cfg.Input, cfg.Output = "ratelimit-test", in, out
	job, err := ratelimit.Job(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return processortest.New(t, job, processor.Config{})
}

func keyed(ms []processortest.Message) string {
	var s []string
	for _, m := range ms {
		var v struct{ N int }
		_ = json.Unmarshal(m.Value, &v)
		s = append(s, fmt.Sprintf("%s:%d", m.Key, v.N))
	}
	return strings.Join(s, " ")
}

func TestJobDropsPerKey(t *testing.T) {
	clock := newClock()
	h := start(t, ratelimit.Config{Clock: clock.now, Limiter: ratelimit.Limiter{Limit: ratelimit.Limit{Rate: 2, Burst: 2}}})
	for i := range 5 {
		h.Send(in, "A", ev(i))
	}
	h.Send(in, "B", ev(5))
	clock.add(500 * time.Millisecond)
	h.Send(in, "A", ev(6))
	h.Send(in, "A", ev(7))
	if got, want := keyed(h.Output(out)), "A:0 A:1 B:5 A:6"; got != want {
		t.Fatalf("output %q, want %q", got, want)
	}
	st, _ := h.State("A")
	if st.Suppressed != 4 {
		t.Fatalf("state of A counts %d suppressed, want 4", st.Suppressed)
	}
}

func TestJobSampleAndSummaries(t *testing.T) {
	clock := newClock()
	h := start(t, ratelimit.Config{Clock: clock.now, SummaryOutput: sums, Limiter: ratelimit.Limiter{
		Limit: ratelimit.Limit{Rate: 1, Burst: 1}, Policy: ratelimit.Sample, SampleEvery: 3, SummaryInterval: time.Minute}})
	for i := range 10 { // 1 passes, 9 over: 3 sampled, 6 suppressed
		h.Send(in, "K", ev(i))
		clock.add(time.Millisecond)
	}
	if got, want := keyed(h.Output(out)), "K:0 K:3 K:6 K:9"; got != want {
		t.Fatalf("output %q, want %q", got, want)
	}
	if s := h.Output(sums); len(s) != 0 {
		t.Fatalf("summary before the interval: %s", s[0].Value)
	}
	clock.add(time.Minute)
	h.Send(in, "K", ev(10))
	s := h.Output(sums)
	if len(s) != 1 || s[0].Key != "K" {
		t.Fatalf("want one summary for K, got %v", s)
	}
	var sum ratelimit.SummaryEvent
	if err := json.Unmarshal(s[0].Value, &sum); err != nil {
		t.Fatal(err)
	}
	if sum.Suppressed != 6 || sum.Key != "K" || sum.Policy != ratelimit.Sample || sum.Schema != ratelimit.SummarySchema ||
		sum.Meta.Stream != string(sums) || sum.Meta.ID == "" || !strings.HasPrefix(sum.Message, `suppressed 6 and delayed 0 events for key "K" in 1m0.`) {
		t.Fatalf("summary %s", s[0].Value)
	}
	if got := keyed(h.Output(out)); got != "K:10" {
		t.Fatalf("the event that brought the summary: output %q", got)
	}
}

// TestJobDelayAndRelease covers the Delay policy with a DelayOutput: the
// stage writes held events to it, and a Release job forwards them.
func TestJobDelayAndRelease(t *testing.T) {
	clock := newClock()
	h := start(t, ratelimit.Config{Clock: clock.now, DelayOutput: delayed, Limiter: ratelimit.Limiter{
		Limit: ratelimit.Limit{Rate: 1, Burst: 1}, Policy: ratelimit.Delay, MaxDelay: 2 * time.Second}})
	for i := range 4 {
		h.Send(in, "K", ev(i))
	}
	if got := keyed(h.Output(out)); got != "K:0" {
		t.Fatalf("output %q, want only the first event", got)
	}
	held := h.Output(delayed)
	if len(held) != 2 { // the 4th would wait 3 s > MaxDelay
		t.Fatalf("%d delayed records, want 2", len(held))
	}
	for i, m := range held {
		var d ratelimit.DelayedEvent
		if err := json.Unmarshal(m.Value, &d); err != nil {
			t.Fatal(err)
		}
		if want := clock.now().Add(time.Duration(i+1) * time.Second); m.Key != "K" || !d.DueAt.Equal(want) || string(d.Event) != string(ev(i+1)) {
			t.Fatalf("delayed record %d: key %s due %v event %s, want due %v", i, m.Key, d.DueAt, d.Event, want)
		}
	}

	// The release job: the first record is due (Now is past it), the second
	// is 100 ms away in real time and must be waited for.
	real0 := time.Now()
	due := []time.Time{real0.Add(-time.Second), real0.Add(100 * time.Millisecond)}
	job, err := ratelimit.Release(ratelimit.ReleaseConfig{Name: "release-test", Input: delayed, Output: out})
	if err != nil {
		t.Fatal(err)
	}
	r := processortest.New(t, job, processor.Config{})
	for i, m := range held {
		var d ratelimit.DelayedEvent
		_ = json.Unmarshal(m.Value, &d)
		d.DueAt = due[i]
		r.SendJSON(delayed, m.Key, d)
	}
	if waited := time.Since(real0); waited < 100*time.Millisecond {
		t.Fatalf("released after %v, before the second was due", waited)
	}
	if got := keyed(r.Output(out)); got != "K:1 K:2" {
		t.Fatalf("released %q, want K:1 K:2", got)
	}
	r.Send(delayed, "K", []byte(`{"due_at":"2026-11-01T00:00:00Z"}`))
	r.Send(delayed, "K", []byte(`{"due_at":3}`))
	errs := r.Errors()
	if len(errs) != 2 || !strings.Contains(errs[0].Message, "holds no event") || errs[1].ErrorType != "decode" {
		t.Fatalf("release errors %+v", errs)
	}
}

func TestJobAdaptive(t *testing.T) {
	clock := newClock()
	h := start(t, ratelimit.Config{Clock: clock.now, ErrorRate: ratelimit.Field("stats", "error_rate"),
		Limiter: ratelimit.Limiter{Limit: ratelimit.Limit{Rate: 10, Burst: 1},
			Adaptive: &ratelimit.Adaptive{Threshold: 0.5, Factor: 0.1, Smoothing: 1}}})
	send := func(key string, rate float64, n int) int {
		for i := range n {
			h.Send(in, key, fmt.Appendf(nil, `{"n":%d,"stats":{"error_rate":%v}}`, i, rate))
			clock.add(100 * time.Millisecond)
		}
		return len(h.Output(out))
	}
	if got := send("healthy", 0.01, 20); got != 20 {
		t.Fatalf("healthy key: %d of 20 passed at its rate", got)
	}
	if got := send("failing", 0.9, 20); got != 2 {
		t.Fatalf("failing key: %d of 20 passed in 2 s, want 2 (limit tightened tenfold)", got)
	}
}

func TestJobBadInput(t *testing.T) {
	h := start(t, ratelimit.Config{ErrorRate: ratelimit.Field("error_rate"), MaxEventBytes: 2 << 20,
		Limiter: ratelimit.Limiter{Limit: ratelimit.Limit{Rate: 1000}, Adaptive: &ratelimit.Adaptive{}}})
	huge := `{"error_rate":0,"pad":"` + strings.Repeat("x", 10<<20) + `"}`
	cases := []struct{ name, value, want string }{
		{"not json", `{"error_rate":`, "not a JSON object"},
		{"array", `[1]`, "not a JSON object"},
		{"invalid UTF-8", "{\"error_rate\":0,\"m\":\"\xff\"}", "not valid UTF-8"},
		{"10 MB", huge, "event too large: 10485785 bytes, limit 2097152"},
		{"missing field", `{"rate":0.5}`, "event has no field error_rate"},
		{"string field", `{"error_rate":"high"}`, `field error_rate is "high"`},
		{"out of range", `{"error_rate":1.5}`, "not a number in [0, 1]: 1.5"},
	}
	for _, c := range cases {
		h.Send(in, "k-"+c.name, []byte(c.value))
	}
	h.Send(in, "k", []byte(`{"error_rate":0.2}`))
	if got := h.Output(out); len(got) != 1 {
		t.Fatalf("%d events passed, want only the valid one", len(got))
	}
	errs := h.Errors()
	if len(errs) != len(cases) {
		t.Fatalf("%d error records, want %d", len(errs), len(cases))
	}
	for i, c := range cases {
		if e := errs[i]; !strings.Contains(e.Message, c.want) || e.Key != "k-"+c.name || e.Attempts != 1 || !strings.Contains(e.Message, "stream client_errors") {
			t.Errorf("%s: error record %q (key %s, %d attempts), want a first-attempt message with %q", c.name, e.Message, e.Key, e.Attempts, c.want)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	base := ratelimit.Config{Name: "rl", Input: "a", Output: "b", Limiter: ratelimit.Limiter{Limit: ratelimit.Limit{Rate: 5}}}
	rate := ratelimit.Field("r")
	tests := []struct {
		name   string
		change func(*ratelimit.Config)
		want   string
	}{
		{"ok", func(*ratelimit.Config) {}, ""},
		{"no name", func(c *ratelimit.Config) { c.Name = "" }, "all required"},
		{"output is input", func(c *ratelimit.Config) { c.Output = "a" }, `Input and Output are both "a"`},
		{"summary is output", func(c *ratelimit.Config) { c.SummaryOutput = "b" }, "Output and SummaryOutput"},
		{"no rate", func(c *ratelimit.Config) { c.Limiter.Limit.Rate = 0 }, "Rate 0"},
		{"delay by timers", func(c *ratelimit.Config) { c.Limiter.Policy = ratelimit.Delay }, ""},
		{"delay to a stream", func(c *ratelimit.Config) { c.Limiter.Policy, c.DelayOutput = ratelimit.Delay, "d" }, ""},
		{"stream without delay", func(c *ratelimit.Config) { c.DelayOutput = "d" }, "DelayOutput"},
		{"adaptive without rate", func(c *ratelimit.Config) { c.Limiter.Adaptive = &ratelimit.Adaptive{} }, "go together"},
		{"rate without adaptive", func(c *ratelimit.Config) { c.ErrorRate = rate }, "go together"},
		{"negative size", func(c *ratelimit.Config) { c.MaxEventBytes = -1 }, "MaxEventBytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := base
			tt.change(&c)
			_, err := ratelimit.Job(c)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, ratelimit.ErrInvalidConfig) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Job = %v, want ErrInvalidConfig with %q", err, tt.want)
			}
		})
	}
	if _, err := ratelimit.Release(ratelimit.ReleaseConfig{Name: "r", Input: "d", Output: "d"}); !errors.Is(err, ratelimit.ErrInvalidConfig) {
		t.Fatalf("Release accepted Input == Output: %v", err)
	}
}
