package anomaly_test

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/ripplestream/ripple/processor/anomaly"
)

var t0 = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

// minute returns the middle of minute i after t0.
func minute(i int) time.Time { return t0.Add(time.Duration(i)*time.Minute + 30*time.Second) }

func validated(t testing.TB, d anomaly.Detector) *anomaly.Detector {
	t.Helper()
	d = d.WithDefaults()
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	return &d
}

// feed observes counts[i] events in minute i, then advances past the last
// window, and returns the transitions with the index of the window that
// made each.
func feed(d *anomaly.Detector, st *anomaly.State, from int, counts []float64) []step {
	var out []step
	for i, n := range counts {
		for _, tr := range d.Observe(st, minute(from+i), n) {
			out = append(out, stepOf(tr))
		}
	}
	for _, tr := range d.Advance(st, minute(from+len(counts))) {
		out = append(out, stepOf(tr))
	}
	return out
}

// step is a transition in minutes after t0, for readable tables.
type step struct {
	status     anomaly.Status
	window     int // minute the window starts
	since      int
	value      float64
	baseline   float64
	threshold  float64
	score      float64
	transition anomaly.Transition
}

func stepOf(tr anomaly.Transition) step {
	return step{status: tr.Status, window: int(tr.Start.Sub(t0) / time.Minute), since: int(tr.Since.Sub(t0) / time.Minute),
		value: tr.Value, baseline: tr.Baseline, threshold: tr.Threshold, score: tr.Score, transition: tr}
}

func (s step) String() string { return fmt.Sprintf("%s@%d(since %d)", s.status, s.window, s.since) }

func steps(ss []step) string {
	var b []string
	for _, s := range ss {
		b = append(b, s.String())
	}
	return strings.Join(b, " ")
}

func repeat(n int, v float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = v
	}
	return out
}

func concat(parts ...[]float64) []float64 {
	var out []float64
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func TestDetectorTransitions(t *testing.T) {
	steady := repeat(70, 10)
	tests := []struct {
		name   string
		d      anomaly.Detector
		counts []float64
		want   string
	}{
		{"steady never fires", anomaly.Detector{}, repeat(300, 10), ""},
		{"spike fires, resolves after the cool-down", anomaly.Detector{},
			concat(steady, []float64{100}, repeat(10, 10)), "firing@70(since 70) resolved@75(since 70)"},
		{"no alert while warming up", anomaly.Detector{},
			concat(repeat(30, 10), []float64{1000}, repeat(10, 10)), ""},
		{"MinHistory 10", anomaly.Detector{MinHistory: 10},
			concat(repeat(30, 10), []float64{1000}, repeat(10, 10)), "firing@30(since 30) resolved@35(since 30)"},
		{"three anomalous windows in a row", anomaly.Detector{Consecutive: 3},
			concat(steady, []float64{100, 100, 10, 100, 100, 100, 100}, repeat(10, 10)),
			"firing@75(since 73) resolved@81(since 73)"},
		{"anomalous windows restart the cool-down", anomaly.Detector{},
			concat(steady, []float64{100, 10, 10, 10, 100, 10, 10, 10, 10, 10, 10}), "firing@70(since 70) resolved@79(since 70)"},
		{"cool-down of one window", anomaly.Detector{CoolDown: time.Minute},
			concat(steady, []float64{100, 10, 100}, repeat(3, 10)), "firing@70(since 70) resolved@71(since 70) firing@72(since 72) resolved@73(since 72)"},
		{"no cool-down", anomaly.Detector{CoolDown: -1},
			concat(steady, []float64{100, 10}), "firing@70(since 70) resolved@71(since 70)"},
		{"a drop is not watched by default", anomaly.Detector{},
			concat(steady, repeat(10, 0)), ""},
		{"a drop fires when watched", anomaly.Detector{Direction: anomaly.Below},
			concat(steady, []float64{0}, repeat(10, 10)), "firing@70(since 70) resolved@75(since 70)"},
		{"a spike is not watched below", anomaly.Detector{Direction: anomaly.Below},
			concat(steady, []float64{100}, repeat(10, 10)), ""},
		{"both sides", anomaly.Detector{Direction: anomaly.Both},
			concat(steady, []float64{100}, repeat(10, 10), []float64{0}, repeat(10, 10)),
			"firing@70(since 70) resolved@75(since 70) firing@81(since 81) resolved@86(since 81)"},
		{"threshold", anomaly.Detector{Threshold: 20},
			concat(steady, []float64{25}, repeat(5, 10), []float64{35}, repeat(10, 10)), "firing@76(since 76) resolved@81(since 76)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := validated(t, tt.d)
			var st anomaly.State
			if got := steps(feed(d, &st, 0, tt.counts)); got != tt.want {
				t.Fatalf("transitions %q, want %q", got, tt.want)
			}
		})
	}
}

