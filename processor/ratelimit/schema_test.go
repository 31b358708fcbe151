package ratelimit_test

import (
	"encoding/json"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/internal/schematest"
	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/processor/processortest"
	"github.com/ripplestream/ripple/processor/ratelimit"
)

// TestSummarySchema runs the stage on the in-memory harness and checks that
// the summaries it emits, brought by an event and by a timer, match
// ripple/ratelimit/summary: 1.0.0, the schema their $schema names, and
// current.yaml alike; and that the schema refuses broken ones where they are
// broken.
func TestSummarySchema(t *testing.T) {
	repo, current := schemaRepo(t, "ratelimit/summary")
	const input, output, summaries processor.Stream = "schema.in", "schema.out", "schema.summaries"
	newJob := func(cfg ratelimit.Config) *processortest.Harness[ratelimit.State] {
		t.Helper()
		cfg.Name, cfg.Input, cfg.Output, cfg.SummaryOutput = "ratelimit-schema-test", input, output, summaries
		job, err := ratelimit.Job(cfg)
		if err != nil {
			t.Fatal(err)
		}
		return processortest.New(t, job, processor.Config{})
	}
	var emitted [][]byte
	collect := func(h *processortest.Harness[ratelimit.State]) {
		t.Helper()
		if errs := h.Errors(); len(errs) != 0 {
			t.Fatalf("errors: %+v", errs)
		}
		for _, m := range h.Output(summaries) {
			emitted = append(emitted, m.Value)
		}
	}

	// Drop, on the stage's clock: the summary comes with the key's next
	// event once the interval has passed.
	var ms atomic.Int64
	ms.Store(time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC).UnixMilli())
	h := newJob(ratelimit.Config{Clock: func() time.Time { return time.UnixMilli(ms.Load()).UTC() },
		Limiter: ratelimit.Limiter{Limit: ratelimit.Limit{Rate: 1, Burst: 1}, SummaryInterval: time.Minute}})
	for i := range 5 {
		h.Send(input, "K", schemaEvent(i))
	}
	ms.Add(time.Minute.Milliseconds())
	h.Send(input, "K", schemaEvent(5))
	collect(h)

	// Delay, on record timestamps: the key goes quiet, and a timer brings
	// its summary.
	h = newJob(ratelimit.Config{Limiter: ratelimit.Limiter{Limit: ratelimit.Limit{Rate: 1, Burst: 1},
		Policy: ratelimit.Delay, MaxDelay: 2 * time.Second, SummaryInterval: 10 * time.Second}})
	for i := range 3 {
		h.Send(input, "Q", schemaEvent(i))
	}
	for range 12 {
		h.Advance(time.Second)
	}
	collect(h)

	if len(emitted) != 2 {
		t.Fatalf("%d summaries emitted, want one per policy", len(emitted))
	}
	for i, b := range emitted {
		if err := repo.Validate(b); err != nil {
			t.Errorf("summary %d: %v\n%s", i, err, b)
		}
		if err := current.Validate(b); err != nil {
			t.Errorf("summary %d against current.yaml: %v", i, err)
		}
	}
	var drop, delay ratelimit.SummaryEvent
	if err := json.Unmarshal(emitted[0], &drop); err != nil || drop.Policy != ratelimit.Drop || drop.Suppressed != 4 {
		t.Errorf("first summary (%v): %s, want 4 dropped", err, emitted[0])
	}
	if err := json.Unmarshal(emitted[1], &delay); err != nil || delay.Policy != ratelimit.Delay || delay.Delayed != 2 {
		t.Errorf("second summary (%v): %s, want 2 delayed", err, emitted[1])
	}

	for _, tt := range []struct {
		name   string
		change func(m map[string]any)
		path   string
	}{
		{"unknown policy", func(m map[string]any) { m["policy"] = "throttle" }, "/policy"},
		{"negative count", func(m map[string]any) { m["suppressed"] = -1 }, "/suppressed"},
		{"fractional count", func(m map[string]any) { m["delayed"] = 0.5 }, "/delayed"},
		{"since not a time", func(m map[string]any) { m["since"] = "a minute ago" }, "/since"},
		{"no until", func(m map[string]any) { delete(m, "until") }, "/until"},
		{"empty message", func(m map[string]any) { m["message"] = "" }, "/message"},
		{"no dt", func(m map[string]any) { delete(m, "dt") }, "/dt"},
		{"root event", func(m map[string]any) {
			m["root_event"] = map[string]any{"signature": "x", "dt": "2026-11-01T12:00:00Z"}
		}, "/root_event"},
	} {
		schematest.Violation(t, repo, tt.name, schematest.Mutate(t, emitted[0], tt.change), tt.path)
	}
}

