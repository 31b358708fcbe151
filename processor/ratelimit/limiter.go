package ratelimit

import (
	"fmt"
	"math"
	"time"

	"github.com/ripplestream/ripple/internal/configerr"
)

// Limit is a rate: Rate events per Per, with bursts of up to Burst events
// at once after a quiet spell. Steady traffic passes one event every
// Per/Rate.
type Limit struct {
	// Rate is how many events pass per Per. Zero or negative means no
	// limit; Limiter.Validate requires it.
	Rate int
	// Per is the period of Rate. Default one second.
	Per time.Duration
	// Burst is how many events pass at once after a quiet spell. Default
	// Rate.
	Burst int
}

// Policy says what happens to an event over the limit.
type Policy string

// Policies.
const (
	// Drop drops events over the limit.
	Drop Policy = "drop"
	// Delay holds events over the limit until they conform, up to MaxDelay
	// (later ones are dropped). Held events take their slot in the rate, so
	// the passed and released events together keep to the limit.
	Delay Policy = "delay"
	// Sample passes every SampleEvery-th event over the limit and drops
	// the rest, so a flood stays visible at a known fraction.
	Sample Policy = "sample"
)

// Defaults of Limiter.WithDefaults.
const (
	// DefaultPer is the default Limit.Per.
	DefaultPer = time.Second
	// DefaultSampleEvery is the default Limiter.SampleEvery.
	DefaultSampleEvery = 100
	// DefaultMaxDelay is the default Limiter.MaxDelay.
	DefaultMaxDelay = time.Minute
	// DefaultSummaryInterval is the default Limiter.SummaryInterval.
	DefaultSummaryInterval = time.Minute
	// DefaultThreshold is the default Adaptive.Threshold.
	DefaultThreshold = 0.1
	// DefaultFactor is the default Adaptive.Factor.
	DefaultFactor = 0.1
	// DefaultSmoothing is the default Adaptive.Smoothing.
	DefaultSmoothing = 0.2
)

// Bounds that keep the nanosecond arithmetic of Decide from overflowing.
const (
	maxBurst = 1 << 20
	maxPer   = 366 * 24 * time.Hour
)

// ErrInvalidConfig is wrapped by the errors of Validate; it matches every
// ripple package's ErrInvalidConfig.
var ErrInvalidConfig = configerr.New("ratelimit")

// Adaptive tightens a key's limit while the error rate its events report is
// high. The rate is a smoothed average of the values the key's events
// report (see Config.ErrorRate): of a rate field, or of 1 for a failed and
// 0 for a good event, which makes it the key's fraction of failures.
type Adaptive struct {
	// Threshold is the smoothed error rate above which the limit tightens;
	// in (0, 1). Default DefaultThreshold.
	Threshold float64
	// Factor multiplies the limit's Rate and Burst while it is tightened;
	// in (0, 1). Default DefaultFactor.
	Factor float64
	// Smoothing is the weight of each new value in the moving average; in
	// (0, 1], where 1 follows the last value only. Default DefaultSmoothing.
	Smoothing float64
}

// Limiter is the pure core: the rules for one stream, applied by Decide to
// the State of one key. Use l.WithDefaults(), checked by Validate.
type Limiter struct {
	// Limit is the rate each key is held to. Limit.Rate is required.
	Limit Limit
	// Policy is what happens to events over the limit. Default Drop.
	Policy Policy
	// SampleEvery is N for the Sample policy: every Nth event over the
	// limit passes. Default DefaultSampleEvery.
	SampleEvery int
	// MaxDelay bounds the wait of the Delay policy. Default DefaultMaxDelay.
	MaxDelay time.Duration
	// SummaryInterval is the shortest time a summary covers: once it has
	// passed since a key's first held-back event, that key's next event
	// brings a Summary of what was held back (Decide), or, if the key went
	// quiet, Summarize does when called (the stage calls it from a timer).
	// A negative value disables summaries. Default DefaultSummaryInterval.
	SummaryInterval time.Duration
	// Adaptive, when set, tightens a key's limit while its error rate is
	// high.
	Adaptive *Adaptive
}

