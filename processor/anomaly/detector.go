package anomaly

import (
	"fmt"
	"math"
	"time"

	"github.com/ripplestream/ripple/internal/configerr"
)

// Direction says which side of its baseline a value is on, or, in
// Detector.Direction, which sides are anomalous.
type Direction string

// Directions.
const (
	// Above: more events than the baseline (a spike).
	Above Direction = "above"
	// Below: fewer events than the baseline (a drop).
	Below Direction = "below"
	// Both: either side; for Detector.Direction only.
	Both Direction = "both"
)

func (d Direction) covers(side Direction) bool { return d == Both || d == side }

// Status is the status an alert moves to.
type Status string

// Statuses.
const (
	// Firing: the key's rate left its baseline.
	Firing Status = "firing"
	// Resolved: the rate has been back within the threshold for the
	// cool-down.
	Resolved Status = "resolved"
)

// Defaults of Detector.WithDefaults.
const (
	DefaultBucket      = time.Minute
	DefaultHistory     = 120
	DefaultMinHistory  = 60
	DefaultAlpha       = 0.1
	DefaultThreshold   = 5.0
	DefaultEpsilon     = 1.0
	DefaultConsecutive = 1
	// DefaultCoolDownBuckets is the default CoolDown, in buckets.
	DefaultCoolDownBuckets = 5
	// DefaultLatenessFraction is the default Lateness, as a fraction of
	// the bucket.
	DefaultLatenessFraction = 10
)

// Bounds of Detector.Validate. They bound a key's state and the work of
// one call.
const (
	// MaxHistory is the largest History: the ring of residuals is
	// rewritten with the key's state on every event.
	MaxHistory = 1440
	// maxLateness is the largest Lateness, in buckets: that many buckets
	// stay open at once.
	maxLateness = 10
	maxBuckets  = 1000 // the largest Consecutive, and CoolDown in buckets
	// MaxCount is the most one Observe counts; more counts as MaxCount.
	MaxCount = 1e15
	// maxValue bounds window counts, baselines and residuals, so that no
	// arithmetic on them overflows (a residual is stored as a float32).
	maxValue = 1e18
	// maxThreshold and maxEpsilon bound Threshold and Epsilon likewise.
	maxThreshold = 1e3
	maxEpsilon   = 1e12
)

// madScale makes the median absolute deviation of normal data estimate
// its standard deviation.
const madScale = 1.4826

// ErrInvalidConfig is wrapped by the errors of Validate; it matches every
// ripple package's ErrInvalidConfig.
var ErrInvalidConfig = configerr.New("anomaly")

// Detector holds the rules of outlier detection; a key's data is its State.
// Zero fields take their defaults (WithDefaults; the methods apply them
// too). A Detector is read-only, so one serves every key and goroutine.
type Detector struct {
	// Bucket is the width of the windows events are counted in, aligned
	// to the zero time (so minutes and hours start on the clock). Default
	// DefaultBucket; from 1 ms to 24 h, at most 1 h with Seasonal.
	Bucket time.Duration
	// Lateness is how far behind the newest event time of a key an event
	// may be and still count in its window: a window closes once an event
	// (or Advance) at or after its end plus Lateness has been seen. Default
	// Bucket/DefaultLatenessFraction; negative: none; at most 10 buckets.
	Lateness time.Duration
	// History is how many closed windows the spread (the median absolute
	// deviation) is estimated from. Default DefaultHistory; 3 to
	// MaxHistory.
	History int
	// MinHistory is how many windows a key must have closed before any can
	// be anomalous. Default DefaultMinHistory.
	MinHistory int
	// Alpha is the weight of each window in the baseline, an exponentially
	// weighted moving average; in (0, 1]. Default DefaultAlpha: about the
	// last ten windows count.
	Alpha float64
	// Threshold is the robust score above which a window is anomalous:
	// |value - baseline| / (1.4826·MAD + Epsilon). Default DefaultThreshold.
	Threshold float64
	// Epsilon is added to the scaled MAD, so a perfectly steady key (MAD 0)
	// needs a difference of Threshold·Epsilon events to be anomalous.
	// Default DefaultEpsilon; must be positive.
	Epsilon float64
	// Direction says which side of the baseline is anomalous. Default
	// Above.
	Direction Direction
	// Consecutive is how many anomalous windows in a row make an alert
	// fire. Default DefaultConsecutive.
	Consecutive int
	// CoolDown is how long a firing alert's windows must be back within the
	// threshold before it resolves; anomalous windows meanwhile keep it
	// firing, so an alert does not flap. Default DefaultCoolDownBuckets
	// buckets; negative: resolve at the first calm window.
	CoolDown time.Duration
	// Seasonal keeps a baseline per hour of day (in Location), so that a
	// daily pattern is expected once a day of history has been seen (see
	// the package documentation).
	Seasonal bool
	// Location is the time zone of Seasonal's hours. Default UTC.
	Location *time.Location
}

