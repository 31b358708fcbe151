package window_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ripplestream/ripple/processor/window"
)

var t0 = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

// at returns t0 plus sec seconds.
func at(sec float64) time.Time { return t0.Add(time.Duration(sec * float64(time.Second))) }

// rel formats t as seconds after t0.
func rel(t time.Time) string { return fmt.Sprint(t.Sub(t0).Seconds()) }

// step is one operation of a windowing script: add an event at Add
// seconds (unless Advance is set: move the watermark to Advance seconds),
// then Advance(zero) for what closed.
type step struct {
	add     float64
	advance *float64
	late    bool
	closed  string // "start-end:count", space-separated; "late=N" after a result with Late
}

func adv(sec float64) *float64 { return &sec }

func TestWindowerScripts(t *testing.T) {
	cases := []struct {
		name  string
		w     window.Windower[int64, float64]
		steps []step
	}{
		{"tumbling", window.Windower[int64, float64]{Assigner: window.Tumbling(10 * time.Second)}, []step{
			{add: 1}, {add: 3}, {add: 9.999},
			{add: 12, closed: "0-10:3"},
			{add: 5, late: true},
			{add: 15},
			{advance: adv(19)},
			{advance: adv(20), closed: "10-20:2/late=1"},
			{add: 30}, {add: 29.5, late: true},
		}},
		{"tumbling with lateness", window.Windower[int64, float64]{Assigner: window.Tumbling(10 * time.Second), Lateness: 5 * time.Second}, []step{
			{add: 1}, {add: 12}, {add: 5}, // the watermark is 7: [0, 10) is open
			{add: 16, closed: "0-10:2"},
			{add: 9, late: true},
			{add: 11},
			{advance: adv(100), closed: "10-20:3/late=1"},
		}},
		{"hopping", window.Windower[int64, float64]{Assigner: window.Hopping(10*time.Second, 5*time.Second)}, []step{
			{add: 7}, // [0, 10) and [5, 15)
			{add: 11, closed: "0-10:1"},
			{add: 8},             // [0, 10) closed, [5, 15) open: counted there only
			{add: 3, late: true}, // [-5, 5) and [0, 10) both closed
			{advance: adv(30), closed: "5-15:3/late=1 10-20:1"},
		}},
		{"hopping, advance not dividing size", window.Windower[int64, float64]{Assigner: window.Hopping(10*time.Second, 4*time.Second), Lateness: 100 * time.Second}, []step{
			{add: 9}, // [0, 10), [4, 14), [8, 18)
			{add: 1}, // [-8, 2), [-4, 6), [0, 10)
			{advance: adv(100), closed: "-8-2:1 -4-6:1 0-10:2 4-14:1 8-18:1"},
		}},
		{"session", window.Windower[int64, float64]{Assigner: window.Session(5 * time.Second)}, []step{
			{add: 1}, {add: 3}, // [1, 8)
			{add: 20, closed: "1-8:2"},
			{add: 12, late: true}, // before the watermark, 20
			{add: 24},             // [20, 29)
			{add: 29, closed: "20-29:2/late=1"},
			{advance: adv(34), closed: "29-34:1"},
		}},
		{"session bridged", window.Windower[int64, float64]{Assigner: window.Session(5 * time.Second), Lateness: 20 * time.Second}, []step{
			{add: 40}, {add: 48}, // [40, 45) and [48, 53)
			{add: 44}, // [44, 49) overlaps both: [40, 53)
			{add: 30}, // [30, 35), before it
			{add: 35}, // touches [30, 35) and [40, 53) without overlapping either
			{advance: adv(60), closed: "30-35:1 35-40:1 40-53:3"},
		}},
		{"before 1970", window.Windower[int64, float64]{Assigner: window.Tumbling(10 * time.Second)}, []step{
			{add: -t0sec() - 3},
			{add: -t0sec() + 1, closed: fmt.Sprintf("%v-%v:1", -t0sec()-10, -t0sec())},
		}},
		{"MaxOpen evicts the oldest", window.Windower[int64, float64]{Assigner: window.Tumbling(10 * time.Second), Lateness: time.Hour, MaxOpen: 2}, []step{
			{add: 1}, {add: 11},
			{add: 21, closed: "0-10:1"}, // evicted: the watermark is now 10
			{add: 5, late: true},
			{add: 15},
			{add: 35, closed: "10-20:2/late=1"},
			{advance: adv(100), closed: "20-30:1 30-40:1"},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := c.w
			w.Aggregator = window.Count[float64]()
			w = w.WithDefaults()
			if err := w.Validate(); err != nil {
				t.Fatal(err)
			}
			var s window.State[int64]
			for i, st := range c.steps {
				var closed []window.Result[int64]
				if st.advance != nil {
					closed = w.Advance(&s, at(*st.advance))
				} else {
					out := w.Add(&s, at(st.add), 1)
					if out.Late != st.late {
						t.Fatalf("step %d: add %v: late %v, want %v", i, st.add, out.Late, st.late)
					}
					closed = w.Advance(&s, time.Time{})
				}
				if got := results(closed); got != st.closed {
					t.Fatalf("step %d: closed %q, want %q", i, got, st.closed)
				}
				s = roundTrip(t, s)
			}
		})
	}
}

