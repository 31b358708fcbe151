package window

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/ripplestream/ripple/processor"
)

// Kinds of the stage's timers.
const (
	timerClose  = "close"  // closes the key's earliest window
	timerExpire = "expire" // forgets the state of a key with no open window
)

// timer is the value of one of the stage's timers: At is when a close
// timer is due, or when an expire timer's key expires (processing time,
// Unix ms). It identifies the timer the key's state expects.
type timer struct {
	Kind string `json:"k"`
	At   int64  `json:"at"`
}

// schedule sets the key's next timer, if it needs one. A key with open
// windows has one pending close timer, for its earliest window; a key
// without has one expire timer, unless Config.KeepIdle is negative.
//
// The close timer of a window ending at e is due when, by the key's
// anchor, event time reaches e + Lateness: at SeenAt + (e + Lateness -
// EventAt), plus CloseDelay. A pending timer set for that window or an
// earlier one is kept: when it fires, it sets the next. (Each event of a
// backlog, whose event time runs ahead of processing time, moves the due
// time earlier; following it would set a timer per event. Keeping the
// pending one may close a key's last window up to a horizon late after a
// backlog.) A window never ends later than its key's newest event time
// plus the window size (or gap), so no close timer is set further ahead
// than Config.horizon: timers of a partition fire in the order they were
// set, and a common horizon keeps one from holding up the others.
func (s *stage[A, T]) schedule(c *processor.Context[JobState[A]], key string, st *JobState[A], now time.Time) error {
	if len(st.Open) == 0 {
		st.Timed = false // a pending close timer has nothing left to close
		if s.cfg.KeepIdle < 0 || st.Expires != 0 {
			return nil
		}
		st.Expires = now.Add(s.cfg.KeepIdle).UnixMilli()
		return s.set(c, key, timer{Kind: timerExpire, At: st.Expires}, now.Add(min(s.cfg.KeepIdle, s.cfg.horizon())))
	}
	st.Expires = 0
	end := st.Open[0].End
	if st.Timed && st.TimerEnd <= end {
		return nil
	}
	due := st.SeenAt + end + (s.w.Lateness + s.cfg.CloseDelay).Milliseconds() - st.EventAt
	st.TimerAt, st.TimerEnd, st.Timed = due, end, true
	return s.set(c, key, timer{Kind: timerClose, At: due}, time.UnixMilli(due))
}

func (s *stage[A, T]) set(c *processor.Context[JobState[A]], key string, t timer, due time.Time) error {
	b, err := json.Marshal(t)
	if err != nil {
		return processor.Permanent(fmt.Errorf("window: encoding timer: %w", err))
	}
	return c.At(due, key, b)
}

// fire handles one of the key's timers. A timer superseded since it was set
// does nothing.
func (s *stage[A, T]) fire(c *processor.Context[JobState[A]], key string, t timer) error {
	st, ok, err := c.State()
	if err != nil {
		c.Logger().Warn("window: timer ignored: unreadable state", "err", err)
		return nil
	}
	if !ok {
		return nil // expired, or never saved
	}
	now := c.Now()
	switch t.Kind {
	case timerClose:
		if !st.Timed || st.TimerAt != t.At || len(st.Open) == 0 {
			return nil
		}
		// A timer is never more than a horizon late while the job keeps up
		// (see schedule). One later than that means the job was down or
		// far behind, and the key's backlog may still be on its way: that
		// time does not count as event time passing, and the key gets
		// another horizon for its backlog to arrive.
		st.Timed = false
		nowMs, horizon := now.UnixMilli(), s.cfg.horizon().Milliseconds()
		if overdue := nowMs - t.At; overdue > horizon {
			st.SeenAt += overdue + horizon
		}
		est := st.EventAt + nowMs - st.SeenAt - (s.w.Lateness + s.cfg.CloseDelay).Milliseconds()
		return s.close(c, key, &st, time.UnixMilli(est), ClosedByTimer, now)
	case timerExpire:
		if st.Expires != t.At || len(st.Open) > 0 {
			return nil
		}
		if now.UnixMilli() >= st.Expires {
			return c.DeleteState()
		}
		// KeepIdle is longer than the horizon: wait for it in steps.
		next := min(st.Expires, now.Add(s.cfg.horizon()).UnixMilli())
		return s.set(c, key, t, time.UnixMilli(next))
	}
	return processor.Permanent(fmt.Errorf("window: timer of unknown kind %q under key %q", t.Kind, key))
}