// TestDetectorNumbers checks what a firing and a resolution report, and the
// arithmetic of the score on a perfectly steady key (MAD 0).
func TestDetectorNumbers(t *testing.T) {
	d := validated(t, anomaly.Detector{})
	var st anomaly.State
	got := feed(d, &st, 0, concat(repeat(70, 10), []float64{100}, repeat(10, 10)))
	if len(got) != 2 {
		t.Fatalf("transitions %s", steps(got))
	}
	f, r := got[0].transition, got[1].transition
	// Baseline 10, MAD 0: scale is Epsilon (1), threshold 10+5·1.
	want := anomaly.Transition{Status: anomaly.Firing, Direction: anomaly.Above, Start: t0.Add(70 * time.Minute), End: t0.Add(71 * time.Minute),
		Value: 100, Baseline: 10, Threshold: 15, Score: 90, Since: t0.Add(70 * time.Minute)}
	if f != want {
		t.Fatalf("firing %+v,\nwant %+v", f, want)
	}
	if r.Status != anomaly.Resolved || r.Direction != anomaly.Above || !r.End.Equal(t0.Add(76*time.Minute)) || r.Value != 10 ||
		!r.Since.Equal(f.Since) || r.Score > d.Threshold {
		t.Fatalf("resolved %+v", r)
	}
	// The spike was clamped to the threshold before it was learnt: the
	// baseline moved by Alpha·(15-10) at most.
	if r.Baseline > 10.5 || r.Baseline < 10 {
		t.Fatalf("baseline after the spike %v, want within [10, 10.5]", r.Baseline)
	}
	if st.Firing || st.Closed != 81 || st.Changed != r.End {
		t.Fatalf("state after resolving: %+v", st)
	}
}

func TestObserveWindowsAndLateness(t *testing.T) {
	d := validated(t, anomaly.Detector{Lateness: 10 * time.Second})
	var st anomaly.State
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	d.Observe(&st, at(5), 1)
	d.Observe(&st, at(59), 2)
	d.Observe(&st, at(65), 4) // next window; the first is open for 10 s more
	if st.Closed != 0 || len(st.Open) != 2 || st.Open[0] != 3 || st.Open[1] != 4 {
		t.Fatalf("state %+v, want two open windows of 3 and 4", st)
	}
	d.Observe(&st, at(50), 8) // late, within the lateness
	d.Observe(&st, at(70), 0) // closes the first window
	if st.Closed != 1 || st.Mean != 11 || len(st.Open) != 1 || st.Open[0] != 4 || !st.Start.Equal(at(60)) {
		t.Fatalf("state %+v, want the first window closed with 11 events", st)
	}
	d.Observe(&st, at(30), 1) // too late
	if st.Late != 1 || st.Mean != 11 {
		t.Fatalf("state %+v, want the late event counted as late only", st)
	}
	d.Observe(&st, at(1000), math.NaN()) // closes 15 windows; NaN counts 0
	if st.Closed != 16 || len(st.Open) != 1 || st.Open[0] != 0 || !st.Clock.Equal(at(1000)) {
		t.Fatalf("state %+v after a gap", st)
	}
	d.Advance(&st, at(999)) // not ahead of the clock: nothing
	d.Advance(&st, at(1029))
	if st.Closed != 16 {
		t.Fatalf("Advance closed a window 1 s before its lateness passed: %+v", st)
	}
	d.Advance(&st, at(1030))
	if st.Closed != 17 || st.Open != nil {
		t.Fatalf("Advance: %+v", st)
	}
	if next := d.NextClose(&st); !next.Equal(at(1090)) {
		t.Fatalf("NextClose %v, want +1090s", next)
	}
	var fresh anomaly.State
	if d.Advance(&fresh, at(5000)) != nil || !fresh.Start.IsZero() || !d.NextClose(&fresh).IsZero() {
		t.Fatal("Advance on a key never seen changed it")
	}
}

// TestLongGap checks a key silent for a year is scored in bounded work and
// still resolves (and a drop still fires) as if each window were seen.
func TestLongGap(t *testing.T) {
	for _, dir := range []anomaly.Direction{anomaly.Above, anomaly.Below} {
		d := validated(t, anomaly.Detector{Direction: dir})
		var st anomaly.State
		got := feed(d, &st, 0, concat(repeat(70, 50), []float64{500}))
		start := time.Now()
		for _, tr := range d.Advance(&st, minute(365*24*60)) {
			got = append(got, stepOf(tr))
		}
		if el := time.Since(start); el > time.Second {
			t.Errorf("%s: a year's gap took %v", dir, el)
		}
		// A spike resolves after the cool-down. A drop to nothing fires at
		// once, and resolves once the baseline has come down to zero, some
		// tens of windows later: a lasting change is absorbed.
		want := "firing@70(since 70) resolved@75(since 70)"
		if dir == anomaly.Below {
			want = "firing@71(since 71) resolved@"
		}
		if s := steps(got); !strings.HasPrefix(s, want) || len(got) != 2 || got[1].window > 71+d.History {
			t.Errorf("%s: transitions %q, want %q...", dir, s, want)
		}
		if st.Closed != 365*24*60 || st.Mean > 1e-6 || len(st.Resid) != d.History {
			t.Errorf("%s: after a year: %d windows closed, baseline %v, %d residuals", dir, st.Closed, st.Mean, len(st.Resid))
		}
	}
}

