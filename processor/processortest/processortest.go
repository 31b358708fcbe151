// Package processortest runs a processor.Job in memory, on goka's tester,
// so a job's logic (state, emits, retries, error routing) can be unit-tested
// without Kafka. Events are processed synchronously: Send returns once the
// job, and any retries it caused, have processed the event.
//
// It runs the job on processor.EngineGoka, not on EngineRipple, the
// default in production: goka's tester drives goka's own consumer loop
// only. The job's code is the same on both engines (decoding, schema
// checks, handlers, state codec, emits, retries, error records, timers,
// loopback); what a harness cannot show is EngineRipple's batching: its
// CommitInterval, its state cache, the changelog's batch markers, exact
// state across crashes and Config.ExactlyOnce. Tests of those run on the
// real broker (build tag integration; see internal/jobtest).
package processortest

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/lovoo/goka"
	"github.com/lovoo/goka/tester"

	"github.com/ripplestream/ripple/processor"
)

// Message is one event a job emitted.
type Message struct {
	Key   string
	Value []byte
}

// Harness runs one job in memory for the duration of a test.
type Harness[S any] struct {
	t        testing.TB
	tt       *tester.Tester
	job      processor.Job[S]
	runner   *processor.Runner[S]
	trackers map[processor.Stream]*tester.QueueTracker

	// clock and timers: the harness's processing time and the timers set
	// and not yet fired, in the order they were set.
	clock  time.Time
	timers *tester.QueueTracker
	due    []timer
}

type timer struct {
	key   string
	at    time.Time
	value []byte
}

// New starts job on an in-memory tester. Retries are immediate unless cfg
// sets RetryDelay; cfg needs no Brokers. The job stops when the test ends.
//
// The harness keeps its own processing-time clock (Context.Now), which
// starts at cfg.Now() (default: the current time, truncated to the second)
// and moves only with Advance; timers fire when Send or Advance finds them
// due.
func New[S any](t testing.TB, job processor.Job[S], cfg processor.Config) *Harness[S] {
	t.Helper()
	tt := tester.New(t)
	cfg.GokaOptions = append(cfg.GokaOptions, goka.WithTester(tt))
	if cfg.RetryDelay == 0 {
		cfg.RetryDelay, cfg.MaxRetryDelay = time.Nanosecond, time.Nanosecond
	}
	h := &Harness[S]{t: t, tt: tt, job: job, trackers: map[processor.Stream]*tester.QueueTracker{}}
	if cfg.Now != nil {
		h.clock = cfg.Now()
	} else {
		h.clock = time.Now().UTC().Truncate(time.Second)
	}
	cfg.Now = h.Now
	cfg.ExternalTimers = true
	r, err := processor.NewRunner(job, cfg)
	if err != nil {
		t.Fatalf("processortest: %v", err)
	}
	h.runner = r
	rn := processor.StartRunner(context.Background(), r)
	t.Cleanup(func() {
		if err := rn.Stop(); err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("processortest: job %s: %v", job.Name, err)
		}
	})
	// goka's tester knows a topic only once the processor that reads it
	// exists: wait for the job to be ready before anything is sent.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := rn.WaitReady(ctx); err != nil {
		t.Fatalf("processortest: %v", err)
	}
	for _, out := range job.Outputs {
		h.track(out.Stream())
	}
	h.track(ErrorStream(job.Name))
	if job.Timer != nil {
		h.timers = tt.NewQueueTracker(string(processor.TimerStream(job.Name)))
	}
	return h
}

// Now returns the harness clock: the processing time handlers see.
func (h *Harness[S]) Now() time.Time { return h.clock }

// Advance moves the harness clock by d and fires, in order, every timer
// that is then due, including those the fired timers set.
func (h *Harness[S]) Advance(d time.Duration) {
	h.t.Helper()
	h.clock = h.clock.Add(d)
	h.fireDue()
}

