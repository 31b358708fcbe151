package ratelimit_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/ripplestream/ripple/processor/ratelimit"
)

// TestJobDelayByTimer: without a DelayOutput, the stage holds delayed
// events in timers and emits them to its output when due, in processing
// time, with no further event.
func TestJobDelayByTimer(t *testing.T) {
	clock := newClock() // the record timestamps: all four events at once
	h := start(t, ratelimit.Config{Clock: clock.now, Limiter: ratelimit.Limiter{
		Limit: ratelimit.Limit{Rate: 1, Burst: 1}, Policy: ratelimit.Delay, MaxDelay: 2 * time.Second}})
	for i := range 4 {
		h.Send(in, "K", ev(i))
	}
	if got := keyed(h.Output(out)); got != "K:0" {
		t.Fatalf("output %q, want only the first event", got)
	}
	if n := h.Timers(); n != 2 { // the 4th would wait 3 s > MaxDelay: dropped
		t.Fatalf("%d timers, want 2 held events", n)
	}
	h.Advance(999 * time.Millisecond)
	if got := keyed(h.Output(out)); got != "" {
		t.Fatalf("released %q before it was due", got)
	}
	h.Advance(time.Millisecond)
	if got := keyed(h.Output(out)); got != "K:1" {
		t.Fatalf("at +1 s released %q, want K:1", got)
	}
	h.Advance(time.Second)
	if got := keyed(h.Output(out)); got != "K:2" || h.Timers() != 0 {
		t.Fatalf("at +2 s released %q with %d timers left, want K:2 and none", got, h.Timers())
	}
	if st, _ := h.State("K"); st.Delayed != 2 || st.Suppressed != 1 {
		t.Fatalf("state counts %d delayed and %d suppressed, want 2 and 1", st.Delayed, st.Suppressed)
	}
}

// TestJobSummaryByTimer: a key that goes quiet still gets its summary, by
// a timer, once SummaryInterval has passed since its first held-back
// event; a busy key has one summary timer at a time, and each held-back
// event is reported once, by an event or by the timer.
func TestJobSummaryByTimer(t *testing.T) {
	h := start(t, ratelimit.Config{SummaryOutput: sums, Limiter: ratelimit.Limiter{
		Limit: ratelimit.Limit{Rate: 1, Burst: 1}, Policy: ratelimit.Sample, SampleEvery: 3, SummaryInterval: time.Minute}})
	for i := range 10 { // 1 passes, 9 over: 3 sampled, 6 suppressed
		h.Send(in, "K", ev(i))
		h.Advance(time.Millisecond)
	}
	if n := h.Timers(); n != 1 {
		t.Fatalf("%d timers for one key, want 1", n)
	}
	h.Advance(time.Minute - 10*time.Millisecond)
	if s := h.Output(sums); len(s) != 0 {
		t.Fatalf("summary before the interval: %s", s[0].Value)
	}
	h.Advance(time.Millisecond) // a minute after the first held-back event, at +1 ms
	s := h.Output(sums)
	if len(s) != 1 {
		t.Fatalf("%d summaries of the quiet key, want 1", len(s))
	}
	var sum ratelimit.SummaryEvent
	if err := json.Unmarshal(s[0].Value, &sum); err != nil {
		t.Fatal(err)
	}
	first := h.Now().Add(-time.Minute)
	if sum.Key != "K" || sum.Suppressed != 6 || !sum.Since.Equal(first) || !sum.Until.Equal(h.Now()) ||
		!strings.HasPrefix(sum.Message, `suppressed 6 and delayed 0 events for key "K" in 1m0s`) {
		t.Fatalf("summary %s, want 6 suppressed from %v to %v", s[0].Value, first, h.Now())
	}
	st, _ := h.State("K")
	if h.Timers() != 0 || st.Suppressed != 0 || st.TimerAt != 0 || st.SeenAt != 0 {
		t.Fatalf("after the summary: %d timers, state %+v; want none and a state without timer", h.Timers(), st)
	}

	// A busy key over its limit for five minutes, one event a second:
	// every held-back event is reported once, with one timer at a time.
	var reported, held int64
	for i := range 300 {
		h.Send(in, "B", ev(i))
		if n := h.Timers(); n > 1 {
			t.Fatalf("%d timers pending for one key", n)
		}
		h.Advance(500 * time.Millisecond)
		h.Send(in, "B", ev(i))
		h.Advance(500 * time.Millisecond)
	}
	h.Advance(time.Minute) // the last period, reported by the timer
	for _, m := range h.Output(sums) {
		var sum ratelimit.SummaryEvent
		if err := json.Unmarshal(m.Value, &sum); err != nil {
			t.Fatal(err)
		}
		reported += sum.Suppressed
	}
	passed := int64(len(h.Output(out))) - 4 // K's sampled events
	held = 600 - passed
	if reported != held || h.Timers() != 0 {
		t.Fatalf("summaries report %d suppressed of %d held back; %d timers left", reported, held, h.Timers())
	}
}

// TestJobTimersShareAHorizon: with the Delay policy, summary timers are set
// at most MaxDelay ahead (in steps until the summary is due), so they never
// hold up the release of a delayed event set after them.
func TestJobTimersShareAHorizon(t *testing.T) {
	h := start(t, ratelimit.Config{SummaryOutput: sums, Limiter: ratelimit.Limiter{
		Limit: ratelimit.Limit{Rate: 1, Burst: 1}, Policy: ratelimit.Delay, MaxDelay: 2 * time.Second,
		SummaryInterval: 10 * time.Second}})
	h.Send(in, "K", ev(0))
	h.Send(in, "K", ev(1)) // held 1 s; the summary timer is set 2 s ahead, not 10
	st, _ := h.State("K")
	if ahead := time.UnixMilli(st.TimerAt).Sub(h.Now()); ahead != 2*time.Second {
		t.Fatalf("summary timer set %v ahead, want the 2 s horizon", ahead)
	}
	h.Send(in, "K", ev(2)) // held 2 s
	h.Advance(time.Second)
	if got := keyed(h.Output(out)); got != "K:0 K:1" {
		t.Fatalf("output %q at +1 s, want K:0 K:1", got)
	}
	for range 9 {
		h.Advance(time.Second)
	}
	if got := keyed(h.Output(out)); got != "K:2" {
		t.Fatalf("output %q, want K:2 released", got)
	}
	s := h.Output(sums)
	if len(s) != 1 || !strings.Contains(string(s[0].Value), `"delayed":2`) || h.Timers() != 0 {
		t.Fatalf("summaries %q, %d timers left; want one reporting 2 delayed, none left", s, h.Timers())
	}
}
