package window_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/ripplestream/ripple/processor/window"
)

// ids is an aggregator that collects event numbers, so a test can check
// exactly which events each window holds.
type ids struct{}

func (ids) Zero() []int                { return nil }
func (ids) Add(acc []int, v int) []int { return append(acc, v) }
func (ids) Merge(a, b []int) []int     { return append(a, b...) }
func sorted(v []int) []int             { v = slices.Clone(v); slices.Sort(v); return v }

// bounds is a window's [start, end) in Unix ms.
type bounds [2]int64

func spanOf(r window.Result[[]int]) bounds { return bounds{r.Start.UnixMilli(), r.End.UnixMilli()} }

// op is one step of a random script: an event (at, in ms), or a watermark
// advance such as a timer makes (advance set).
type op struct {
	at      int64
	advance bool
}

// script returns n steps: events whose times drift forward with bounded
// disorder (most within 100 ms of the newest, a few up to 400 ms behind),
// and now and then a watermark advance to about the newest event time.
func script(rng *rand.Rand, n int) []op {
	var ops []op
	base := int64(1_000_000)
	for range n {
		base += rng.Int64N(15)
		if rng.IntN(40) == 0 {
			ops = append(ops, op{at: base - rng.Int64N(300) + 100, advance: true})
			continue
		}
		d := rng.Int64N(100)
		if rng.IntN(10) == 0 {
			d = rng.Int64N(400)
		}
		ops = append(ops, op{at: base - d})
	}
	return ops
}

// TestWindowerAgainstModel runs random scripts through the Windower, with
// its state through JSON every few steps, and checks every result against
// a brute-force model that knows only the definitions:
//   - the watermark is the newest event time minus the lateness, or a later
//     advance;
//   - a fixed-size window holds the events in [start, end) that arrived
//     while the watermark was before end; it is emitted once, at the first
//     step after which the watermark is at or past end;
//   - an event is late when all its windows were closed when it arrived (a
//     session event: when it was before the watermark);
//   - sessions are the runs of non-late events less than a gap apart;
//   - each result's Late is the number of late events since the previous
//     result.
func TestWindowerAgainstModel(t *testing.T) {
	assigners := []window.Assigner{
		window.Tumbling(100 * time.Millisecond),
		window.Hopping(100*time.Millisecond, 25*time.Millisecond),
		window.Hopping(100*time.Millisecond, 30*time.Millisecond),
		window.Session(20 * time.Millisecond),
	}
	for _, a := range assigners {
		for _, lateness := range []time.Duration{0, 50 * time.Millisecond, 150 * time.Millisecond} {
			for seed := range uint64(3) {
				t.Run(fmt.Sprintf("%s/lateness=%v/seed=%d", a, lateness, seed), func(t *testing.T) {
					t.Parallel()
					rng := rand.New(rand.NewPCG(seed, uint64(lateness)))
					checkModel(t, a, lateness, script(rng, 1500))
				})
			}
		}
	}
}

func checkModel(t *testing.T, a window.Assigner, lateness time.Duration, ops []op) {
	w := window.Windower[[]int, int]{Assigner: a, Lateness: lateness, Aggregator: ids{}, MaxOpen: 1 << 20}
	w = w.WithDefaults()
	if err := w.Validate(); err != nil {
		t.Fatal(err)
	}
	size, adv, gap := a.Size().Milliseconds(), a.Advance().Milliseconds(), a.Size().Milliseconds()
	session := a.Kind() == window.KindSession
	var (
		s        window.State[[]int]
		mark     = int64(math.MinInt64) // the model's watermark
		emitted  = map[bounds]bool{}
		all      = map[bounds][]int{} // every result: the events it holds
		want     = map[bounds][]int{} // fixed-size windows: the events each holds
		pending  = map[bounds]bool{}  // fixed-size windows not emitted yet
		accepted []int                // session events that were not late
		times    = map[int]int64{}
		late     int64 // late events since the last result
		lastEnd  = int64(math.MinInt64)
		nlate    int
	)
	for i, o := range ops {
		prev := mark
		var closed []window.Result[[]int]
		if o.advance {
			mark = max(mark, o.at)
			closed = w.Advance(&s, time.UnixMilli(o.at))
		} else {
			times[i] = o.at
			var wantLate bool
			if session {
				wantLate = o.at < mark
			} else {
				wantLate = true
				for start := o.at / adv * adv; start > o.at-size; start -= adv {
					if end := start + size; end > mark {
						wantLate = false
						want[bounds{start, end}] = append(want[bounds{start, end}], i)
						pending[bounds{start, end}] = true
					}
				}
			}
			if wantLate {
				late++
				nlate++
			} else if session {
				accepted = append(accepted, i)
			}
			out := w.Add(&s, time.UnixMilli(o.at), i)
			if out.Late != wantLate {
				t.Fatalf("step %d: event at %d (watermark %d): late %v, want %v", i, o.at, mark, out.Late, wantLate)
			}
			mark = max(mark, o.at-lateness.Milliseconds())
			closed = w.Advance(&s, time.Time{})
		}
		for j, r := range closed {
			k := spanOf(r)
			end := r.End.UnixMilli()
			switch {
			case emitted[k]:
				t.Fatalf("step %d: %v emitted twice", i, k)
			case end > mark || end <= prev:
				t.Fatalf("step %d: %v closed with the watermark going from %d to %d", i, k, prev, mark)
			case end <= lastEnd:
				t.Fatalf("step %d: %v closed after a window ending at %d", i, k, lastEnd)
			case int64(len(r.Aggregate)) != r.Count:
				t.Fatalf("step %d: %v counts %d, holds %v", i, k, r.Count, r.Aggregate)
			case j == 0 && r.Late != late || j > 0 && r.Late != 0:
				t.Fatalf("step %d: result %d %v reports %d late, want %d", i, j, k, r.Late, late)
			}
			if !session && !slices.Equal(sorted(r.Aggregate), want[k]) {
				t.Fatalf("step %d: %v holds %v, want %v", i, k, sorted(r.Aggregate), want[k])
			}
			emitted[k], lastEnd, late = true, end, 0
			delete(pending, k)
			all[k] = sorted(r.Aggregate)
		}
		if !session {
			for k := range pending { // every window the watermark passed is out
				if k[1] <= mark {
					t.Fatalf("step %d: %v holds %v and the watermark is %d, but it was not emitted", i, k, want[k], mark)
				}
			}
		}
		if i%4 == 0 { // the job stores the state after every event
			s = roundTrip(t, s)
		}
	}
	for _, r := range w.Advance(&s, time.UnixMilli(math.MaxInt32*1000)) {
		if emitted[spanOf(r)] {
			t.Fatalf("final advance: %v emitted twice", spanOf(r))
		}
		all[spanOf(r)] = sorted(r.Aggregate)
	}
	if len(s.Open) != 0 {
		t.Fatalf("%d windows open after the final advance", len(s.Open))
	}
	if session {
		want = sessions(accepted, times, gap)
	}
	if len(all) != len(want) {
		t.Fatalf("%d windows emitted, want %d", len(all), len(want))
	}
	for k, evs := range want {
		if !slices.Equal(all[k], evs) {
			t.Fatalf("window %v holds %v, want %v", k, all[k], evs)
		}
	}
	t.Logf("%d steps, %d late, %d windows", len(ops), nlate, len(all))
}