// Timers returns how many timers are set and not yet fired.
func (h *Harness[S]) Timers() int {
	h.collectTimers()
	return len(h.due)
}

func (h *Harness[S]) collectTimers() {
	if h.timers == nil {
		return
	}
	for {
		key, value, ok := h.timers.NextRaw()
		if !ok {
			return
		}
		var rec processor.TimerRecord
		if err := json.Unmarshal(value, &rec); err != nil {
			h.t.Fatalf("processortest: timer record %q: %v", value, err)
		}
		h.due = append(h.due, timer{key: key, at: rec.DueAt, value: value})
	}
}

// fireDue delivers due timers one at a time, earliest first, until none is
// due; a timer may set more.
func (h *Harness[S]) fireDue() {
	h.t.Helper()
	ready := string(processor.TimerStream(h.job.Name)) + ".ready"
	for {
		h.collectTimers()
		next := -1
		for i, tm := range h.due {
			if !tm.at.After(h.clock) && (next < 0 || tm.at.Before(h.due[next].at)) {
				next = i
			}
		}
		if next < 0 {
			return
		}
		tm := h.due[next]
		h.due = append(h.due[:next], h.due[next+1:]...)
		h.tt.Consume(ready, tm.key, tm.value)
	}
}

// ErrorStream returns the name of a job's error topic.
func ErrorStream(job processor.Group) processor.Stream {
	return processor.Stream(string(job) + ".error")
}

func (h *Harness[S]) track(s processor.Stream) {
	h.trackers[s] = h.tt.NewQueueTracker(string(s))
}

// Send delivers one event to the job's input stream and waits until it, and
// everything it caused (retries included), has been processed.
func (h *Harness[S]) Send(stream processor.Stream, key string, value []byte) {
	h.t.Helper()
	h.tt.Consume(string(stream), key, value)
	h.fireDue()
}

// SendJSON encodes v as JSON and sends it.
func (h *Harness[S]) SendJSON(stream processor.Stream, key string, v any) {
	h.t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		h.t.Fatalf("processortest: encoding %T: %v", v, err)
	}
	h.Send(stream, key, b)
}

// Output returns the events emitted to stream since the last call.
func (h *Harness[S]) Output(stream processor.Stream) []Message {
	h.t.Helper()
	tr, ok := h.trackers[stream]
	if !ok {
		h.t.Fatalf("processortest: %s is not an output of job %s", stream, h.job.Name)
	}
	var out []Message
	for {
		key, value, ok := tr.NextRaw()
		if !ok {
			return out
		}
		out = append(out, Message{Key: key, Value: value})
	}
}

// Errors returns the records written to the job's error topic since the
// last call.
func (h *Harness[S]) Errors() []processor.ErrorRecord {
	h.t.Helper()
	var recs []processor.ErrorRecord
	for _, m := range h.Output(ErrorStream(h.job.Name)) {
		var rec processor.ErrorRecord
		if err := json.Unmarshal(m.Value, &rec); err != nil {
			h.t.Fatalf("processortest: error record %q: %v", m.Value, err)
		}
		recs = append(recs, rec)
	}
	return recs
}

// State returns the key's state and whether it exists.
func (h *Harness[S]) State(key string) (S, bool) {
	h.t.Helper()
	var zero S
	if h.job.State == nil {
		h.t.Fatalf("processortest: job %s is stateless", h.job.Name)
	}
	v := h.tt.TableValue(goka.GroupTable(goka.Group(h.job.Name)), key)
	b, _ := v.([]byte)
	if b == nil {
		return zero, false
	}
	s, err := h.job.State.Decode(b)
	if err != nil {
		h.t.Fatalf("processortest: state of %q: %v", key, err)
	}
	return s, true
}

// Keys returns the keys that have state.
func (h *Harness[S]) Keys() []string {
	return h.tt.GetTableKeys(goka.GroupTable(goka.Group(h.job.Name)))
}