// WithDefaults returns a copy of l with its unset fields set to their
// defaults (a set Adaptive is copied, not changed).
func (l Limiter) WithDefaults() Limiter {
	if l.Limit.Per == 0 {
		l.Limit.Per = DefaultPer
	}
	if l.Limit.Burst == 0 {
		l.Limit.Burst = min(l.Limit.Rate, maxBurst)
	}
	if l.Policy == "" {
		l.Policy = Drop
	}
	if l.SampleEvery == 0 {
		l.SampleEvery = DefaultSampleEvery
	}
	if l.MaxDelay == 0 {
		l.MaxDelay = DefaultMaxDelay
	}
	if l.SummaryInterval == 0 {
		l.SummaryInterval = DefaultSummaryInterval
	}
	if l.Adaptive != nil {
		a := *l.Adaptive
		a.Threshold = orDefault(a.Threshold, DefaultThreshold)
		a.Factor = orDefault(a.Factor, DefaultFactor)
		a.Smoothing = orDefault(a.Smoothing, DefaultSmoothing)
		l.Adaptive = &a
	}
	return l
}

// Validate reports rules that cannot work, wrapping ErrInvalidConfig. It
// does not change l: unset fields are valid, and the checks apply to the
// values WithDefaults gives them.
func (l Limiter) Validate() error {
	if l.Limit.Rate <= 0 {
		return fmt.Errorf("%w: Limit.Rate %d must be positive", ErrInvalidConfig, l.Limit.Rate)
	}
	l = l.WithDefaults()
	switch {
	case l.Limit.Per < 0 || l.Limit.Per > maxPer:
		return fmt.Errorf("%w: Limit.Per %v outside (0, %v]", ErrInvalidConfig, l.Limit.Per, maxPer)
	case l.Limit.Per/time.Duration(l.Limit.Rate) == 0:
		return fmt.Errorf("%w: Limit %d per %v is more than one event per nanosecond", ErrInvalidConfig, l.Limit.Rate, l.Limit.Per)
	case l.Limit.Burst < 0 || l.Limit.Burst > maxBurst:
		return fmt.Errorf("%w: Limit.Burst %d outside [1, %d]", ErrInvalidConfig, l.Limit.Burst, maxBurst)
	}
	if l.Policy != Drop && l.Policy != Delay && l.Policy != Sample {
		return fmt.Errorf("%w: Policy %q (want %q, %q or %q)", ErrInvalidConfig, l.Policy, Drop, Delay, Sample)
	}
	if l.SampleEvery < 1 || l.MaxDelay < 0 || l.MaxDelay > maxPer {
		return fmt.Errorf("%w: SampleEvery %d must be >= 1 and MaxDelay %v in [0, %v]", ErrInvalidConfig, l.SampleEvery, l.MaxDelay, maxPer)
	}
	if a := l.Adaptive; a != nil {
		if !(a.Threshold > 0 && a.Threshold < 1) || !(a.Factor > 0 && a.Factor < 1) || !(a.Smoothing > 0 && a.Smoothing <= 1) {
			return fmt.Errorf("%w: Adaptive Threshold %v and Factor %v must be in (0, 1), Smoothing %v in (0, 1]",
				ErrInvalidConfig, a.Threshold, a.Factor, a.Smoothing)
		}
	}
	return nil
}

func orDefault(v, d float64) float64 {
	if v == 0 {
		return d
	}
	return v
}

// Outcome is what Decide did with an event.
type Outcome uint8

// Outcomes of Decide.
const (
	// Pass: within the limit; emit the event.
	Pass Outcome = iota
	// Sampled: over the limit but picked by the Sample policy; emit it.
	Sampled
	// Delayed: over the limit; emit it at Decision.Due.
	Delayed
	// Dropped: over the limit; do not emit it.
	Dropped
)

var outcomeNames = [...]string{"pass", "sampled", "delayed", "dropped"}

// String returns the outcome's name.
func (o Outcome) String() string {
	if int(o) < len(outcomeNames) {
		return outcomeNames[o]
	}
	return fmt.Sprintf("Outcome(%d)", o)
}

// Emits reports whether the event goes to the output now.
func (o Outcome) Emits() bool { return o == Pass || o == Sampled }

// Summary reports what a key had held back over a period.
type Summary struct {
	// Suppressed counts the events dropped (or not sampled).
	Suppressed int64
	// Delayed counts the events delayed.
	Delayed int64
	// Since is when the first of them was held back; Until is the time of
	// the event that brought the summary (Decide), or the time Summarize
	// was called with.
	Since, Until time.Time
}

// Decision is what Decide returns for one event.
type Decision struct {
	// Outcome says what to do with the event.
	Outcome Outcome
	// Due is when a Delayed event conforms.
	Due time.Time
	// Summary, when not nil, reports the period that ended before this
	// event: emit it along with the event.
	Summary *Summary
	// Tightened reports that the adaptive limit applied.
	Tightened bool
}

