package dedupe

import (
	"fmt"
	"time"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/processor"
)

// save sets the key's state after an event at now, the stage's time. Unless
// Config.NoTimers is set, it anchors the key's expiry timer at this write
// and sets the timer if the key has none pending.
func (s *stage) save(c *processor.Context[State], key string, st *State, now time.Time) error {
	if !s.cfg.NoTimers {
		pnow := c.Now()
		st.EventAt = max(st.IDs.set.clock(now), st.Roots.set.clock(now))
		st.SeenAt = pnow.UnixMilli()
		if s.needsTimer(st, pnow) {
			if err := s.arm(c, key, st, pnow); err != nil {
				return err
			}
		}
	}
	return c.SetState(*st)
}

// needsTimer reports whether the key has no pending expiry timer: none was
// set (the state predates timers, or Config.NoTimers was set when it was
// written), or the one set is more than a horizon overdue, which a timer
// never is while the job keeps up. A timer replaced that way and still
// delivered later finds the state expecting another one and does nothing.
func (s *stage) needsTimer(st *State, pnow time.Time) bool {
	return st.TimerAt == 0 || pnow.UnixMilli()-st.TimerAt > s.cfg.horizon().Milliseconds()
}

// arm sets the key's expiry timer for when, by its anchor, its newest id
// and root have expired; never further ahead than the horizon.
func (s *stage) arm(c *processor.Context[State], key string, st *State, pnow time.Time) error {
	p := pnow.UnixMilli()
	due := p + 1
	if st.IDs.Len() > 0 {
		due = max(due, st.SeenAt+st.IDs.set.newest()+max(st.IDs.ttl().Milliseconds(), 1)-st.EventAt)
	}
	if st.Roots.Len() > 0 {
		ttl := orDefault(st.Roots.TTL, DefaultRootTTL)
		due = max(due, st.SeenAt+st.Roots.set.newest()+max(ttl.Milliseconds(), 1)-st.EventAt)
	}
	due = min(due, p+s.cfg.horizon().Milliseconds())
	v, err := event.JSON[int64]{}.Encode(due)
	if err != nil {
		return processor.Permanent(fmt.Errorf("dedupe: encoding timer of key %q: %w", key, err))
	}
	st.TimerAt = due
	return c.At(time.UnixMilli(due), key, v)
}

// fire handles the key's expiry timer, due at the processing time at. It
// estimates the key's current time from its anchor, assuming the stage's
// time went on with processing time since the key's last write, prunes
// what expired by then, and deletes the state if nothing is left, or sets
// the next timer. A timer the state does not expect (superseded, or
// delivered twice) does nothing.
func (s *stage) fire(c *processor.Context[State], key string, at int64) error {
	st, ok, err := c.State()
	if err != nil {
		// The next event of the key would start afresh (see handle).
		c.Logger().Warn("dedupe: unreadable state deleted by its expiry timer", "err", err)
		return c.DeleteState()
	}
	if !ok || st.TimerAt != at {
		return nil
	}
	s.limits(&st)
	pnow := c.Now()
	p, horizon := pnow.UnixMilli(), s.cfg.horizon().Milliseconds()
	// A timer more than a horizon late means the job was down or far
	// behind, and the key's backlog may still be on its way: that time
	// does not count as the key's time passing, and the key gets another
	// horizon for its backlog to arrive.
	if overdue := p - at; overdue > horizon {
		st.SeenAt += overdue + horizon
	}
	est := time.UnixMilli(st.EventAt + max(p-st.SeenAt, 0))
	st.IDs.Prune(est)
	st.Roots.Prune(est)
	st.TimerAt = 0
	if st.IDs.Len() == 0 && st.Roots.Len() == 0 {
		return c.DeleteState()
	}
	if err := s.arm(c, key, &st, pnow); err != nil {
		return err
	}
	return c.SetState(st)
}