// TestDelayedSchema runs the stage with a DelayOutput on the in-memory
// harness and checks that the records it writes there match
// ripple/ratelimit/delayed, 1.0.0 and current.yaml alike; and that the schema
// refuses broken ones where they are broken.
func TestDelayedSchema(t *testing.T) {
	repo, current := schemaRepo(t, "ratelimit/delayed")
	const input, output, held processor.Stream = "schema.in", "schema.out", "schema.delayed"
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	job, err := ratelimit.Job(ratelimit.Config{Name: "ratelimit-schema-test", Input: input, Output: output, DelayOutput: held,
		Clock:   func() time.Time { return now },
		Limiter: ratelimit.Limiter{Limit: ratelimit.Limit{Rate: 1, Burst: 1}, Policy: ratelimit.Delay, MaxDelay: 2 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	h := processortest.New(t, job, processor.Config{})
	for i := range 3 {
		h.Send(input, "K", schemaEvent(i))
	}
	if errs := h.Errors(); len(errs) != 0 {
		t.Fatalf("errors: %+v", errs)
	}
	records := h.Output(held)
	if len(records) != 2 {
		t.Fatalf("%d delayed records, want 2", len(records))
	}
	for i, m := range records {
		if err := repo.Validate(m.Value); err != nil {
			t.Errorf("record %d: %v\n%s", i, err, m.Value)
		}
		if err := current.Validate(m.Value); err != nil {
			t.Errorf("record %d against current.yaml: %v", i, err)
		}
	}

	for _, tt := range []struct {
		name   string
		change func(m map[string]any)
		path   string
	}{
		{"event as a string", func(m map[string]any) { m["event"] = `{"n":1}` }, "/event"},
		{"no due_at", func(m map[string]any) { delete(m, "due_at") }, "/due_at"},
		{"due_at not a time", func(m map[string]any) { m["due_at"] = 1762000000 }, "/due_at"},
		{"meta.dt not a time", func(m map[string]any) { m["meta"].(map[string]any)["dt"] = "now" }, "/meta/dt"},
		{"an event time", func(m map[string]any) { m["dt"] = "2026-11-01T12:00:00Z" }, "/dt"},
	} {
		schematest.Violation(t, repo, tt.name, schematest.Mutate(t, records[0].Value, tt.change), tt.path)
	}
}

// schemaRepo opens the project's schema repository and checks that the
// ripple title has exactly version 1.0.0 and a current.yaml, which it
// returns compiled.
func schemaRepo(t *testing.T, title string) (*event.Repository, *event.Schema) {
	t.Helper()
	repo := schematest.Repository(t)
	title = "ripple/" + title
	if v := repo.Versions(title); fmt.Sprint(v) != "[1.0.0]" || !repo.HasCurrent(title) {
		t.Fatalf("%s: versions %v, current %v", title, v, repo.HasCurrent(title))
	}
	current, err := repo.Schema("/" + title + "/current")
	if err != nil {
		t.Fatal(err)
	}
	return repo, current
}

// schemaEvent returns the n-th input event.
func schemaEvent(n int) []byte {
	return fmt.Appendf(nil, `{"meta":{"stream":"schema.in","id":"e%d"},"n":%d}`, n, n)
}
