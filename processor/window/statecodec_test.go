package window_test

import (
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/processor/window"
)

// randomState returns a JobState with n open windows and times around
// 2026, each field set or not at random; agg makes the i-th aggregate.
func randomState[A any](r *rand.Rand, n int, agg func(int) A) window.JobState[A] {
	at := func() int64 {
		if r.IntN(4) == 0 {
			return 0
		}
		return 1_790_000_000_000 + r.Int64N(1_000_000_000) - 500_000_000
	}
	st := window.JobState[A]{EventAt: at(), SeenAt: at(), TimerAt: at(), TimerEnd: at(), Timed: r.IntN(2) == 0, Expires: at()}
	st.Mark, st.Marked, st.Late = at(), r.IntN(2) == 0, r.Int64N(3)*r.Int64N(1<<40)
	start := st.Mark - 600_000
	for i := range n {
		size := 1 + r.Int64N(120_000)
		st.Open = append(st.Open, window.Window[A]{Start: start, End: start + size, Count: r.Int64N(1 << uint(r.IntN(62))),
			Agg: agg(i), Evicted: r.IntN(5) == 0})
		start += size + r.Int64N(3) - 1 // sessions may touch; hopping starts may overlap
	}
	return st
}

type pair struct {
	Sum  float64 `json:"sum"`
	Name string  `json:"name"`
}

// checkCodec asserts that st survives StateCodec, and that the JSON of st,
// the codec of earlier versions, decodes to st too.
func checkCodec[A any](t *testing.T, st window.JobState[A]) {
	t.Helper()
	c := window.StateCodec[A]{}
	b, err := c.Encode(st)
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.Decode(b)
	if err != nil {
		t.Fatalf("Decode(Encode(%+v)): %v", st, err)
	}
	if !reflect.DeepEqual(got, st) {
		t.Fatalf("Decode(Encode(%+v)) = %+v", st, got)
	}
	j, err := event.JSON[window.JobState[A]]{}.Encode(st)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := c.Decode(j); err != nil || !reflect.DeepEqual(got, st) {
		t.Fatalf("Decode of the JSON %s = %+v, %v", j, got, err)
	}
	if len(st.Open) > 0 && len(b) >= len(j) {
		t.Errorf("%d bytes, more than the %d of its JSON", len(b), len(j))
	}
}

func TestStateCodecRoundTrips(t *testing.T) {
	r := rand.New(rand.NewPCG(14, 1))
	for i := range 2_000 {
		n := r.IntN(6)
		if i%100 == 0 {
			n = 100 + r.IntN(100)
		}
		checkCodec(t, randomState(r, n, func(int) int64 { return r.Int64() - math.MaxInt64/2 }))
		checkCodec(t, randomState(r, n, func(int) int { return r.IntN(1000) - 500 }))
		checkCodec(t, randomState(r, n, func(int) float64 { return r.NormFloat64() * 1e6 }))
		checkCodec(t, randomState(r, n, func(i int) pair { return pair{Sum: float64(i) / 3, Name: "p\"é"} }))
		checkCodec(t, randomState(r, n, func(i int) []string { return []string{"a", string(rune('a' + i%26))} }))
	}
	checkCodec(t, window.JobState[int64]{})
}

func TestStateCodecRefusesWhatJSONRefuses(t *testing.T) {
	for _, f := range []float64{math.Inf(1), math.Inf(-1), math.NaN()} {
		st := window.JobState[float64]{State: window.State[float64]{Open: []window.Window[float64]{{Start: 0, End: 60_000, Count: 1, Agg: f}}}}
		if _, err := (window.StateCodec[float64]{}).Encode(st); err == nil {
			t.Errorf("aggregate %v: encoded", f)
		}
		if _, err := json.Marshal(st); err == nil {
			t.Errorf("aggregate %v: encoding/json encodes it; the codec should too", f)
		}
	}
}

func TestStateCodecCorruptIsAnError(t *testing.T) {
	c := window.StateCodec[int64]{}
	b, err := c.Encode(randomState(rand.New(rand.NewPCG(1, 2)), 3, func(i int) int64 { return int64(i) }))
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range [][]byte{b[:1], b[:len(b)-1], append(append([]byte{}, b...), 0), {0x01, 0xff}, {0x01, 0, 0, 0x7f}, []byte(`{"open":`)} {
		_, err := c.Decode(bad)
		var de *event.DecodeError
		if !errors.As(err, &de) {
			t.Errorf("Decode(%x) = %v, want a *event.DecodeError", bad, err)
		}
	}
}

func FuzzStateCodec(f *testing.F) {
	c := window.StateCodec[int64]{}
	r := rand.New(rand.NewPCG(3, 4))
	for n := range 4 {
		b, _ := c.Encode(randomState(r, n, func(i int) int64 { return int64(i) }))
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		st, err := c.Decode(b)
		if err != nil {
			return
		}
		// What decodes encodes, and decodes the same again.
		b2, err := c.Encode(st)
		if err != nil {
			t.Fatalf("Decode(%x) = %+v, which does not encode: %v", b, st, err)
		}
		if st2, err := c.Decode(b2); err != nil || !reflect.DeepEqual(st, st2) {
			t.Fatalf("Decode(%x) = %+v; its encoding decodes to %+v, %v", b, st, st2, err)
		}
	})
}
