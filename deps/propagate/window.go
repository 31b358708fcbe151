package propagate

import (
	"cmp"
	"container/heap"
	"fmt"
	"slices"
	"time"
)

// Window defaults.
const (
	// DefaultWindow is W, how long a URI's purges are held. Ten seconds
	// covers the edit sessions that dominate Wikidata (a bot or batch tool
	// writing one revision per statement or label, seconds apart) while
	// keeping a page at most W behind its last change.
	DefaultWindow = 10 * time.Second
	// DefaultMaxOpen bounds the URIs held at once. A held purge is one
	// ResourceChange (a few hundred bytes), so the default caps a Window
	// near 50 MB; at 5,000 purges/s and W = 10 s it is rarely reached.
	DefaultMaxOpen = 100_000
)

// WindowConfig configures a Window.
type WindowConfig struct {
	// Length is W: the first purge of a URI opens a window that closes
	// W later; purges of the URI until then are merged into it. Default
	// DefaultWindow.
	Length time.Duration
	// MaxOpen caps the URIs held at once. At the cap, holding one more
	// URI first emits the window due soonest, early; that is always safe
	// (see Window). Default DefaultMaxOpen.
	MaxOpen int
}

// Validate fills defaults.
func (c *WindowConfig) Validate() error {
	if c.Length == 0 {
		c.Length = DefaultWindow
	}
	if c.MaxOpen == 0 {
		c.MaxOpen = DefaultMaxOpen
	}
	if c.Length < 0 || c.MaxOpen < 0 {
		return fmt.Errorf("propagate: window length %v and max open %d must not be negative", c.Length, c.MaxOpen)
	}
	return nil
}

// Held is one URI's purges while its window is open, merged into the
// purge of the latest change they cover. It is plain data (JSON), so a
// Kafka job can keep it as the state of the URI's key and drive it with
// Hold, Due and Release, using its own clock and timers instead of a
// Window:
//
//	on a candidate purge: opened := !st.Open(); st.Hold(rc, rr, now)
//	                      if opened { set a timer at st.Due(w) }
//	on the timer:         rc, rr := st.Release(now); emit them; clear st
//
// Because Release comes after every Hold it covers, the purge it returns
// is sent after every change it stands for: merging never leaves a page
// stale, it only delays its purge by up to W.
type Held struct {
	// Opened is when the window opened: the clock at the first Hold.
	Opened time.Time `json:"opened"`
	// Latest is the root event time of Purge, the latest change covered.
	Latest time.Time `json:"latest"`
	// Count is how many purges were merged.
	Count int `json:"count"`
	// Purge is the purge of the latest change, with the tags of all.
	Purge ResourceChange `json:"purge"`
	// Rerender is the latest re-index request among the merged purges.
	Rerender *PageRerender `json:"rerender,omitempty"`
}

// Open reports whether h holds a purge.
func (h *Held) Open() bool { return h.Count > 0 }

// URI is the URI h purges.
func (h *Held) URI() string { return h.Purge.Meta.URI }

// Due is when h's window of length w closes.
func (h *Held) Due(w time.Duration) time.Time { return h.Opened.Add(w) }

// Hold merges a purge (and its re-index request, if any) into h at now,
// opening the window if h holds nothing. The purge of the latest root
// event (ties: the one held last) is kept, with the union of all tags,
// so the emitted event names the newest change it covers.
func (h *Held) Hold(rc ResourceChange, rr *PageRerender, now time.Time) {
	root := now
	if rc.RootEvent != nil {
		root = rc.RootEvent.DT
	}
	if !h.Open() {
		*h = Held{Opened: now, Latest: root, Count: 1, Purge: rc, Rerender: rr}
		h.Purge.Tags = slices.Clone(rc.Tags)
		return
	}
	h.Count++
	if rr != nil {
		h.Rerender = rr
	}
	if root.Before(h.Latest) {
		h.Purge.Tags = unionTags(h.Purge.Tags, rc.Tags)
		return
	}
	tags := unionTags(slices.Clone(rc.Tags), h.Purge.Tags)
	h.Latest, h.Purge = root, rc
	h.Purge.Tags = tags
}

// Release returns the events to emit for h, stamped with now, with
// ripple_coalesced set to the number of purges they stand for when more
// than one. The caller clears h afterwards.
func (h *Held) Release(now time.Time) (ResourceChange, *PageRerender) {
	rc := h.Purge
	rc.Meta.DT, rc.DT = now, now
	if h.Count > 1 {
		rc.Coalesced = h.Count
	}
	var rr *PageRerender
	if h.Rerender != nil {
		r := *h.Rerender
		r.Meta.DT, r.DT = now, now
		rr = &r
	}
	return rc, rr
}

// unionTags appends to a the tags of b it lacks; resource_change wants
// them unique. Tags are rule names, so the union stays small.
func unionTags(a, b []string) []string {
	for _, t := range b {
		if !slices.Contains(a, t) {
			a = append(a, t)
		}
	}
	return a
}

// CloseReason says why a Window emitted a purge.
type CloseReason string