// Validate reports rules that cannot work, wrapping ErrInvalidConfig. It
// does not change d: unset fields are valid, and the checks apply to the
// values WithDefaults gives them.
func (d Detector) Validate() error {
	if d.Bucket < 0 || d.Alpha < 0 || d.Threshold < 0 || d.Epsilon < 0 || d.History < 0 || d.MinHistory < 0 || d.Consecutive < 0 {
		return fmt.Errorf("%w: negative Bucket, Alpha, Threshold, Epsilon, History, MinHistory or Consecutive in %+v", ErrInvalidConfig, d)
	}
	if d.History > MaxHistory || d.Threshold > maxThreshold || d.Epsilon > maxEpsilon {
		return fmt.Errorf("%w: History %d, Threshold %v or Epsilon %v is over its limit (%d, %v, %v)",
			ErrInvalidConfig, d.History, d.Threshold, d.Epsilon, MaxHistory, maxThreshold, maxEpsilon)
	}
	d = d.WithDefaults()
	switch {
	case d.Bucket < time.Millisecond || d.Bucket > 24*time.Hour:
		return fmt.Errorf("%w: Bucket %v is not between 1ms and 24h", ErrInvalidConfig, d.Bucket)
	case d.Seasonal && d.Bucket > time.Hour:
		return fmt.Errorf("%w: Bucket %v is longer than the hour Seasonal keeps a baseline for", ErrInvalidConfig, d.Bucket)
	case d.Lateness > maxLateness*d.Bucket:
		return fmt.Errorf("%w: Lateness %v is over %d buckets of %v", ErrInvalidConfig, d.Lateness, maxLateness, d.Bucket)
	case d.History < 3 || d.History > MaxHistory:
		return fmt.Errorf("%w: History %d is not between 3 and %d", ErrInvalidConfig, d.History, MaxHistory)
	case d.Alpha > 1 || math.IsNaN(d.Alpha):
		return fmt.Errorf("%w: Alpha %v is not in (0, 1]", ErrInvalidConfig, d.Alpha)
	case math.IsNaN(d.Threshold) || math.IsNaN(d.Epsilon):
		return fmt.Errorf("%w: Threshold %v and Epsilon %v must be numbers", ErrInvalidConfig, d.Threshold, d.Epsilon)
	case d.Direction != Above && d.Direction != Below && d.Direction != Both:
		return fmt.Errorf("%w: Direction %q (want %s, %s or %s)", ErrInvalidConfig, d.Direction, Above, Below, Both)
	case d.Consecutive > maxBuckets || d.CoolDown > maxBuckets*d.Bucket:
		return fmt.Errorf("%w: Consecutive %d or CoolDown %v is over %d buckets", ErrInvalidConfig, d.Consecutive, d.CoolDown, maxBuckets)
	}
	return nil
}

// WithDefaults returns a copy of d with its unset fields set to their
// defaults (History, Threshold and Epsilon also capped at their limits).
// The methods apply it themselves, so a Detector used as it is works too.
func (d Detector) WithDefaults() Detector {
	p := d
	p.Bucket = orDefault(p.Bucket, DefaultBucket)
	p.Lateness = orDefault(p.Lateness, p.Bucket/DefaultLatenessFraction)
	p.History = min(orDefault(p.History, DefaultHistory), MaxHistory)
	p.MinHistory = orDefault(p.MinHistory, DefaultMinHistory)
	p.Alpha = orDefault(p.Alpha, DefaultAlpha)
	p.Threshold = min(orDefault(p.Threshold, DefaultThreshold), maxThreshold)
	p.Epsilon = min(orDefault(p.Epsilon, DefaultEpsilon), maxEpsilon)
	if p.Direction == "" {
		p.Direction = Above
	}
	p.Consecutive = orDefault(p.Consecutive, DefaultConsecutive)
	p.CoolDown = orDefault(p.CoolDown, DefaultCoolDownBuckets*p.Bucket)
	if p.Location == nil {
		p.Location = time.UTC
	}
	return p
}

