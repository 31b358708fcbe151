package window

import (
	"cmp"
	"fmt"
	"slices"
	"time"
)

// DefaultMaxOpen is the default Windower.MaxOpen.
const DefaultMaxOpen = 100

// Windower holds the rules of windowing: which windows an event belongs
// to, how late an event may be, how values aggregate and how many windows
// a key may keep open. It is pure: time is what the caller passes, and all
// that changes is the State it is given. Use w.WithDefaults(), checked by
// Validate.
type Windower[A, T any] struct {
	// Assigner says which windows an event belongs to. Required.
	Assigner Assigner
	// Lateness is how far behind the newest event time of its key an event
	// may be and still be counted: a key's watermark is its newest event
	// time minus Lateness, and a window closes once the watermark reaches
	// its end. Zero closes a window as soon as an event at or past its end
	// arrives. A whole number of milliseconds.
	Lateness time.Duration
	// Aggregator folds the events' values into each window's aggregate.
	// Required.
	Aggregator Aggregator[A, T]
	// MaxOpen is the most windows a key keeps open. An event that would
	// open one more moves the key's watermark to the end of its oldest
	// window, which then closes early (Result.Evicted): state stays
	// bounded, and events that belong only to that window are late from
	// then on. Default DefaultMaxOpen, or more if the windows of a key
	// whose events come in order need more: (size + Lateness) / advance,
	// plus one. It must hold the windows of one event (size/advance of
	// hopping windows).
	MaxOpen int
}

// WithDefaults returns a copy of w with its unset fields set to their
// defaults (MaxOpen's depends on the Assigner: it stays unset while the
// Assigner is invalid).
func (w Windower[A, T]) WithDefaults() Windower[A, T] {
	if w.MaxOpen == 0 && w.Assigner.Validate() == nil {
		w.MaxOpen = max(DefaultMaxOpen, w.Assigner.inOrder(w.Lateness))
	}
	return w
}

// Validate reports rules that cannot work, wrapping ErrInvalidConfig. It
// does not change w: unset fields are valid, and the checks apply to the
// values WithDefaults gives them.
func (w Windower[A, T]) Validate() error {
	if err := w.Assigner.Validate(); err != nil {
		return err
	}
	if w.Lateness < 0 || w.Lateness%time.Millisecond != 0 {
		return fmt.Errorf("%w: Lateness %v must be zero or a positive whole number of milliseconds", ErrInvalidConfig, w.Lateness)
	}
	if w.Aggregator == nil {
		return fmt.Errorf("%w: no Aggregator (use window.Count or window.Sum, or write one)", ErrInvalidConfig)
	}
	w = w.WithDefaults()
	if n := w.Assigner.perEvent(); w.MaxOpen < n {
		return fmt.Errorf("%w: MaxOpen %d cannot hold the %d windows of one event (%s)", ErrInvalidConfig, w.MaxOpen, n, w.Assigner)
	}
	return nil
}

// State is one key's windowing state: its watermark, its open windows with
// their aggregates, and the late events not yet reported. The zero State is
// a key that has seen no event. It encodes to compact JSON; a job keeps it
// per key (see JobState) or as a field of its own state.
type State[A any] struct {
	// Open are the open windows, ordered by start (and so by end: open
	// windows of one key never nest).
	Open []Window[A] `json:"open,omitempty"`
	// Mark is the watermark in Unix milliseconds, valid when Marked: the
	// key has seen an event or been advanced.
	Mark   int64 `json:"wm,omitempty"`
	Marked bool  `json:"on,omitempty"`
	// Late counts the events found late since the last window closed.
	Late int64 `json:"late,omitempty"`
}

// Window is an open window of a key.
type Window[A any] struct {
	// Start and End bound the window's event times, [Start, End), in Unix
	// milliseconds.
	Start int64 `json:"s"`
	End   int64 `json:"e"`
	// Count is how many events the window holds.
	Count int64 `json:"n"`
	// Agg is the aggregate of their values.
	Agg A `json:"a"`
	// Evicted marks a window closed early to keep MaxOpen.
	Evicted bool `json:"x,omitempty"`
}

// Watermark returns the key's watermark, and false for a key that has seen
// no event.
func (s *State[A]) Watermark() (time.Time, bool) {
	return time.UnixMilli(s.Mark).UTC(), s.Marked
}

// Result is a closed window.
type Result[A any] struct {
	// Start and End bound the window: events with Start <= dt < End.
	Start, End time.Time
	// Count is how many events the window holds.
	Count int64
	// Aggregate is the aggregate of their values.
	Aggregate A
	// Late is how many events of the key were late since the key's
	// previous result; the first result of an Advance carries them.
	Late int64
	// Evicted is set for a window closed before the watermark reached its
	// end, because the key had MaxOpen windows open.
	Evicted bool
}

// Outcome is what Add did with an event.
type Outcome struct {
	// Late is set for an event that was not counted: every window it
	// belongs to had closed. It is counted in State.Late.
	Late bool
	// Windows is how many windows the event was added to.
	Windows int
	// Evicted is how many windows the event made the key close early to
	// keep MaxOpen; the next Advance returns them.
	Evicted int
}

