package propagate_test

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/ripplestream/ripple/deps/propagate"
	"github.com/ripplestream/ripple/event"
)

var t0 = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

func sec(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }

func purge(uri, sig string, root time.Time, tags ...string) propagate.ResourceChange {
	return propagate.ResourceChange{
		Envelope: event.Envelope{Schema: propagate.ResourceChangeSchema, Meta: event.Meta{Stream: propagate.ResourceChangeStream, URI: uri},
			RootEvent: &event.RootEvent{Signature: sig, DT: root}},
		Tags: append([]string{"ripple"}, tags...),
	}
}

// op is one step of a window test: an add (uri set), an advance (wm set),
// or a flush.
type op struct {
	uri, sig string
	at, root int // seconds after t0
	wm       int
	flush    bool
	rerender bool
}

// emitted is what a test expects of a Closed.
type emitted struct {
	uri    string
	count  int
	at     int
	reason propagate.CloseReason
	sig    string
}

func run(t *testing.T, w *propagate.Window, ops []op) []emitted {
	t.Helper()
	var out []emitted
	for _, o := range ops {
		var cs []propagate.Closed
		switch {
		case o.flush:
			cs = w.Flush()
		case o.uri != "":
			var rr *propagate.PageRerender
			if o.rerender {
				rr = &propagate.PageRerender{Reason: o.sig}
			}
			cs = w.Add(purge(o.uri, o.sig, sec(o.root), o.sig), rr, sec(o.at))
		default:
			cs = w.Advance(sec(o.wm))
		}
		for _, c := range cs {
			out = append(out, emitted{c.URI(), c.Count, int(c.At.Sub(t0) / time.Second), c.Reason, c.Purge.RootEvent.Signature})
		}
	}
	return out
}

func TestWindow(t *testing.T) {
	add := func(uri, sig string, at, root int) op { return op{uri: uri, sig: sig, at: at, root: root} }
	adv := func(wm int) op { return op{wm: wm} }
	flush := op{flush: true}
	for _, tt := range []struct {
		name    string
		maxOpen int
		ops     []op
		want    []emitted
	}{
		{"a purge waits for its window to close", 0,
			[]op{add("u", "a", 0, 0), adv(9), adv(10)},
			[]emitted{{"u", 1, 10, propagate.ClosedDue, "a"}}},
		{"a burst is one purge naming the latest change", 0,
			[]op{add("u", "a", 0, 0), add("u", "b", 3, 3), add("u", "c", 9, 9), adv(10)},
			[]emitted{{"u", 3, 10, propagate.ClosedDue, "c"}}},
		{"an older root merged late does not replace the latest", 0,
			[]op{add("u", "new", 0, 5), add("u", "old", 1, 0), adv(12)},
			[]emitted{{"u", 2, 12, propagate.ClosedDue, "new"}}},
		{"the window is fixed: merging does not extend it", 0,
			[]op{add("u", "a", 0, 0), add("u", "b", 8, 8), adv(10), add("u", "c", 12, 12), adv(21), adv(22)},
			[]emitted{{"u", 2, 10, propagate.ClosedDue, "b"}, {"u", 1, 22, propagate.ClosedDue, "c"}}},
		{"URIs are independent; emissions come in due order, ties by URI", 0,
			[]op{add("v", "a", 0, 0), add("u", "a", 0, 0), add("w", "b", 4, 4), adv(30)},
			[]emitted{{"u", 1, 30, propagate.ClosedDue, "a"}, {"v", 1, 30, propagate.ClosedDue, "a"}, {"w", 1, 30, propagate.ClosedDue, "b"}}},
		{"a late change opens its window at the watermark", 0,
			[]op{adv(100), add("u", "late", 50, 50), adv(109), adv(110)},
			[]emitted{{"u", 1, 110, propagate.ClosedDue, "late"}}},
		{"the watermark never goes back", 0,
			[]op{add("u", "a", 5, 5), adv(20), add("u", "b", 21, 21), adv(3), adv(30), adv(31)},
			[]emitted{{"u", 1, 20, propagate.ClosedDue, "a"}, {"u", 1, 31, propagate.ClosedDue, "b"}}},
		{"at the cap the window due soonest goes out early", 2,
			[]op{add("a", "1", 0, 0), add("b", "2", 1, 1), add("b", "3", 2, 2), add("c", "4", 3, 3), adv(11), flush},
			[]emitted{{"a", 1, 3, propagate.ClosedFull, "1"}, {"b", 2, 11, propagate.ClosedDue, "3"}, {"c", 1, 11, propagate.ClosedFlush, "4"}}},
		{"flush empties the window at the watermark", 0,
			[]op{add("u", "a", 0, 0), add("v", "b", 2, 2), flush, flush},
			[]emitted{{"u", 1, 2, propagate.ClosedFlush, "a"}, {"v", 1, 2, propagate.ClosedFlush, "b"}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w, err := propagate.NewWindow(propagate.WindowConfig{Length: 10 * time.Second, MaxOpen: tt.maxOpen})
			if err != nil {
				t.Fatal(err)
			}
			if got := run(t, w, tt.ops); !slices.Equal(got, tt.want) {
				t.Fatalf("emitted\n%v\nwant\n%v", got, tt.want)
			}
			if w.Len() != 0 && tt.ops[len(tt.ops)-1].flush {
				t.Fatalf("%d URIs held after Flush", w.Len())
			}
		})
	}
}