// lateness and coolDown are the Lateness and CoolDown in effect: negative
// values (none) count as zero.
func (p *Detector) lateness() time.Duration { return max(p.Lateness, 0) }
func (p *Detector) coolDown() time.Duration { return max(p.CoolDown, 0) }

// Observe counts n events (or units of a rate, such as bytes) at event
// time t for the key whose state is st, and returns the alerts that changed
// status as windows closed, oldest first. An event before the oldest open
// window is too late: it is counted in st.Late and otherwise ignored. A
// negative or NaN n counts as zero, one over MaxCount as MaxCount.
func (d *Detector) Observe(st *State, t time.Time, n float64) []Transition {
	p := d.WithDefaults()
	st.repair(p)
	if !(n >= 0) {
		n = 0
	}
	n = min(n, MaxCount)
	if st.Start.IsZero() {
		st.Start, st.Clock = t.Truncate(p.Bucket), t
	}
	var out []Transition
	if t.After(st.Clock) {
		st.Clock = t
		out = p.closeUntil(st, t.Add(-p.lateness()))
	}
	if t.Before(st.Start) {
		st.Late++
		return out
	}
	// Bounded by (Lateness+Bucket)/Bucket: every window ending at or
	// before the watermark has just closed.
	i := int(t.Sub(st.Start) / p.Bucket)
	for len(st.Open) <= i {
		st.Open = append(st.Open, 0)
	}
	st.Open[i] = min(st.Open[i]+n, maxValue)
	return out
}

// Advance tells the key's state that event time t has come without an
// event (a job's timer estimates it from processing time), closing the
// windows that end at or before t minus Lateness, and returns the alerts
// that changed status, oldest first. A state that never observed an event
// is left alone.
func (d *Detector) Advance(st *State, t time.Time) []Transition {
	p := d.WithDefaults()
	st.repair(p)
	if st.Start.IsZero() || !t.After(st.Clock) {
		return nil
	}
	st.Clock = t
	return p.closeUntil(st, t.Add(-p.lateness()))
}

// NextClose returns the event time at which Advance closes the key's
// oldest open window: its end plus Lateness. It is zero for a state that
// never observed an event.
func (d *Detector) NextClose(st *State) time.Time {
	if st.Start.IsZero() {
		return time.Time{}
	}
	p := d.WithDefaults()
	return st.Start.Add(p.Bucket + p.lateness())
}

// Band returns what the key's window starting at start would be scored
// against: its baseline and the counts at which the score reaches the
// threshold below and above it. Dashboards can draw it as the expected
// range.
func (d *Detector) Band(st *State, start time.Time) (baseline, low, high float64) {
	p := d.WithDefaults()
	baseline = p.baseline(st, start)
	scale := madScale*mad(st.Resid) + p.Epsilon
	return baseline, baseline - p.Threshold*scale, baseline + p.Threshold*scale
}

// closeUntil closes, oldest first, every open window that ends at or
// before wm, counting windows without events as zero. After a gap of more
// than maxGap empty windows the rest are skipped in one step (see skip).
func (p *Detector) closeUntil(st *State, wm time.Time) []Transition {
	if st.Start.Add(p.Bucket).After(wm) {
		return nil
	}
	st.repairHistory()
	var out []Transition
	for !st.Start.Add(p.Bucket).After(wm) {
		if len(st.Open) == 0 {
			if n := int64(wm.Sub(st.Start)/p.Bucket) - p.maxGap(); n > 0 {
				for range p.maxGap() {
					out = p.closeOne(st, 0, out)
				}
				p.skip(st, n)
				continue
			}
		}
		x := 0.0
		if len(st.Open) > 0 {
			x = st.Open[0]
			st.Open = st.Open[1:]
		}
		out = p.closeOne(st, x, out)
	}
	if len(st.Open) == 0 {
		st.Open = nil // not an empty array in the stored state
	}
	return out
}

// maxGap is how many empty windows in a row are scored one by one: enough
// to fill the history, fire on a drop and resolve after the cool-down.
func (p *Detector) maxGap() int64 {
	return int64(p.History+p.Consecutive+1) + int64(p.coolDown()/p.Bucket)
}