// TestSeasonal runs three days of a daily pattern, 10 events a minute at
// night and 100 from 08:00 to 16:00: without seasonality every morning
// fires; with it only the first one, before the detector has seen 08:00.
// A spike at night still fires.
func TestSeasonal(t *testing.T) {
	day := func(spikeAt int) []float64 {
		c := concat(repeat(8*60, 10), repeat(8*60, 100), repeat(8*60, 10))
		for i := range c {
			c[i] += float64(i%3) - 1 // a little noise, so the MAD is not 0
		}
		if spikeAt >= 0 {
			c[spikeAt] = 300
		}
		return c
	}
	days := concat(day(-1), day(-1), day(3*60))
	for _, tc := range []struct {
		seasonal bool
		want     []int // first firing per day, -1 for none
	}{
		{false, []int{8 * 60, 8 * 60, 3 * 60}},
		{true, []int{8 * 60, -1, 3 * 60}},
	} {
		d := validated(t, anomaly.Detector{Seasonal: tc.seasonal})
		var st anomaly.State
		first := []int{-1, -1, -1}
		for _, s := range feed(d, &st, 0, days) {
			if dd := s.window / (24 * 60); s.status == anomaly.Firing && first[dd] < 0 {
				first[dd] = s.window % (24 * 60)
			}
		}
		if fmt.Sprint(first) != fmt.Sprint(tc.want) {
			t.Errorf("seasonal %v: first firing per day at minute %v, want %v", tc.seasonal, first, tc.want)
		}
		if tc.seasonal && (len(st.Hourly) != 24 || st.Hours != 1<<24-1) {
			t.Errorf("hourly baselines %v (hours %b)", st.Hourly, st.Hours)
		}
	}
}

func TestDetectorValidate(t *testing.T) {
	tests := []struct {
		name string
		d    anomaly.Detector
		want string
	}{
		{"negative", anomaly.Detector{Threshold: -1}, "negative"},
		{"tiny bucket", anomaly.Detector{Bucket: time.Microsecond}, "Bucket 1µs"},
		{"seasonal day bucket", anomaly.Detector{Bucket: 2 * time.Hour, Seasonal: true}, "longer than the hour"},
		{"lateness", anomaly.Detector{Lateness: 11 * time.Minute}, "Lateness 11m0s"},
		{"history", anomaly.Detector{History: 2}, "History 2"},
		{"huge history", anomaly.Detector{History: anomaly.MaxHistory + 1}, "History 1441"},
		{"alpha", anomaly.Detector{Alpha: 1.5}, "Alpha 1.5"},
		{"threshold", anomaly.Detector{Threshold: math.Inf(1)}, "Threshold +Inf"},
		{"NaN", anomaly.Detector{Epsilon: math.NaN()}, "must be numbers"},
		{"direction", anomaly.Detector{Direction: "sideways"}, `Direction "sideways"`},
		{"consecutive", anomaly.Detector{Consecutive: 5000}, "Consecutive 5000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.d.Validate()
			if !errors.Is(err, anomaly.ErrInvalidConfig) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Validate = %v, want ErrInvalidConfig with %q", err, tt.want)
			}
		})
	}
	d := anomaly.Detector{}
	d = d.WithDefaults()
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	if d.Bucket != time.Minute || d.Lateness != 6*time.Second || d.History != 120 || d.MinHistory != 60 || d.Alpha != 0.1 ||
		d.Threshold != 5 || d.Epsilon != 1 || d.Direction != anomaly.Above || d.Consecutive != 1 || d.CoolDown != 5*time.Minute ||
		d.Location != time.UTC {
		t.Fatalf("defaults: %+v", d)
	}
	none := anomaly.Detector{Lateness: -1, CoolDown: -1}
	none = none.WithDefaults()
	if err := none.Validate(); err != nil || none.Lateness != -1 || none.CoolDown != -1 {
		t.Fatalf("negative Lateness and CoolDown: %+v %v", none, err)
	}
}

// TestDetectorWithoutValidate: a zero Detector works with the defaults.
func TestDetectorWithoutValidate(t *testing.T) {
	var d anomaly.Detector
	var st anomaly.State
	got := feed(&d, &st, 0, concat(repeat(70, 10), []float64{100}, repeat(10, 10)))
	if s := steps(got); s != "firing@70(since 70) resolved@75(since 70)" {
		t.Fatalf("transitions %q", s)
	}
}
