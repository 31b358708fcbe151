package propagate

import (
	"cmp"
	"container/heap"
	"fmt"
	"github.com/ripplestream/ripple/internal/configerr"
	"time"
)

// Window defaults.
const (
	// DefaultWindow is W, how long a URI's purges are held after one was
	// sent. Ten seconds covers the edit sessions that dominate Wikidata (a
	// bot or batch tool writing one revision per statement or label,
	// seconds apart) while keeping a page at most W behind its last change.
	DefaultWindow = 10 * time.Second
	// DefaultMaxOpen bounds the URIs held at once. A held purge is one
	// ResourceChange (a few hundred bytes), so the default caps a Window
	// near 50 MB; at 5,000 purges/s and W = 10 s it is rarely reached.
	DefaultMaxOpen = 100_000
	// DefaultMemory is how long a Window remembers when it last sent a
	// URI, to drop the purges a sent one covers.
	DefaultMemory = time.Hour
)

// ErrInvalidConfig is wrapped by the errors of Config.Validate and
// WindowConfig.Validate.
var ErrInvalidConfig = configerr.New("propagate")

// WindowConfig configures a Window.
type WindowConfig struct {
	// Length is W (see Coalesced). Zero or negative: purges are never
	// held, only those a sent purge covers are dropped.
	Length time.Duration
	// MaxOpen caps the URIs held at once. At the cap, holding one more
	// URI first releases the window due soonest, early; that is always
	// safe (see Window). Default DefaultMaxOpen.
	MaxOpen int
	// Memory is how long a sent URI is remembered (forgetting one can
	// only cost an extra purge). Default DefaultMemory.
	Memory time.Duration
}

// WithDefaults returns c with its unset fields set to their defaults.
func (c WindowConfig) WithDefaults() WindowConfig {
	c.MaxOpen = cmp.Or(c.MaxOpen, DefaultMaxOpen)
	c.Memory = cmp.Or(c.Memory, DefaultMemory)
	return c
}

// Validate reports a configuration a Window cannot run with. It does not
// fill defaults (see WithDefaults).
func (c WindowConfig) Validate() error {
	if c.MaxOpen < 0 || c.Memory < 0 {
		return fmt.Errorf("%w: window max open %d and memory %v must not be negative (0 for the default)", ErrInvalidConfig, c.MaxOpen, c.Memory)
	}
	return nil
}

// CloseReason says why a Window emitted a purge.
type CloseReason string

// Close reasons.
const (
	ClosedLeading CloseReason = "leading" // sent at once (Coalesced's leading edge)
	ClosedDue     CloseReason = "due"     // the watermark passed the window's end
	ClosedFull    CloseReason = "full"    // released early to stay within MaxOpen
	ClosedFlush   CloseReason = "flush"   // Flush: the input ended
)

// Closed is a purge a Window emits: Held.Count purges merged into one (1
// for a purge sent at once).
type Closed struct {
	Held
	// At is the event time it is emitted at. It is never before the event
	// time of a change it covers.
	At     time.Time
	Reason CloseReason
}

// Release returns the events to emit, stamped with now (see Held.Release).
func (c Closed) Release(now time.Time) (ResourceChange, *PageRerender) {
	return c.Held.Release(now)
}

// Window applies the coalescing rules (Coalesced) to every URI by event
// time: the clock is the watermark, the largest event time seen. It is
// what the changeprop job does with its processing clock, for inputs that
// carry their own time (`ripple deps replay`, the workload's scoring).
// Every emission happens after every change it covers was added, so no
// page is left stale.
//
// A Window is deterministic: time is only what the caller passes in. It
// is not safe for concurrent use.
type Window struct {
	cfg       WindowConfig
	watermark time.Time
	byURI     map[string]*slot
	due       dueHeap // the slots holding purges, by due time
	sent      []sentURI
	dropped   int
}

type slot struct {
	uri   string
	state Coalesced
	due   time.Time // when its held purges are released; zero: none held
}

// sentURI is one send, in the order of the watermark, for forgetting.
type sentURI struct {
	uri string
	at  time.Time
}

// NewWindow returns an empty window with cfg's defaults filled.
func NewWindow(cfg WindowConfig) (*Window, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Window{cfg: cfg, byURI: map[string]*slot{}}, nil
}

// Len is the number of URIs holding purges.
func (w *Window) Len() int { return len(w.due) }

