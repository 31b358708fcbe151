package ratelimit

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

func at(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }

func validated(t *testing.T, l Limiter) *Limiter {
	t.Helper()
	l = l.WithDefaults()
	if err := l.Validate(); err != nil {
		t.Fatal(err)
	}
	return &l
}

func TestDecide(t *testing.T) {
	type step struct {
		at   int // ms after t0
		want Outcome
		due  int // ms after t0, for Delayed
	}
	tests := []struct {
		name  string
		l     Limiter
		steps []step
	}{
		{"drop: burst then one per interval", Limiter{Limit: Limit{Rate: 2, Burst: 2}}, []step{
			{0, Pass, 0}, {0, Pass, 0}, {0, Dropped, 0}, {499, Dropped, 0}, {500, Pass, 0}, {600, Dropped, 0},
			{1000, Pass, 0}, {5000, Pass, 0}, {5000, Pass, 0}, {5000, Dropped, 0},
		}},
		{"burst defaults to rate", Limiter{Limit: Limit{Rate: 3, Per: time.Minute}}, []step{
			{0, Pass, 0}, {1, Pass, 0}, {2, Pass, 0}, {3, Dropped, 0}, {20_000, Pass, 0}, {20_001, Dropped, 0},
		}},
		{"sample passes every Nth over the limit", Limiter{Limit: Limit{Rate: 1, Burst: 1}, Policy: Sample, SampleEvery: 3}, []step{
			{0, Pass, 0}, {1, Dropped, 0}, {2, Dropped, 0}, {3, Sampled, 0}, {4, Dropped, 0}, {5, Dropped, 0}, {6, Sampled, 0},
			{1000, Pass, 0}, // sampled events take no slot
		}},
		{"delay schedules at the conforming time", Limiter{Limit: Limit{Rate: 1, Burst: 1}, Policy: Delay, MaxDelay: 2 * time.Second}, []step{
			{0, Pass, 0}, {0, Delayed, 1000}, {100, Delayed, 2000},
			{100, Dropped, 0}, // would wait 2.9 s
			{1500, Delayed, 3000}, {6000, Pass, 0},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := validated(t, tt.l)
			var st State
			for i, s := range tt.steps {
				d := l.Decide(&st, at(s.at))
				if d.Outcome != s.want || (s.want == Delayed && !d.Due.Equal(at(s.due))) {
					t.Fatalf("step %d at +%dms: %v due %v, want %v due +%dms", i, s.at, d.Outcome, d.Due.Sub(t0), s.want, s.due)
				}
			}
		})
	}
}

func TestDecideSummaries(t *testing.T) {
	l := validated(t, Limiter{Limit: Limit{Rate: 1, Burst: 1}, SummaryInterval: 10 * time.Second})
	var st State
	var sums []*Summary
	for _, ms := range []int{0, 1000, 1001, 1002, 5000, 5001, 10_999, 11_000, 11_001, 30_000} {
		if d := l.Decide(&st, at(ms)); d.Summary != nil {
			sums = append(sums, d.Summary)
		}
	}
	// One event per second passes: held back are 1001, 1002, 5001 and
	// 11000 (10999 took its slot). The first event at or after 1001+10s,
	// 11001, reports them, and is itself held and reported by 30000.
	if len(sums) != 2 {
		t.Fatalf("%d summaries, want 2: %+v", len(sums), sums)
	}
	if s := sums[0]; s.Suppressed != 4 || !s.Since.Equal(at(1001)) || !s.Until.Equal(at(11_001)) {
		t.Fatalf("first summary %+v, want 4 suppressed from +1001ms until +11001ms", s)
	}
	if s := sums[1]; s.Suppressed != 1 || !s.Since.Equal(at(11_001)) || !s.Until.Equal(at(30_000)) {
		t.Fatalf("second summary %+v", s)
	}
	if st.Suppressed != 0 || !st.Since.IsZero() {
		t.Fatalf("counters not reset: %+v", st)
	}

	off := validated(t, Limiter{Limit: Limit{Rate: 1}, SummaryInterval: -1})
	st = State{}
	for ms := range 100 {
		if d := off.Decide(&st, at(ms*1000/3)); d.Summary != nil {
			t.Fatal("summary with summaries disabled")
		}
	}
}