// sessions returns the sessions of the events evs (at times), by the
// definition: sorted by time, an event joins the session before it when it
// is before that session's end (its newest event plus gap).
func sessions(evs []int, times map[int]int64, gap int64) map[bounds][]int {
	evs = slices.Clone(evs)
	slices.SortStableFunc(evs, func(a, b int) int { return int(times[a] - times[b]) })
	out := map[bounds][]int{}
	var cur []int
	var start, end int64
	for _, e := range evs {
		t := times[e]
		if len(cur) > 0 && t < end {
			cur = append(cur, e)
			end = max(end, t+gap)
			continue
		}
		if len(cur) > 0 {
			out[bounds{start, end}] = sorted(cur)
		}
		cur, start, end = []int{e}, t, t+gap
	}
	if len(cur) > 0 {
		out[bounds{start, end}] = sorted(cur)
	}
	return out
}

// TestWindowerMaxOpen runs random scripts with a lateness so large that
// only MaxOpen closes windows early, and checks what eviction promises:
// no more than MaxOpen windows stay open; every event is either late or in
// the windows it belongs to (in exactly one for tumbling and session
// windows); no window is emitted twice; windows close in order; and every
// eviction Add reports comes back from Advance as an Evicted result.
func TestWindowerMaxOpen(t *testing.T) {
	for _, c := range []struct {
		a       window.Assigner
		maxOpen int
	}{
		{window.Tumbling(100 * time.Millisecond), 2},
		{window.Hopping(100*time.Millisecond, 25*time.Millisecond), 5},
		{window.Session(5 * time.Millisecond), 3},
	} {
		t.Run(c.a.String(), func(t *testing.T) {
			w := window.Windower[[]int, int]{Assigner: c.a, Lateness: time.Hour, Aggregator: ids{}, MaxOpen: c.maxOpen}
			w = w.WithDefaults()
			if err := w.Validate(); err != nil {
				t.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(7, 7))
			var (
				s        window.State[[]int]
				seen     = map[bounds]bool{}
				in       = map[int]int{} // event -> windows holding it
				lastEnd  = int64(math.MinInt64)
				late     = map[int]bool{}
				evicted  int
				nevicted int
			)
			check := func(rs []window.Result[[]int]) {
				for _, r := range rs {
					k := spanOf(r)
					if seen[k] || k[1] <= lastEnd {
						t.Fatalf("%v emitted twice or after a window ending at %d", k, lastEnd)
					}
					seen[k], lastEnd = true, k[1]
					if r.Evicted {
						nevicted++
					}
					if len(r.Aggregate) != len(slices.Compact(sorted(r.Aggregate))) {
						t.Fatalf("%v holds an event twice: %v", k, r.Aggregate)
					}
					for _, e := range r.Aggregate {
						in[e]++
					}
				}
			}
			ops := script(rng, 3000)
			for i, o := range ops {
				if o.advance {
					continue
				}
				out := w.Add(&s, time.UnixMilli(o.at), i)
				late[i], evicted = out.Late, evicted+out.Evicted
				check(w.Advance(&s, time.Time{}))
				if len(s.Open) > c.maxOpen {
					t.Fatalf("step %d: %d windows open", i, len(s.Open))
				}
			}
			check(w.Advance(&s, time.UnixMilli(math.MaxInt32*1000)))
			nlate := 0
			for i, o := range ops {
				switch {
				case o.advance:
				case late[i]:
					nlate++
					if in[i] != 0 {
						t.Fatalf("late event %d is in %d windows", i, in[i])
					}
				case in[i] == 0 || c.a.Kind() != window.KindHopping && in[i] != 1:
					t.Fatalf("event %d is in %d windows", i, in[i])
				}
			}
			if evicted == 0 || nevicted != evicted || nlate == 0 {
				t.Fatalf("%d evictions reported, %d results evicted, %d late", evicted, nevicted, nlate)
			}
			t.Logf("%d events: %d late, %d windows, %d evicted", len(ops), nlate, len(seen), evicted)
		})
	}
}