// skip moves st past n empty windows at once: the baselines decay as n
// zeros would make them, the residuals (already those of zeros) stay, and
// no alert changes status: a drop that was anomalous stays so, and a calm
// alert resolved within the windows maxGap scored one by one.
func (p *Detector) skip(st *State, n int64) {
	end := st.Start.Add(time.Duration(n) * p.Bucket)
	st.Mean *= math.Pow(1-p.Alpha, float64(n))
	if st.Hourly != nil {
		f := math.Pow(1-p.Alpha, float64(n)/24)
		for h := range st.Hourly {
			st.Hourly[h] *= f
		}
	}
	if st.Streak > 0 {
		st.Streak = int(min(int64(st.Streak)+n, math.MaxInt32))
		st.LastAnomalous = end
	}
	st.Closed += n
	st.Start = end
}

// closeOne scores the window at st.Start holding x events, moves the alert
// state machine, learns from the window and opens the next one.
func (p *Detector) closeOne(st *State, x float64, out []Transition) []Transition {
	start := st.Start
	end := start.Add(p.Bucket)
	base := p.baseline(st, start)
	scale := madScale*mad(st.Resid) + p.Epsilon
	dev := x - base
	score := math.Abs(dev) / scale
	side := Above
	if dev < 0 {
		side = Below
	}
	warm := st.Closed >= int64(p.MinHistory)
	tr := Transition{Start: start, End: end, Value: x, Baseline: base, Score: score}
	if warm && score > p.Threshold && p.Direction.covers(side) {
		if st.Streak == 0 {
			st.StreakStart = start
		}
		st.Streak++
		st.LastAnomalous = end
		if !st.Firing && st.Streak >= p.Consecutive {
			st.Firing, st.Side, st.Since, st.Changed = true, side, st.StreakStart, end
			tr.Status, tr.Direction, tr.Since = Firing, side, st.Since
			tr.Threshold = bound(base, scale, p.Threshold, side)
			out = append(out, tr)
		}
	} else {
		st.Streak, st.StreakStart = 0, time.Time{}
		if st.Firing && !end.Before(st.LastAnomalous.Add(p.coolDown())) {
			tr.Status, tr.Direction, tr.Since = Resolved, st.Side, st.Since
			tr.Threshold = bound(base, scale, p.Threshold, st.Side)
			out = append(out, tr)
			st.Firing, st.Side, st.Since, st.Changed = false, "", time.Time{}, end
		}
	}
	// Learn from the window, clamped to the threshold once warm, so an
	// outlier moves the baseline and the spread by a bounded step and a
	// lasting shift is absorbed gradually.
	xc := x
	if warm {
		xc = min(max(x, base-p.Threshold*scale), base+p.Threshold*scale)
	}
	if st.Closed > 0 {
		st.push(float32(xc-base), p.History)
	}
	p.learn(st, start, xc)
	st.Closed++
	st.Start = end
	return out
}

func bound(base, scale, threshold float64, side Direction) float64 {
	if side == Below {
		return base - threshold*scale
	}
	return base + threshold*scale
}

// baseline returns the expected count of the window starting at start.
func (p *Detector) baseline(st *State, start time.Time) float64 {
	if p.Seasonal && len(st.Hourly) == 24 {
		if h := start.In(p.Location).Hour(); st.Hours&(1<<h) != 0 {
			return st.Hourly[h]
		}
	}
	return st.Mean
}

// learn moves the baselines towards x. Until 1/Alpha windows have closed
// the weight is 1/(windows+1), a plain mean, so the first window does not
// dominate the start.
func (p *Detector) learn(st *State, start time.Time, x float64) {
	a := max(p.Alpha, 1/float64(st.Closed+1))
	before := st.Mean
	st.Mean += a * (x - st.Mean)
	if !p.Seasonal {
		return
	}
	if st.Hourly == nil {
		st.Hourly, st.Hours = make([]float64, 24), 0
	}
	h := start.In(p.Location).Hour()
	if st.Hours&(1<<h) == 0 {
		st.Hourly[h], st.Hours = before, st.Hours|1<<h // an hour first seen starts from the global level
	}
	st.Hourly[h] += a * (x - st.Hourly[h])
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

func orDefault[T int | int64 | float64 | time.Duration](v, def T) T {
	if v == 0 {
		return def
	}
	return v
}