// TestSummarize: a key that goes quiet is reported by Summarize once the
// interval has passed since its first held-back event, and only then.
func TestSummarize(t *testing.T) {
	l := validated(t, Limiter{Limit: Limit{Rate: 1, Burst: 1}, SummaryInterval: 10 * time.Second})
	var st State
	if _, ok := l.SummaryDue(&st); ok || l.Summarize(&st, at(60_000)) != nil {
		t.Fatal("summary due for a key that held nothing back")
	}
	for _, ms := range []int{0, 100, 200} {
		l.Decide(&st, at(ms))
	}
	due, ok := l.SummaryDue(&st)
	if !ok || !due.Equal(at(10_100)) {
		t.Fatalf("summary due %v (%v), want +10.1 s", due.Sub(t0), ok)
	}
	if l.Summarize(&st, at(10_099)) != nil || st.Suppressed != 2 {
		t.Fatal("summarized before it was due")
	}
	s := l.Summarize(&st, at(12_000))
	if s == nil || s.Suppressed != 2 || !s.Since.Equal(at(100)) || !s.Until.Equal(at(12_000)) {
		t.Fatalf("summary %+v, want 2 suppressed from +100ms until +12s", s)
	}
	if _, ok := l.SummaryDue(&st); ok || st.Suppressed != 0 {
		t.Fatalf("period not reset: %+v", st)
	}
}

func TestDecideAdaptive(t *testing.T) {
	l := validated(t, Limiter{Limit: Limit{Rate: 10, Burst: 1}, Adaptive: &Adaptive{Threshold: 0.5, Factor: 0.1, Smoothing: 1}})
	var st State
	run := func(rate float64, from, n, step int) (passed int, tight bool) {
		for i := range n {
			l.Observe(&st, rate)
			d := l.Decide(&st, at(from+i*step))
			if d.Outcome == Pass {
				passed++
			}
			tight = d.Tightened
		}
		return passed, tight
	}
	// 10/s allows an event every 100 ms; tightened, every second.
	if p, tight := run(0.1, 0, 20, 100); p != 20 || tight {
		t.Fatalf("healthy key: %d of 20 passed (tightened %v), want all", p, tight)
	}
	if p, tight := run(0.9, 10_000, 20, 100); p != 2 || !tight {
		t.Fatalf("failing key: %d of 20 passed over 2 s (tightened %v), want 2", p, tight)
	}
	if p, tight := run(0, 20_000, 20, 100); p != 20 || tight {
		t.Fatalf("recovered key: %d of 20 passed (tightened %v), want all", p, tight)
	}

	st = State{}
	for _, r := range []float64{math.NaN(), -3, 7} {
		l.Observe(&st, r)
	}
	if st.ErrorRate != 1 {
		t.Fatalf("error rate %v after NaN, -3, 7; want 1 (clamped, NaN ignored)", st.ErrorRate)
	}
}

func TestDecideWithoutValidate(t *testing.T) {
	var st State
	var zero Limiter
	for i := range 1000 {
		if d := zero.Decide(&st, at(i)); d.Outcome != Pass {
			t.Fatalf("a zero Limiter held event %d back", i)
		}
	}
	huge := Limiter{Limit: Limit{Rate: 1, Per: 100 * 366 * 24 * time.Hour, Burst: 1 << 30},
		Adaptive: &Adaptive{Threshold: 0.01, Factor: 1e-12}}
	st = State{ErrorRate: 1}
	for i := range 10 {
		huge.Decide(&st, at(i)) // must not panic or overflow into passing everything
	}
}