// Close reasons.
const (
	ClosedDue   CloseReason = "due"   // the watermark reached Opened + W
	ClosedFull  CloseReason = "full"  // emitted early to stay within MaxOpen
	ClosedFlush CloseReason = "flush" // Flush: the input ended
)

// Closed is a purge a Window emits.
type Closed struct {
	Held
	// At is the watermark when it was emitted. It is never before the
	// event time of a change it covers.
	At     time.Time
	Reason CloseReason
}

// Window debounces purges by event time: the first purge of a URI opens
// a window of W, further purges of the URI in it are merged (see Held),
// and the merged purge is emitted when the watermark (the largest event
// time seen) reaches the window's end, at Flush, or early when MaxOpen
// URIs are held. Every emission happens after every change it covers was
// added, so no page is left stale; a page changed again after its window
// closed opens a new one.
//
// A Window is deterministic: time is only what the caller passes in. It
// is not safe for concurrent use. State and RestoreWindow save and load
// it as plain data.
type Window struct {
	cfg       WindowConfig
	watermark time.Time
	byURI     map[string]*slot
	due       dueHeap
}

type slot struct {
	held Held
	due  time.Time
}

// NewWindow returns an empty window.
func NewWindow(cfg WindowConfig) (*Window, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Window{cfg: cfg, byURI: map[string]*slot{}}, nil
}

// Len is the number of URIs held.
func (w *Window) Len() int { return len(w.byURI) }

// Watermark is the largest event time seen.
func (w *Window) Watermark() time.Time { return w.watermark }

// Add holds a purge caused by a change at event time at, and its
// re-index request if any. A URI not held yet opens a window at the
// watermark (so a late change still gets a full window); if that would
// exceed MaxOpen, the window due soonest is emitted first and returned.
func (w *Window) Add(rc ResourceChange, rr *PageRerender, at time.Time) []Closed {
	w.raise(at)
	if s, ok := w.byURI[rc.Meta.URI]; ok {
		s.held.Hold(rc, rr, w.watermark)
		return nil
	}
	var early []Closed
	for len(w.byURI) >= w.cfg.MaxOpen {
		early = append(early, w.pop(ClosedFull))
	}
	s := &slot{}
	s.held.Hold(rc, rr, w.watermark)
	s.due = s.held.Due(w.cfg.Length)
	w.byURI[rc.Meta.URI] = s
	heap.Push(&w.due, s)
	return early
}

// Advance raises the watermark to wm (it never goes back) and returns the
// windows that closed, in the order they were due (ties by URI).
func (w *Window) Advance(wm time.Time) []Closed {
	w.raise(wm)
	var out []Closed
	for len(w.due) > 0 && !w.due[0].due.After(w.watermark) {
		out = append(out, w.pop(ClosedDue))
	}
	return out
}

// Flush emits every held window, in the order they were due.
func (w *Window) Flush() []Closed {
	out := make([]Closed, 0, len(w.due))
	for len(w.due) > 0 {
		out = append(out, w.pop(ClosedFlush))
	}
	return out
}

func (w *Window) raise(t time.Time) {
	if t.After(w.watermark) {
		w.watermark = t
	}
}

func (w *Window) pop(reason CloseReason) Closed {
	s := heap.Pop(&w.due).(*slot)
	delete(w.byURI, s.held.URI())
	return Closed{Held: s.held, At: w.watermark, Reason: reason}
}

// WindowState is a Window as plain data (JSON), for checkpoints.
type WindowState struct {
	Watermark time.Time `json:"watermark"`
	// Held are the open windows, in the order they are due.
	Held []Held `json:"held"`
}

// State returns w as plain data; it does not change w.
func (w *Window) State() WindowState {
	st := WindowState{Watermark: w.watermark, Held: make([]Held, 0, len(w.due))}
	slots := slices.Clone(w.due)
	slices.SortFunc(slots, func(a, b *slot) int { return a.compare(b) })
	for _, s := range slots {
		st.Held = append(st.Held, s.held)
	}
	return st
}

// RestoreWindow returns a window with cfg holding st. It fails when st
// holds a URI twice or an empty window.
func RestoreWindow(cfg WindowConfig, st WindowState) (*Window, error) {
	w, err := NewWindow(cfg)
	if err != nil {
		return nil, err
	}
	w.watermark = st.Watermark
	for _, h := range st.Held {
		if !h.Open() {
			return nil, fmt.Errorf("propagate: restoring a window: %s holds no purge", h.URI())
		}
		if _, dup := w.byURI[h.URI()]; dup {
			return nil, fmt.Errorf("propagate: restoring a window: %s is held twice", h.URI())
		}
		s := &slot{held: h, due: h.Due(w.cfg.Length)}
		w.byURI[h.URI()] = s
		heap.Push(&w.due, s)
	}
	return w, nil
}

func (s *slot) compare(o *slot) int {
	if c := s.due.Compare(o.due); c != 0 {
		return c
	}
	return cmp.Compare(s.held.URI(), o.held.URI())
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