func t0sec() float64 { return float64(t0.Unix()) }

func results[A any](rs []window.Result[A]) string {
	var out []string
	for _, r := range rs {
		s := fmt.Sprintf("%s-%s:%d", rel(r.Start), rel(r.End), r.Count)
		if r.Late > 0 {
			s += fmt.Sprintf("/late=%d", r.Late)
		}
		out = append(out, s)
	}
	return strings.Join(out, " ")
}

// roundTrip passes s through the codec the job stores state with.
func roundTrip[A any](t testing.TB, s window.State[A]) window.State[A] {
	t.Helper()
	codec := window.StateCodec[A]{}
	b, err := codec.Encode(window.JobState[A]{State: s})
	if err != nil {
		t.Fatal(err)
	}
	back, err := codec.Decode(b)
	if err != nil {
		t.Fatalf("decoding %x: %v", b, err)
	}
	return back.State
}

func TestEvictedFlag(t *testing.T) {
	w := window.Windower[int64, struct{}]{Assigner: window.Tumbling(time.Second), Lateness: time.Hour,
		Aggregator: window.Count[struct{}](), MaxOpen: 3}
	w = w.WithDefaults()
	if err := w.Validate(); err != nil {
		t.Fatal(err)
	}
	var s window.State[int64]
	for i := range 5 {
		out := w.Add(&s, at(float64(i)), struct{}{})
		if want := max(0, min(1, i-2)); out.Evicted != want || out.Windows != 1 {
			t.Fatalf("event %d: %+v, want Evicted %d", i, out, want)
		}
	}
	rs := w.Advance(&s, time.Time{})
	if len(rs) != 2 || !rs[0].Evicted || !rs[1].Evicted || len(s.Open) != 3 {
		t.Fatalf("closed %+v, %d open", rs, len(s.Open))
	}
	rs = w.Advance(&s, at(100))
	if len(rs) != 3 || rs[0].Evicted {
		t.Fatalf("closed %+v", rs)
	}
	if wm, ok := s.Watermark(); !ok || !wm.Equal(at(100)) {
		t.Fatalf("watermark %v %v", wm, ok)
	}
}

func TestSumAndMerge(t *testing.T) {
	w := window.Windower[float64, float64]{Assigner: window.Session(100 * time.Second), Aggregator: window.Sum[float64](), Lateness: time.Hour}
	w = w.WithDefaults()
	if err := w.Validate(); err != nil {
		t.Fatal(err)
	}
	var s window.State[float64]
	for _, e := range []struct{ sec, v float64 }{{0, 1.5}, {300, 2}, {150, 4}, {240, 8}, {90, 16}} {
		w.Add(&s, at(e.sec), e.v)
	}
	// 240 bridges 150 and 300; 90 bridges 0 and the rest.
	rs := w.Advance(&s, at(10_000))
	if len(rs) != 1 || rs[0].Aggregate != 31.5 || rs[0].Count != 5 || rel(rs[0].Start) != "0" || rel(rs[0].End) != "400" {
		t.Fatalf("sessions %+v", rs)
	}
	if c := window.Count[string](); c.Merge(c.Add(c.Add(c.Zero(), "a"), "b"), 3) != 5 {
		t.Fatal("count")
	}
	if s := window.Sum[int](); s.Merge(s.Add(s.Zero(), 4), 5) != 9 {
		t.Fatal("sum")
	}
}

