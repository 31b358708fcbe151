package anomaly_test

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/ripplestream/ripple/processor/anomaly"
)

// poisson draws from a Poisson distribution (normal approximation above
// 50).
func poisson(rng *rand.Rand, lambda float64) float64 {
	if lambda > 50 {
		return math.Max(0, math.Round(lambda+math.Sqrt(lambda)*rng.NormFloat64()))
	}
	l, k, p := math.Exp(-lambda), 0.0, 1.0
	for {
		p *= rng.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

// TestSteadyNeverFires runs ten days of Poisson traffic per rate, watching
// both sides: the default rules raise no alert. Rates up to 10 a
// minute are sent event by event at random times in their minute.
func TestSteadyNeverFires(t *testing.T) {
	seeds := 10
	if testing.Short() {
		seeds = 3
	}
	for _, lambda := range []float64{0.5, 2, 10, 100, 1000, 10000} {
		t.Run(fmt.Sprint(lambda), func(t *testing.T) {
			t.Parallel()
			for seed := range seeds {
				d := validated(t, anomaly.Detector{Direction: anomaly.Both})
				rng := rand.New(rand.NewPCG(uint64(seed), uint64(lambda*10)))
				var st anomaly.State
				for m := range 24 * 60 {
					n := poisson(rng, lambda)
					var trs []anomaly.Transition
					if lambda <= 10 {
						at := make([]time.Duration, int(n))
						for i := range at {
							at[i] = time.Duration(rng.Int64N(int64(time.Minute)))
						}
						slices.Sort(at)
						for _, off := range at {
							trs = append(trs, d.Observe(&st, t0.Add(time.Duration(m)*time.Minute+off), 1)...)
						}
					} else {
						trs = d.Observe(&st, minute(m), n)
					}
					if len(trs) > 0 {
						t.Fatalf("seed %d, minute %d: %+v", seed, m, trs[0])
					}
				}
			}
		})
	}
}

// TestSpikeFiresOnceAndResolvesOnce puts a tenfold spike of one to three
// windows into Poisson traffic at a random rate and time: it fires once, in
// its first window, and resolves once, when the cool-down after its last
// window has passed.
func TestSpikeFiresOnceAndResolvesOnce(t *testing.T) {
	runs := 200
	if testing.Short() {
		runs = 20
	}
	d := validated(t, anomaly.Detector{})
	cool := int(d.CoolDown / d.Bucket)
	for run := range runs {
		rng := rand.New(rand.NewPCG(uint64(run), 99))
		lambda := 5 + rng.Float64()*995
		at := d.MinHistory + rng.IntN(200)
		length := 1 + rng.IntN(3)
		total := at + length + cool + 30
		counts := make([]float64, total)
		for i := range counts {
			l := lambda
			if i >= at && i < at+length {
				l *= 10
			}
			counts[i] = poisson(rng, l)
		}
		var st anomaly.State
		got := feed(d, &st, 0, counts)
		want := fmt.Sprintf("firing@%d(since %d) resolved@%d(since %d)", at, at, at+length+cool-1, at)
		if s := steps(got); s != want {
			t.Fatalf("run %d: rate %.1f, spike of %d windows at %d: transitions %q, want %q", run, lambda, length, at, s, want)
		}
	}
}

// TestNoFlappingOnNoisyBoundary drives a key along its threshold: each
// window lands just above or just below it (half a scale or less, read from
// Band), with calm runs shorter than the cool-down. An alert that followed
// each crossing would flap; this one fires once and resolves once, a
// cool-down after the last window above.
func TestNoFlappingOnNoisyBoundary(t *testing.T) {
	d := validated(t, anomaly.Detector{})
	cool := int(d.CoolDown / d.Bucket)
	for run := range 50 {
		rng := rand.New(rand.NewPCG(uint64(run), 5))
		var st anomaly.State
		feed(d, &st, 0, steadyCounts(rng, 100, 150))
		first, last, calm := -1, -1, 0
		var got []step
		for m := 150; m < 190; m++ {
			start := t0.Add(time.Duration(m) * time.Minute)
			for _, tr := range d.Advance(&st, start.Add(d.Lateness)) { // close the previous window
				got = append(got, stepOf(tr))
			}
			base, _, high := d.Band(&st, start)
			scale := (high - base) / d.Threshold
			above := calm == cool-1 || rng.IntN(2) == 0 // never cool-down windows calm in a row
			x := high - scale*(0.05+0.45*rng.Float64())
			if above {
				x = high + scale*(0.05+0.45*rng.Float64())
				if first < 0 {
					first = m
				}
				last, calm = m, 0
			} else {
				calm++
			}
			for _, tr := range d.Observe(&st, minute(m), x) {
				got = append(got, stepOf(tr))
			}
		}
		got = append(got, feed(d, &st, 190, steadyCounts(rng, 100, 20))...)
		want := fmt.Sprintf("firing@%d(since %d) resolved@%d(since %d)", first, first, last+cool, first)
		if s := steps(got); s != want {
			t.Fatalf("run %d: transitions %q, want %q", run, s, want)
		}
	}
}

func steadyCounts(rng *rand.Rand, lambda float64, n int) []float64 {
	c := make([]float64, n)
	for i := range c {
		c[i] = poisson(rng, lambda)
	}
	return c
}

type timed struct {
	at time.Time
	n  float64
}

// TestOrderWithinLatenessAndRestarts is metamorphic: the same events give
// the same transitions and final state when (a) they arrive out of order
// but each within Lateness of the newest, and (b) the state is encoded to
// JSON and decoded again between any two calls, as the job stores it.
func TestOrderWithinLatenessAndRestarts(t *testing.T) {
	runs := 12
	if testing.Short() {
		runs = 3
	}
	for run := range runs {
		rng := rand.New(rand.NewPCG(uint64(run), 3))
		d := validated(t, anomaly.Detector{Bucket: 10 * time.Second, Lateness: 3 * time.Second, Direction: anomaly.Both,
			MinHistory: 20, Seasonal: run%2 == 0, Consecutive: 1 + run%3})
		var evs []timed
		at := t0
		for range 3000 {
			at = at.Add(time.Duration(rng.ExpFloat64() * float64(time.Second)))
			if rng.IntN(400) == 0 {
				at = at.Add(time.Duration(rng.IntN(600)) * time.Second) // silence
			}
			n := 1.0
			if rng.IntN(300) == 0 {
				n = 40 // a burst
			}
			evs = append(evs, timed{at, n})
		}
		end := at.Add(time.Hour)

		inOrder, want := replay(d, evs, end, false)
		// Deliver each event at its time plus a delay under Lateness.
		shuffled := slices.Clone(evs)
		arrive := map[time.Time]time.Time{}
		for _, e := range shuffled {
			arrive[e.at] = e.at.Add(time.Duration(rng.Int64N(int64(d.Lateness))))
		}
		slices.SortStableFunc(shuffled, func(a, b timed) int { return arrive[a.at].Compare(arrive[b.at]) })
		got, st := replay(d, shuffled, end, true)
		if !reflect.DeepEqual(steps(inOrder), steps(got)) || len(inOrder) == 0 && d.Consecutive == 1 {
			t.Fatalf("run %d: in order %s\nshuffled and restarted %s", run, steps(inOrder), steps(got))
		}
		a, _ := json.Marshal(want)
		b, _ := json.Marshal(st)
		if string(a) != string(b) || st.Late != 0 {
			t.Fatalf("run %d: final states differ:\n%s\n%s", run, a, b)
		}
	}
}

// replay observes evs, then advances over the hour before end; with
// restart it round-trips the state through the job's StateCodec before
// every call, and through JSON before every tenth.
func replay(d *anomaly.Detector, evs []timed, end time.Time, restart bool) ([]step, anomaly.State) {
	var st anomaly.State
	var out []step
	calls := 0
	roundTrip := func() {
		if !restart {
			return
		}
		if calls++; calls%10 == 0 {
			b, err := json.Marshal(st)
			if err != nil {
				panic(err)
			}
			st = anomaly.State{}
			if err := json.Unmarshal(b, &st); err != nil {
				panic(err)
			}
			return
		}
		b, _ := anomaly.StateCodec{}.Encode(anomaly.KeyState{State: st})
		ks, err := anomaly.StateCodec{}.Decode(b)
		if err != nil {
			panic(err)
		}
		st = ks.State
	}
	for _, e := range evs {
		roundTrip()
		for _, tr := range d.Observe(&st, e.at, e.n) {
			out = append(out, stepOf(tr))
		}
	}
	for at := end.Add(-time.Hour); at.Before(end); at = at.Add(7 * time.Second) {
		roundTrip()
		for _, tr := range d.Advance(&st, at) {
			out = append(out, stepOf(tr))
		}
	}
	return out, st
}

// FuzzState feeds arbitrary JSON as a key's state: Observe and Advance must
// neither panic nor produce a state or transition that does not encode.
func FuzzState(f *testing.F) {
	d := validated(f, anomaly.Detector{Seasonal: true, MinHistory: 3, History: 5})
	var st anomaly.State
	for i := range 20 {
		d.Observe(&st, minute(i), float64(i%4*10))
	}
	b, _ := json.Marshal(st)
	f.Add(b, int64(60), 3.0)
	f.Add([]byte(`{"next":-5,"resid":[1,2],"open":[1,2,3,4,5,6,7,8,9,10,11,12],"hourly":[1],"hours":4294967295,"closed":-3}`), int64(1), 1.0)
	f.Add([]byte(`{"start":"2026-11-01T00:00:00Z","clock":"2026-11-01T00:00:00Z","mean":1e308,"resid":[3e38,-3e38,3e38]}`), int64(1e6), 1e300)
	f.Add([]byte(`{}`), int64(1e6), 8e300) // a residual beyond float32 once broke the encoding
	f.Fuzz(func(t *testing.T, state []byte, secs int64, n float64) {
		var st anomaly.State
		if json.Unmarshal(state, &st) != nil {
			return
		}
		at := t0.Add(time.Duration(secs%(1<<40)) * time.Second)
		trs := d.Observe(&st, at, n)
		trs = append(trs, d.Advance(&st, at.Add(time.Hour))...)
		d.Band(&st, at)
		if _, err := json.Marshal(st); err != nil {
			t.Fatalf("state does not encode: %v", err)
		}
		if _, err := json.Marshal(trs); err != nil {
			t.Fatalf("transitions do not encode: %v", err)
		}
	})
}
