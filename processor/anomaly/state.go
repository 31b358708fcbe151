package anomaly

import (
	"math"
	"slices"
	"time"
)

// State is one key's detector state: its open windows, baselines, the
// residuals its spread is estimated from, and its alert. Its size is
// bounded by the Detector (about 8 bytes per History residual in JSON, 24
// baselines with Seasonal), not by the events seen. It is meant to be the
// state of the anomaly job or a field of a job's own per-key state; the
// zero State is a key never seen.
type State struct {
	// Clock is the newest event time observed, or given to Advance.
	Clock time.Time `json:"clock,omitzero"`
	// Start is the start of the oldest open window.
	Start time.Time `json:"start,omitzero"`
	// Open holds the counts of the open windows, one per Bucket from Start.
	Open []float64 `json:"open,omitempty"`
	// Closed counts the windows closed so far.
	Closed int64 `json:"closed,omitzero"`
	// Mean is the baseline: the moving average of the closed windows.
	Mean float64 `json:"mean,omitzero"`
	// Hourly are the baselines per hour of day, with Seasonal; bit h of
	// Hours is set once hour h has one.
	Hourly []float64 `json:"hourly,omitempty"`
	Hours  uint32    `json:"hours,omitzero"`
	// Resid is a ring of the residuals (count minus baseline, clamped to
	// the threshold) of the last History windows; Next is where the next
	// one goes once it is full.
	Resid []float32 `json:"resid,omitempty"`
	Next  int       `json:"next,omitzero"`

	// Streak counts the anomalous windows in a row, the first of which
	// started at StreakStart.
	Streak      int       `json:"streak,omitzero"`
	StreakStart time.Time `json:"streak_start,omitzero"`
	// Firing says the key's alert is firing, on Side of the baseline,
	// since Since (the start of its first anomalous window).
	Firing bool      `json:"firing,omitzero"`
	Side   Direction `json:"side,omitempty"`
	Since  time.Time `json:"since,omitzero"`
	// LastAnomalous is the end of the last anomalous window.
	LastAnomalous time.Time `json:"last_anomalous,omitzero"`
	// Changed is when the alert last changed status.
	Changed time.Time `json:"changed,omitzero"`
	// Late counts events that came after their window had closed.
	Late int64 `json:"late,omitzero"`
}

// Transition is an alert changing status when a window closed.
type Transition struct {
	// Status is the alert's new status.
	Status Status `json:"status"`
	// Direction is the side of the baseline the alert is about.
	Direction Direction `json:"direction"`
	// Start and End bound the window that caused the change; End is when
	// the change happened, in event time.
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	// Value is the window's count, Baseline the count expected, Score
	// the robust score |Value-Baseline| / (1.4826·MAD + Epsilon), and
	// Threshold the count at which the score reaches Detector.Threshold on
	// the alert's side.
	Value     float64 `json:"value"`
	Baseline  float64 `json:"baseline"`
	Threshold float64 `json:"threshold"`
	Score     float64 `json:"score"`
	// Since is when the alert started firing: the start of its first
	// anomalous window.
	Since time.Time `json:"since"`
}

// push adds a residual to the ring of size entries (repair has cut a
// larger ring down to size).
func (st *State) push(r float32, size int) {
	if len(st.Resid) < size {
		st.Resid = append(st.Resid, r)
		return
	}
	st.Resid[st.Next] = r
	st.Next = (st.Next + 1) % size
}

// residuals returns the ring oldest first.
func (st *State) residuals() []float32 {
	return append(slices.Clone(st.Resid[st.Next:]), st.Resid[:st.Next]...)
}

// repair makes a state decoded from anywhere safe to use: a ring position
// out of range, numbers out of bounds and misshapen slices (a corrupt or
// hand-written state) are reset rather than panicking or spreading NaN or
// infinities into alerts, and a state from other rules (Seasonal off) drops
// what they no longer need. It is cheap; repairHistory does the rest before
// windows close.
func (st *State) repair(p Detector) {
	if st.Next < 0 || st.Next >= len(st.Resid) {
		st.Next = 0
	}
	st.Mean = bounded(st.Mean, -maxValue)
	if !p.Seasonal || len(st.Hourly) != 24 {
		st.Hourly, st.Hours = nil, 0
	}
	if n := int(p.lateness()/p.Bucket) + 2; len(st.Open) > n {
		st.Open = st.Open[:n]
	}
	for i, n := range st.Open {
		st.Open[i] = bounded(n, 0)
	}
	if len(st.Resid) > p.History {
		st.Resid = st.residuals()[len(st.Resid)-p.History:]
		st.Next = 0
	}
	if st.Closed < 0 {
		st.Closed = 0
	}
}

// repairHistory bounds the residuals and hourly baselines (see repair).
func (st *State) repairHistory() {
	for h, v := range st.Hourly {
		st.Hourly[h] = bounded(v, -maxValue)
	}
	for i, r := range st.Resid {
		st.Resid[i] = float32(bounded(float64(r), -maxValue))
	}
}

// bounded returns v within [lo, maxValue], and NaN as zero.
func bounded(v, lo float64) float64 {
	if math.IsNaN(v) {
		return 0
	}
	return min(max(v, lo), maxValue)
}

// mad returns the median absolute deviation of r from its median.
func mad(r []float32) float64 {
	if len(r) == 0 {
		return 0
	}
	r = r[max(len(r)-MaxHistory, 0):] // only an unrepaired state holds more
	var buf [MaxHistory]float64
	v := buf[:len(r)]
	for i, x := range r {
		v[i] = float64(x)
	}
	slices.Sort(v)
	m := median(v)
	for i := range v {
		v[i] = math.Abs(v[i] - m)
	}
	slices.Sort(v)
	return median(v)
}

// median returns the median of sorted v.
func median(v []float64) float64 {
	n := len(v)
	if n%2 == 1 {
		return v[n/2]
	}
	return (v[n/2-1] + v[n/2]) / 2
}