func TestValidate(t *testing.T) {
	count := window.Count[int]()
	for _, c := range []struct {
		w    window.Windower[int64, int]
		want string
	}{
		{window.Windower[int64, int]{Aggregator: count}, "no window assigner"},
		{window.Windower[int64, int]{Assigner: window.Tumbling(0), Aggregator: count}, "tumbling window size 0s must be a positive whole number of milliseconds"},
		{window.Windower[int64, int]{Assigner: window.Tumbling(1500 * time.Microsecond), Aggregator: count}, "whole number of milliseconds"},
		{window.Windower[int64, int]{Assigner: window.Session(-time.Second), Aggregator: count}, "session window gap -1s"},
		{window.Windower[int64, int]{Assigner: window.Hopping(time.Second, 2*time.Second), Aggregator: count}, "at most the size 1s"},
		{window.Windower[int64, int]{Assigner: window.Hopping(time.Second, 0), Aggregator: count}, "hopping window advance 0s"},
		{window.Windower[int64, int]{Assigner: window.Tumbling(time.Second), Lateness: -1, Aggregator: count}, "Lateness -1ns"},
		{window.Windower[int64, int]{Assigner: window.Tumbling(time.Second)}, "no Aggregator"},
		{window.Windower[int64, int]{Assigner: window.Hopping(time.Hour, time.Minute), Aggregator: count, MaxOpen: 59},
			"MaxOpen 59 cannot hold the 60 windows of one event (hopping 1h0m0s every 1m0s)"},
	} {
		err := c.w.Validate()
		if !errors.Is(err, window.ErrInvalidConfig) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", c.w, err, c.want)
		}
	}
	for _, c := range []struct {
		a        window.Assigner
		lateness time.Duration
		want     int
	}{
		{window.Hopping(time.Hour, time.Minute), 0, window.DefaultMaxOpen},
		{window.Hopping(time.Hour, time.Minute), time.Hour, 121},
		{window.Tumbling(time.Second), time.Hour, 3602},
	} {
		w := window.Windower[int64, int]{Assigner: c.a, Lateness: c.lateness, Aggregator: count}
		w = w.WithDefaults()
		if err := w.Validate(); err != nil || w.MaxOpen != c.want {
			t.Fatalf("%s, lateness %v: %v, MaxOpen %d, want %d", c.a, c.lateness, err, w.MaxOpen, c.want)
		}
	}
}

func TestStateJSON(t *testing.T) {
	w := window.Windower[float64, float64]{Assigner: window.Tumbling(time.Minute), Lateness: time.Minute, Aggregator: window.Sum[float64]()}
	w = w.WithDefaults()
	if err := w.Validate(); err != nil {
		t.Fatal(err)
	}
	var s window.State[float64]
	w.Add(&s, at(61), 2.5)
	w.Add(&s, at(1), 1)
	w.Add(&s, at(200), 1)
	if got := results(w.Advance(&s, time.Time{})); got != "0-60:1 60-120:1" {
		t.Fatalf("closed %s", got)
	}
	w.Add(&s, at(3), 1) // late
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf(`{"open":[{"s":%d,"e":%d,"n":1,"a":1}],"wm":%d,"on":true,"late":1}`,
		at(180).UnixMilli(), at(240).UnixMilli(), at(140).UnixMilli())
	if string(b) != want {
		t.Fatalf("state %s\nwant  %s", b, want)
	}
	if back := roundTrip(t, s); !reflect.DeepEqual(back, s) {
		t.Fatalf("round trip %+v, want %+v", back, s)
	}
}

// TestDefaultMaxOpenHoldsInOrder checks that the default MaxOpen never
// closes a window early for a key whose events come in order, however the
// events fall on window bounds.
func TestDefaultMaxOpenHoldsInOrder(t *testing.T) {
	for _, a := range []window.Assigner{
		window.Tumbling(time.Second), window.Hopping(3*time.Second, time.Second), window.Hopping(3*time.Second, 2*time.Second),
	} {
		for _, step := range []time.Duration{time.Millisecond * 250, time.Second, 1500 * time.Millisecond} {
			w := window.Windower[int64, int]{Assigner: a, Lateness: 200 * time.Second, Aggregator: window.Count[int]()}
			w = w.WithDefaults()
			if err := w.Validate(); err != nil {
				t.Fatal(err)
			}
			var s window.State[int64]
			for i := range 2000 {
				if out := w.Add(&s, t0.Add(time.Duration(i)*step), 0); out.Evicted > 0 {
					t.Fatalf("%s, events every %v: event %d evicted a window (MaxOpen %d)", a, step, i, w.MaxOpen)
				}
				w.Advance(&s, time.Time{})
			}
		}
	}
}