func TestLimiterValidate(t *testing.T) {
	tests := []struct {
		name string
		l    Limiter
		want string
	}{
		{"no rate", Limiter{}, "Rate 0 must be positive"},
		{"too fast", Limiter{Limit: Limit{Rate: 2, Per: time.Nanosecond}}, "more than one event per nanosecond"},
		{"negative per", Limiter{Limit: Limit{Rate: 2, Per: -time.Second}}, "Limit.Per"},
		{"huge burst", Limiter{Limit: Limit{Rate: 2, Burst: 1 << 30}}, "Limit.Burst"},
		{"unknown policy", Limiter{Limit: Limit{Rate: 2}, Policy: "throttle"}, `Policy "throttle"`},
		{"bad sample", Limiter{Limit: Limit{Rate: 2}, SampleEvery: -1}, "SampleEvery"},
		{"bad factor", Limiter{Limit: Limit{Rate: 2}, Adaptive: &Adaptive{Factor: 2}}, "Factor 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.l.Validate()
			if !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Validate = %v, want ErrInvalidConfig with %q", err, tt.want)
			}
		})
	}
	l := Limiter{Limit: Limit{Rate: 5}, Adaptive: &Adaptive{}}
	l = l.WithDefaults()
	if err := l.Validate(); err != nil {
		t.Fatal(err)
	}
	if l.Limit.Per != DefaultPer || l.Limit.Burst != 5 || l.Policy != Drop || l.SampleEvery != DefaultSampleEvery ||
		l.SummaryInterval != DefaultSummaryInterval || l.Adaptive.Factor != DefaultFactor {
		t.Fatalf("defaults not filled: %+v %+v", l, *l.Adaptive)
	}
}

func TestStateCodec(t *testing.T) {
	var c StateCodec
	for _, st := range []State{
		{},
		{TAT: at(1500).Add(123)},
		{TAT: at(1), Over: 7, Suppressed: 1 << 40, Delayed: 3, Since: at(-5), ErrorRate: 0.25},
		{TAT: at(1), Suppressed: 3, Since: at(0), // with the stage's summary timer
			TimerAt: at(60_000).UnixMilli(), EventAt: at(-600_000).UnixMilli(), SeenAt: at(0).UnixMilli()},
	} {
		b, _ := c.Encode(st)
		got, err := c.Decode(b)
		if err != nil || !got.TAT.Equal(st.TAT) || !got.Since.Equal(st.Since) || got.Over != st.Over ||
			got.Suppressed != st.Suppressed || got.Delayed != st.Delayed || got.ErrorRate != st.ErrorRate ||
			got.TimerAt != st.TimerAt || got.EventAt != st.EventAt || got.SeenAt != st.SeenAt {
			t.Fatalf("round trip of %+v: %+v, %v", st, got, err)
		}
		if len(b) > 40 {
			t.Fatalf("%+v encodes to %d bytes", st, len(b))
		}
	}
	full, _ := c.Encode(State{TAT: at(1), Over: 1, ErrorRate: 0.5})
	for name, b := range map[string][]byte{
		"empty":          nil,
		"bad format":     {9, 0},
		"unknown flag":   {stateFormat, 0x80},
		"truncated":      full[:len(full)-1],
		"trailing":       append(append([]byte{}, full...), 1),
		"rate not in 01": append([]byte{stateFormat, hasErrorRate}, 0, 0, 0, 0, 0, 0, 0xf8, 0x7f), // NaN
	} {
		if _, err := c.Decode(b); !errors.Is(err, errCorrupt) {
			t.Errorf("%s: Decode(%x) = %v, want errCorrupt", name, b, err)
		}
	}
}

func FuzzStateCodec(f *testing.F) {
	b, _ := StateCodec{}.Encode(State{TAT: t0, Over: 2, Suppressed: 3, Since: t0, ErrorRate: 0.3})
	f.Add(b)
	b, _ = StateCodec{}.Encode(State{TAT: t0, Suppressed: 3, Since: t0, TimerAt: 3, EventAt: 1, SeenAt: 2})
	f.Add(b)
	l := Limiter{Limit: Limit{Rate: 10}, Policy: Delay, Adaptive: &Adaptive{}}
	f.Fuzz(func(t *testing.T, data []byte) {
		st, err := StateCodec{}.Decode(data)
		if err != nil {
			return
		}
		again, _ := StateCodec{}.Encode(st)
		if st2, err := (StateCodec{}).Decode(again); err != nil || !st2.TAT.Equal(st.TAT) || st2.Over != st.Over {
			t.Fatalf("round trip of %x: %+v %v", data, st2, err)
		}
		l.Decide(&st, t0)
	})
}