// Observe feeds the error rate an event of the key reports into the key's
// smoothed error rate. Values are clamped to [0, 1]; NaN is ignored.
func (l *Limiter) Observe(st *State, rate float64) {
	if l.Adaptive == nil || math.IsNaN(rate) {
		return
	}
	rate = min(max(rate, 0), 1)
	st.ErrorRate += orDefault(l.Adaptive.Smoothing, DefaultSmoothing) * (rate - st.ErrorRate)
}

// Decide applies the limit to one event of the key whose state is st, at
// now, and updates st. It is GCRA: st.TAT is the time at which the key's
// bucket is empty again, and an event passes when it would not push TAT
// more than Burst emission intervals past now. A Limiter with a zero Rate
// passes everything.
func (l *Limiter) Decide(st *State, now time.Time) Decision {
	d := Decision{Summary: l.Summarize(st, now)}
	interval, burst, tight := l.effective(st)
	d.Tightened = tight
	if interval <= 0 {
		return d // no limit: Pass
	}
	ns := now.UnixNano()
	tat := ns
	if !st.TAT.IsZero() {
		tat = max(st.TAT.UnixNano(), ns)
	}
	tat += int64(interval)
	tolerance := int64(interval) * int64(burst) // cannot overflow: see effective
	if tat-ns <= tolerance {
		st.TAT = time.Unix(0, tat)
		return d
	}
	switch l.Policy {
	case Sample:
		st.Over++
		if st.Over >= int64(max(l.SampleEvery, 1)) {
			st.Over = 0
			d.Outcome = Sampled
			return d
		}
	case Delay:
		if due := tat - tolerance; due-ns <= int64(l.MaxDelay) {
			st.TAT = time.Unix(0, tat)
			d.Outcome, d.Due = Delayed, time.Unix(0, due)
			st.Delayed++
			st.hold(now)
			return d
		}
	}
	d.Outcome = Dropped
	st.Suppressed++
	st.hold(now)
	return d
}

// Summarize returns the Summary of what the key whose state is st held
// back, and starts a new period, if SummaryInterval has passed at now since
// the first of them; otherwise it returns nil and changes nothing. Decide
// calls it for each event; call it yourself to report a key that went
// quiet.
func (l *Limiter) Summarize(st *State, now time.Time) *Summary {
	si := l.summaryInterval()
	if si <= 0 || st.Suppressed+st.Delayed == 0 || now.Before(st.Since.Add(si)) {
		return nil
	}
	sum := &Summary{Suppressed: st.Suppressed, Delayed: st.Delayed, Since: st.Since, Until: now}
	st.Suppressed, st.Delayed, st.Since = 0, 0, time.Time{}
	return sum
}

// SummaryDue returns when the key whose state is st has a Summary due
// (Since plus SummaryInterval), and false if it has nothing held back or
// summaries are disabled.
func (l *Limiter) SummaryDue(st *State) (time.Time, bool) {
	si := l.summaryInterval()
	if si <= 0 || st.Suppressed+st.Delayed == 0 {
		return time.Time{}, false
	}
	return st.Since.Add(si), true
}

func (l *Limiter) summaryInterval() time.Duration {
	if l.SummaryInterval == 0 {
		return DefaultSummaryInterval
	}
	return l.SummaryInterval
}

// effective returns the emission interval and burst that apply to st now.
func (l *Limiter) effective(st *State) (interval time.Duration, burst int, tight bool) {
	if l.Limit.Rate <= 0 {
		return 0, 0, false
	}
	per := l.Limit.Per
	if per <= 0 {
		per = DefaultPer
	}
	interval = min(per, maxPer) / time.Duration(l.Limit.Rate)
	if interval <= 0 {
		return 0, 0, false // over one event per nanosecond: Validate refuses it
	}
	burst = l.Limit.Burst
	if burst <= 0 {
		burst = l.Limit.Rate
	}
	burst = min(burst, maxBurst)
	if a := l.Adaptive; a != nil && st.ErrorRate > orDefault(a.Threshold, DefaultThreshold) {
		f := orDefault(a.Factor, DefaultFactor)
		if f > 0 && f < 1 {
			interval = time.Duration(min(float64(interval)/f, float64(maxPer)))
			burst = max(1, int(float64(burst)*f))
			tight = true
		}
	}
	// Keep interval*burst, the tolerance, within int64 nanoseconds.
	burst = min(burst, int(math.MaxInt64/2/int64(interval)))
	return interval, burst, tight
}