// Dropped is how many purges were dropped because a sent one covered them.
func (w *Window) Dropped() int { return w.dropped }

// Watermark is the largest event time seen.
func (w *Window) Watermark() time.Time { return w.watermark }

// Add offers a purge caused by a change at event time at, and its
// re-index request if any, at the watermark. It returns the purge if it is
// sent at once, and the window released early when holding it would exceed
// MaxOpen.
func (w *Window) Add(rc ResourceChange, rr *PageRerender, at time.Time) []Closed {
	w.raise(at)
	uri := rc.Meta.URI
	s, ok := w.byURI[uri]
	if !ok {
		s = &slot{uri: uri}
		w.byURI[uri] = s
	}
	var out []Closed
	if s.due.IsZero() && w.cfg.Length > 0 && len(w.due) >= w.cfg.MaxOpen && w.wouldHold(s) {
		for len(w.due) >= w.cfg.MaxOpen {
			out = append(out, w.pop(ClosedFull, w.watermark))
		}
	}
	switch act, due := s.state.Offer(rc, rr, w.watermark, w.cfg.Length); act {
	case Drop:
		w.dropped++
	case Send:
		w.sent = append(w.sent, sentURI{uri, w.watermark})
		root := w.watermark
		if rc.RootEvent != nil {
			root = rc.RootEvent.DT
		}
		out = append(out, Closed{Held: Held{Opened: w.watermark, Latest: root, Count: 1, Purge: rc, Rerender: rr}, At: w.watermark, Reason: ClosedLeading})
	case Hold:
		if !due.IsZero() {
			s.due = due
			heap.Push(&w.due, s)
		}
	}
	return out
}

// wouldHold reports whether a purge offered to s now would be held.
func (w *Window) wouldHold(s *slot) bool {
	return s.state.Held != nil || w.watermark.Sub(s.state.Last) < w.cfg.Length
}

// Advance raises the watermark to wm (it never goes back) and releases
// the windows that closed before it, in the order they were due (ties by
// URI), each at its due time. A window due exactly at wm stays open, so a
// change at wm offered next is merged into it rather than dropped as
// covered by a purge at the same instant.
func (w *Window) Advance(wm time.Time) []Closed {
	w.raise(wm)
	var out []Closed
	for len(w.due) > 0 && w.due[0].due.Before(w.watermark) {
		out = append(out, w.pop(ClosedDue, w.due[0].due))
	}
	w.forget()
	return out
}

// Flush releases every held window, in the order they were due, at the
// watermark or their due time, whichever is later.
func (w *Window) Flush() []Closed {
	out := make([]Closed, 0, len(w.due))
	for len(w.due) > 0 {
		out = append(out, w.pop(ClosedFlush, later(w.watermark, w.due[0].due)))
	}
	return out
}

func (w *Window) raise(t time.Time) {
	if t.After(w.watermark) {
		w.watermark = t
	}
}

// pop releases the window due soonest at at.
func (w *Window) pop(reason CloseReason, at time.Time) Closed {
	s := heap.Pop(&w.due).(*slot)
	s.due = time.Time{}
	held := *s.state.Held
	s.state.Release(at)
	w.sent = append(w.sent, sentURI{s.uri, at})
	return Closed{Held: held, At: at, Reason: reason}
}

// forget drops the URIs sent longer than Memory ago and holding nothing.
func (w *Window) forget() {
	n := 0
	for n < len(w.sent) && w.watermark.Sub(w.sent[n].at) > w.cfg.Memory {
		if s, ok := w.byURI[w.sent[n].uri]; ok && s.due.IsZero() && s.state.Last.Equal(w.sent[n].at) {
			delete(w.byURI, s.uri)
		}
		n++
	}
	if n > 0 {
		w.sent = append(w.sent[:0], w.sent[n:]...)
	}
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func (s *slot) compare(o *slot) int {
	if c := s.due.Compare(o.due); c != 0 {
		return c
	}
	return cmp.Compare(s.uri, o.uri)
}

// dueHeap orders held windows by due time, then URI, so emissions are
// deterministic.
type dueHeap []*slot

func (h dueHeap) Len() int           { return len(h) }
func (h dueHeap) Less(i, j int) bool { return h[i].compare(h[j]) < 0 }
func (h dueHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *dueHeap) Push(x any)        { *h = append(*h, x.(*slot)) }
func (h *dueHeap) Pop() any {
	old := *h
	s := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return s
}