// Add counts the event at t with value v in the key's state s: it adds v
// to each open window the event belongs to, opening the missing ones, and
// moves the watermark to t - Lateness if that is later. An event is late,
// and changes nothing but s.Late, when every window it belongs to has
// closed (its end is at or before the watermark). A session event is late
// when t is before the watermark: a session closed there may have held it,
// and counting it would split that session in two.
//
// A hopping event some of whose windows closed counts in the others only.
// Add closes nothing; call Advance next for the windows the new watermark
// (or an eviction) closed.
func (w *Windower[A, T]) Add(s *State[A], t time.Time, v T) Outcome {
	ms := t.UnixMilli()
	if w.late(s, ms) {
		s.Late++
		return Outcome{Late: true}
	}
	var out Outcome
	if w.Assigner.kind == KindSession {
		w.addSession(s, ms, v)
		out.Windows = 1
	} else {
		w.Assigner.fixed(ms, func(sp span) {
			if !s.Marked || sp.end > s.Mark {
				w.addTo(s, sp, v)
				out.Windows++
			}
		})
	}
	if mark := ms - w.Lateness.Milliseconds(); !s.Marked || mark > s.Mark {
		s.Mark, s.Marked = mark, true
	}
	out.Evicted = w.evict(s)
	return out
}

// late reports whether an event at t (ms) is late for s.
func (w *Windower[A, T]) late(s *State[A], t int64) bool {
	switch {
	case !s.Marked:
		return false
	case w.Assigner.kind == KindSession:
		return t < s.Mark
	default:
		return w.Assigner.lastEnd(t) <= s.Mark
	}
}

// addTo adds v to the fixed-size window sp, opening it if needed.
func (w *Windower[A, T]) addTo(s *State[A], sp span, v T) {
	i, found := slices.BinarySearchFunc(s.Open, sp.start, func(o Window[A], start int64) int {
		return cmp.Compare(o.Start, start)
	})
	if !found {
		s.Open = slices.Insert(s.Open, i, Window[A]{Start: sp.start, End: sp.end, Agg: w.Aggregator.Zero()})
	}
	o := &s.Open[i]
	o.Count++
	o.Agg = w.Aggregator.Add(o.Agg, v)
}

// addSession adds an event at t (ms) to the session it falls in, merging
// the sessions its own window [t, t+gap) overlaps.
func (w *Windower[A, T]) addSession(s *State[A], t int64, v T) {
	end := t + w.Assigner.size.Milliseconds()
	// Open sessions do not overlap, so those that overlap [t, end) are
	// the run [i, j) of sessions that end after t and start before end.
	i, _ := slices.BinarySearchFunc(s.Open, t, func(o Window[A], t int64) int {
		if o.End <= t {
			return -1
		}
		return 1
	})
	j := i
	for j < len(s.Open) && s.Open[j].Start < end {
		j++
	}
	if i == j {
		s.Open = slices.Insert(s.Open, i, Window[A]{Start: t, End: end, Count: 1,
			Agg: w.Aggregator.Add(w.Aggregator.Zero(), v)})
		return
	}
	m := s.Open[i]
	for _, o := range s.Open[i+1 : j] {
		m.Count += o.Count
		m.Agg = w.Aggregator.Merge(m.Agg, o.Agg)
		m.End = o.End
	}
	m.Start, m.End = min(m.Start, t), max(m.End, end)
	m.Count++
	m.Agg = w.Aggregator.Add(m.Agg, v)
	s.Open[i] = m
	s.Open = slices.Delete(s.Open, i+1, j)
}

// evict keeps at most MaxOpen windows open by moving the watermark to the
// end of the newest window that must go, and returns how many that closes.
// Windows the watermark has already passed, waiting for Advance, do not
// count.
func (w *Windower[A, T]) evict(s *State[A]) int {
	closed := 0
	for closed < len(s.Open) && s.Open[closed].End <= s.Mark {
		closed++
	}
	n := len(s.Open) - closed - w.maxOpen()
	if n <= 0 {
		return 0
	}
	for i := closed; i < closed+n; i++ {
		s.Open[i].Evicted = true
	}
	s.Mark = s.Open[closed+n-1].End
	return n
}

func (w *Windower[A, T]) maxOpen() int {
	if w.MaxOpen <= 0 {
		return DefaultMaxOpen
	}
	return w.MaxOpen
}

// Advance moves the key's watermark to wm, if that is later, and returns
// the windows that have closed: those that end at or before the
// watermark, in order of their end. A zero wm leaves the watermark where
// events and evictions put it, so Advance(s, time.Time{}) returns what
// they closed.
func (w *Windower[A, T]) Advance(s *State[A], wm time.Time) []Result[A] {
	if !wm.IsZero() {
		if ms := wm.UnixMilli(); !s.Marked || ms > s.Mark {
			s.Mark, s.Marked = ms, true
		}
	}
	n := 0
	for n < len(s.Open) && s.Open[n].End <= s.Mark {
		n++
	}
	if n == 0 {
		return nil
	}
	out := make([]Result[A], n)
	for i, o := range s.Open[:n] {
		out[i] = Result[A]{Start: time.UnixMilli(o.Start).UTC(), End: time.UnixMilli(o.End).UTC(),
			Count: o.Count, Aggregate: o.Agg, Evicted: o.Evicted}
	}
	out[0].Late, s.Late = s.Late, 0
	s.Open = slices.Delete(s.Open, 0, n)
	if len(s.Open) == 0 {
		s.Open = nil
	}
	return out
}
