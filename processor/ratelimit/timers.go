package ratelimit

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/ripplestream/ripple/processor"
)

// MaxDelayedBytes is the largest event the stage holds in a timer under the
// Delay policy; a larger one over the limit is dropped and counted as
// suppressed. A timer record carries its event in base64, a third larger,
// and must stay under Kafka's default limit of 1 MB per record.
const MaxDelayedBytes = 512 << 10

// Kinds of the stage's timers: the first byte of a timer's value.
const (
	timerDelayed = 'd' // the rest is a held event, to emit when the timer fires
	timerSummary = 's' // the rest is the timer's due time, decimal Unix ms
)

// ErrBadTimer is returned for a timer the stage did not set.
var ErrBadTimer = errors.New("ratelimit: unknown timer")

// hold sets a timer that emits raw, an event the Delay policy holds, wait
// from now: the wait, decided by the stage's time, is taken in processing
// time from the moment the event is handled.
func (s *stage) hold(c *processor.Context[State], key string, raw []byte, wait time.Duration) error {
	v := make([]byte, 0, 1+len(raw))
	v = append(v, timerDelayed)
	return c.After(max(wait, 0), key, append(v, raw...))
}

// anchor keeps the key's summary timer after an event at now, the stage's
// time. While the key has events held back it has one pending timer; the
// anchor (the newest event's time and the processing time it was handled
// at) lets the timer estimate the key's time when it fires.
func (s *stage) anchor(c *processor.Context[State], key string, st *State, now time.Time) error {
	pnow := c.Now()
	_, open := s.cfg.Limiter.SummaryDue(st)
	// A timer is never more than a horizon late while the job keeps up:
	// one later than that was lost, or the job was down (if it is still
	// delivered, the state expects another and it does nothing).
	lost := st.TimerAt != 0 && pnow.UnixMilli()-st.TimerAt > s.cfg.horizon().Milliseconds()
	switch {
	case !open && (st.TimerAt == 0 || lost):
		st.TimerAt, st.EventAt, st.SeenAt = 0, 0, 0
		return nil
	case st.TimerAt != 0 && !lost:
		st.EventAt = max(st.EventAt, now.UnixMilli())
	default:
		st.EventAt = now.UnixMilli()
	}
	st.SeenAt = pnow.UnixMilli()
	if open && (st.TimerAt == 0 || lost) {
		return s.arm(c, key, st, pnow)
	}
	return nil
}

// arm sets the key's summary timer for when, by its anchor, the summary is
// due; never further ahead than the horizon.
func (s *stage) arm(c *processor.Context[State], key string, st *State, pnow time.Time) error {
	due, _ := s.cfg.Limiter.SummaryDue(st)
	p := pnow.UnixMilli()
	dueMs := (due.UnixNano() + int64(time.Millisecond) - 1) / int64(time.Millisecond) // rounded up
	at := min(max(st.SeenAt+dueMs-st.EventAt, p+1), p+s.cfg.horizon().Milliseconds())
	st.TimerAt = at
	return c.At(time.UnixMilli(at), key, strconv.AppendInt([]byte{timerSummary}, at, 10))
}

// fire handles one of the stage's timers.
func (s *stage) fire(c *processor.Context[State], key string, v []byte) error {
	if len(v) > 0 && v[0] == timerDelayed {
		return s.out.Emit(c, key, v[1:])
	}
	if len(v) > 0 && v[0] == timerSummary {
		if at, err := strconv.ParseInt(string(v[1:]), 10, 64); err == nil {
			if !s.cfg.summaryTimers() {
				return nil // set before summaries were turned off
			}
			return s.summarize(c, key, at)
		}
	}
	return processor.Permanent(fmt.Errorf("%w %q under key %q", ErrBadTimer, excerpt(v), key))
}

// summarize handles the key's summary timer, due at the processing time
// at. It estimates the key's current time from its anchor, assuming the
// stage's time went on with processing time since the key's newest event,
// and emits the key's Summary if it is due by then; while events are held
// back, it sets the next timer. A timer the state does not expect
// (superseded, or delivered twice) does nothing.
func (s *stage) summarize(c *processor.Context[State], key string, at int64) error {
	st, ok, err := c.State()
	if err != nil {
		c.Logger().Warn("ratelimit: summary timer ignored: unreadable state", "err", err)
		return nil
	}
	if !ok || st.TimerAt != at {
		return nil
	}
	st.TimerAt = 0
	pnow := c.Now()
	p, horizon := pnow.UnixMilli(), s.cfg.horizon().Milliseconds()
	// A timer more than a horizon late means the job was down or far
	// behind, and the key's backlog may still be on its way: that time
	// does not count as the key's time passing.
	if overdue := p - at; overdue > horizon {
		st.SeenAt += overdue + horizon
	}
	est := time.UnixMilli(st.EventAt + max(p-st.SeenAt, 0)).UTC()
	if sum := s.cfg.Limiter.Summarize(&st, est); sum != nil {
		if err := s.summary.Emit(c, key, s.summaryEvent(key, sum)); err != nil {
			return err
		}
	}
	if _, open := s.cfg.Limiter.SummaryDue(&st); open {
		if err := s.arm(c, key, &st, pnow); err != nil {
			return err
		}
	} else {
		st.EventAt, st.SeenAt = 0, 0
	}
	return c.SetState(st)
}
