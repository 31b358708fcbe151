package window

import (
	"fmt"
	"time"

	"github.com/ripplestream/ripple/internal/configerr"
)

// Kind is the kind of windows an Assigner makes.
type Kind uint8

// The kinds of windows.
const (
	// KindTumbling windows are fixed-size, aligned and do not overlap.
	KindTumbling Kind = iota + 1
	// KindHopping windows are fixed-size and aligned, and start every
	// advance, so they overlap when the advance is smaller than the size.
	KindHopping
	// KindSession windows are a key's bursts of events: a session lasts
	// while events come less than the gap apart.
	KindSession
)

func (k Kind) String() string {
	switch k {
	case KindTumbling:
		return "tumbling"
	case KindHopping:
		return "hopping"
	case KindSession:
		return "session"
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// ErrInvalidConfig is wrapped by the errors of the Validate methods; it
// matches every ripple package's ErrInvalidConfig.
var ErrInvalidConfig = configerr.New("window")

// Assigner says which windows an event belongs to. Build one with
// Tumbling, Hopping or Session; the zero Assigner is invalid.
//
// Fixed-size windows are aligned to the Unix epoch: tumbling windows of an
// hour start on the hour (UTC), hopping windows start at every multiple of
// their advance. Window bounds and event times are kept to the millisecond
// (Kafka's resolution); an event time is truncated to its millisecond.
type Assigner struct {
	kind    Kind
	size    time.Duration // the window size, or the session gap
	advance time.Duration // hopping only
}

// Tumbling returns the assigner of aligned, non-overlapping windows of the
// given size: each event belongs to exactly one window [start, start+size).
func Tumbling(size time.Duration) Assigner {
	return Assigner{kind: KindTumbling, size: size, advance: size}
}

// Hopping returns the assigner of aligned windows of the given size that
// start every advance: an event belongs to every window that contains it,
// size/advance of them when advance divides size.
func Hopping(size, advance time.Duration) Assigner {
	return Assigner{kind: KindHopping, size: size, advance: advance}
}

// Session returns the assigner of session windows: an event at t opens the
// window [t, t+gap), and windows that overlap merge, so a session is a run
// of events less than gap apart, ending gap after its last event. An event
// that bridges two sessions merges them into one.
func Session(gap time.Duration) Assigner {
	return Assigner{kind: KindSession, size: gap}
}

// Kind returns the kind of windows a makes.
func (a Assigner) Kind() Kind { return a.kind }

// Size returns the window size (the gap of session windows).
func (a Assigner) Size() time.Duration { return a.size }

// Advance returns how far apart fixed-size windows start: the size for
// tumbling windows, 0 for sessions.
func (a Assigner) Advance() time.Duration { return a.advance }

func (a Assigner) String() string {
	switch a.kind {
	case KindHopping:
		return fmt.Sprintf("hopping %v every %v", a.size, a.advance)
	case KindSession:
		return fmt.Sprintf("session gap %v", a.size)
	case KindTumbling:
		return fmt.Sprintf("tumbling %v", a.size)
	}
	return "no assigner"
}

// Validate reports an assigner that cannot work: none at all, sizes that
// are not positive whole milliseconds, or a hopping advance larger than
// the size (events between windows would belong to none).
func (a Assigner) Validate() error {
	name := "size"
	if a.kind == KindSession {
		name = "gap"
	}
	switch {
	case a.kind < KindTumbling || a.kind > KindSession:
		return fmt.Errorf("%w: no window assigner (use window.Tumbling, Hopping or Session)", ErrInvalidConfig)
	case a.size <= 0 || a.size%time.Millisecond != 0:
		return fmt.Errorf("%w: %s window %s %v must be a positive whole number of milliseconds", ErrInvalidConfig, a.kind, name, a.size)
	case a.kind == KindHopping && (a.advance <= 0 || a.advance%time.Millisecond != 0 || a.advance > a.size):
		return fmt.Errorf("%w: hopping window advance %v must be a positive whole number of milliseconds, at most the size %v",
			ErrInvalidConfig, a.advance, a.size)
	}
	return nil
}

// perEvent returns the most windows one event belongs to.
func (a Assigner) perEvent() int {
	if a.kind != KindHopping {
		return 1
	}
	return int((a.size + a.advance - 1) / a.advance)
}

// inOrder returns how many windows a key whose events come in order has
// open at once, with the given lateness: those that end after the newest
// event time minus the lateness and start before it. Sessions: one.
func (a Assigner) inOrder(lateness time.Duration) int {
	if a.kind == KindSession {
		return 1
	}
	return int((a.size+lateness+a.advance-1)/a.advance) + 1
}

// horizon returns the longest a window stays open past the newest event
// time of its key, before lateness: the size, or the session gap.
func (a Assigner) horizon() time.Duration { return a.size }

// span is a window's bounds in Unix milliseconds: [start, end).
type span struct{ start, end int64 }

// lastEnd returns the end of the latest fixed-size window that holds the
// event time t (ms).
func (a Assigner) lastEnd(t int64) int64 {
	return floorDiv(t, a.advance.Milliseconds())*a.advance.Milliseconds() + a.size.Milliseconds()
}

// fixed calls f with each fixed-size window that holds the event time t
// (ms), latest first.
func (a Assigner) fixed(t int64, f func(span)) {
	size, adv := a.size.Milliseconds(), a.advance.Milliseconds()
	for start := floorDiv(t, adv) * adv; start > t-size; start -= adv {
		f(span{start, start + size})
	}
}

// floorDiv returns a/b rounded towards minus infinity (b > 0), so event
// times before 1970 fall into the right windows.
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}