func TestHeldMergesTagsAndRerender(t *testing.T) {
	var h propagate.Held
	if h.Open() {
		t.Fatal("zero Held is open")
	}
	h.Hold(purge("u", "a", sec(0), "transclusion"), &propagate.PageRerender{Reason: "transclusion"}, sec(0))
	h.Hold(purge("u", "b", sec(2), "links_to"), nil, sec(2))
	h.Hold(purge("u", "c", sec(1), "uses_entity"), nil, sec(3))
	if !h.Open() || h.Count != 3 || !h.Opened.Equal(sec(0)) || !h.Due(10*time.Second).Equal(sec(10)) {
		t.Fatalf("held = %+v", h)
	}
	rc, rr := h.Release(sec(10))
	if rc.RootEvent.Signature != "b" || !rc.DT.Equal(sec(10)) || !rc.Meta.DT.Equal(sec(10)) || rc.Coalesced != 3 {
		t.Fatalf("released %+v", rc)
	}
	if want := []string{"ripple", "links_to", "transclusion", "uses_entity"}; !slices.Equal(rc.Tags, want) {
		t.Fatalf("tags = %v, want %v (unique: resource_change requires it)", rc.Tags, want)
	}
	if rr == nil || rr.Reason != "transclusion" || !rr.DT.Equal(sec(10)) {
		t.Fatalf("a purge whose page text changed lost its re-index request: %+v", rr)
	}
	if _, err := json.Marshal(rc); err != nil {
		t.Fatal(err)
	}
}

func TestWindowConfig(t *testing.T) {
	var c propagate.WindowConfig
	if err := c.Validate(); err != nil || c.Length != propagate.DefaultWindow || c.MaxOpen != propagate.DefaultMaxOpen {
		t.Fatalf("defaults: %+v, %v", c, err)
	}
	for _, bad := range []propagate.WindowConfig{{Length: -time.Second}, {MaxOpen: -1}} {
		if _, err := propagate.NewWindow(bad); err == nil {
			t.Errorf("NewWindow(%+v) did not fail", bad)
		}
	}
	if _, err := propagate.RestoreWindow(propagate.WindowConfig{}, propagate.WindowState{Held: []propagate.Held{{}}}); err == nil {
		t.Error("restoring an empty held window did not fail")
	}
}

// model is the simplest Window that could work: a list scanned in full.
type model struct {
	w       time.Duration
	max     int
	wm      time.Time
	open    []*modelWin
	emitted []propagate.Closed
}

type modelWin struct {
	uri            string
	opened, latest time.Time
	sig            string
	count          int
}

func (m *model) add(uri, sig string, root, at time.Time) {
	m.wm = maxTime(m.wm, at)
	for _, o := range m.open {
		if o.uri == uri {
			o.count++
			if !root.Before(o.latest) {
				o.latest, o.sig = root, sig
			}
			return
		}
	}
	for len(m.open) >= m.max {
		m.emit(m.open[:1], propagate.ClosedFull)
	}
	m.open = append(m.open, &modelWin{uri: uri, opened: m.wm, latest: root, sig: sig, count: 1})
	m.sort()
}

func (m *model) advance(wm time.Time) {
	m.wm = maxTime(m.wm, wm)
	n := 0
	for n < len(m.open) && !m.open[n].opened.Add(m.w).After(m.wm) {
		n++
	}
	m.emit(m.open[:n], propagate.ClosedDue)
}

func (m *model) emit(ws []*modelWin, reason propagate.CloseReason) {
	for _, o := range ws {
		m.emitted = append(m.emitted, propagate.Closed{At: m.wm, Reason: reason, Held: propagate.Held{Opened: o.opened, Latest: o.latest, Count: o.count,
			Purge: purge(o.uri, o.sig, o.latest)}})
	}
	m.open = m.open[len(ws):]
}

func (m *model) sort() {
	slices.SortStableFunc(m.open, func(a, b *modelWin) int {
		if c := a.opened.Compare(b.opened); c != 0 {
			return c
		}
		return cmp.Compare(a.uri, b.uri)
	})
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// TestWindowMatchesModel drives a Window and the model with the same
// random adds, advances (some going back in time, some late changes) and
// restarts from a JSON checkpoint, and checks they emit the same, and that
// every purge is emitted exactly once, never before its change.
func TestWindowMatchesModel(t *testing.T) {
	for seed := range uint64(300) {
		rng := rand.New(rand.NewPCG(seed, 7))
		cfg := propagate.WindowConfig{Length: time.Duration(1+rng.IntN(20)) * time.Second, MaxOpen: 1 + rng.IntN(8)}
		w, err := propagate.NewWindow(cfg)
		if err != nil {
			t.Fatal(err)
		}
		m := &model{w: cfg.Length, max: cfg.MaxOpen}
		var got []propagate.Closed
		pending := map[string][]time.Time{} // event times of the adds not emitted yet, per URI
		check := func(cs []propagate.Closed) {
			for _, c := range cs {
				ats := pending[c.URI()]
				if len(ats) != c.Count {
					t.Fatalf("seed %d: %s emitted covering %d purges, %d were held", seed, c.URI(), c.Count, len(ats))
				}
				for _, at := range ats {
					if c.At.Before(at) {
						t.Fatalf("seed %d: %s emitted at %v, before its change at %v: the page would stay stale", seed, c.URI(), c.At, at)
					}
				}
				delete(pending, c.URI())
			}
			got = append(got, cs...)
		}
		now := t0
		for i := range 200 {
			switch r := rng.IntN(10); {
			case r < 6:
				uri := fmt.Sprintf("u%d", rng.IntN(10))
				at := now.Add(time.Duration(rng.IntN(8000)-2000) * time.Millisecond)
				root := at.Add(-time.Duration(rng.IntN(3)) * time.Second)
				sig := fmt.Sprintf("c%d", i)
				check(w.Add(purge(uri, sig, root), nil, at))
				m.add(uri, sig, root, at)
				pending[uri] = append(pending[uri], at)
				now = maxTime(now, at)
			case r < 9:
				wm := now.Add(time.Duration(rng.IntN(15000)-3000) * time.Millisecond)
				check(w.Advance(wm))
				m.advance(wm)
				now = maxTime(now, wm)
				for _, h := range w.State().Held {
					if !h.Due(cfg.Length).After(w.Watermark()) {
						t.Fatalf("seed %d: %s still held after the watermark passed its window", seed, h.URI())
					}
				}
			default: // restart from a checkpoint
				b, err := json.Marshal(w.State())
				if err != nil {
					t.Fatal(err)
				}
				var st propagate.WindowState
				if err := json.Unmarshal(b, &st); err != nil {
					t.Fatal(err)
				}
				if w, err = propagate.RestoreWindow(cfg, st); err != nil {
					t.Fatalf("seed %d: %v", seed, err)
				}
			}
			if w.Len() > cfg.MaxOpen || w.Len() != len(m.open) {
				t.Fatalf("seed %d: %d URIs held (model %d, cap %d)", seed, w.Len(), len(m.open), cfg.MaxOpen)
			}
		}
		check(w.Flush())
		m.emit(m.open, propagate.ClosedFlush)
		if len(pending) != 0 {
			t.Fatalf("seed %d: purges never emitted: %v", seed, pending)
		}
		if len(got) != len(m.emitted) {
			t.Fatalf("seed %d: %d emitted, model %d", seed, len(got), len(m.emitted))
		}
		for i, g := range got {
			e := m.emitted[i]
			if g.URI() != e.URI() || g.Count != e.Count || !g.At.Equal(e.At) || g.Reason != e.Reason || !g.Opened.Equal(e.Opened) ||
				!g.Latest.Equal(e.Latest) || g.Purge.RootEvent.Signature != e.Purge.RootEvent.Signature {
				t.Fatalf("seed %d: emission %d = %s %d %v %s opened %v sig %s; model: %s %d %v %s opened %v sig %s", seed, i,
					g.URI(), g.Count, g.At, g.Reason, g.Opened, g.Purge.RootEvent.Signature,
					e.URI(), e.Count, e.At, e.Reason, e.Opened, e.Purge.RootEvent.Signature)
			}
		}
	}
}

// A bot adds three statements to an item within seconds; a page using all
// three is purged once, after the last edit.
func ExampleWindow() {
	w, _ := propagate.NewWindow(propagate.WindowConfig{Length: 10 * time.Second})
	start := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	for i, p := range []string{"P31", "P569", "P18"} {
		at := start.Add(time.Duration(2*i) * time.Second)
		rc := propagate.ResourceChange{Tags: []string{"ripple", "uses_entity"},
			Envelope: event.Envelope{Meta: event.Meta{URI: "https://en.wikipedia.org/wiki/Douglas_Adams"},
				RootEvent: &event.RootEvent{Signature: "wikidatawiki:Q42 C." + p, DT: at}}}
		w.Add(rc, nil, at)
		w.Advance(at)
	}
	for _, c := range w.Advance(start.Add(10 * time.Second)) {
		rc, _ := c.Release(c.At)
		fmt.Println(rc.Meta.URI, rc.Coalesced, rc.RootEvent.Signature, rc.DT.Format(time.TimeOnly))
	}
	// Output: https://en.wikipedia.org/wiki/Douglas_Adams 3 wikidatawiki:Q42 C.P18 12:00:10
}
