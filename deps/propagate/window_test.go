package propagate_test

import (
	"encoding/json"
	"errors"
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
	lead, due, full := propagate.ClosedLeading, propagate.ClosedDue, propagate.ClosedFull
	for _, tt := range []struct {
		name    string
		length  time.Duration
		maxOpen int
		ops     []op
		want    []emitted
		dropped int
	}{
		{"a lone purge is sent at once", 10 * time.Second, 0,
			[]op{add("u", "a", 0, 0), adv(30)},
			[]emitted{{"u", 1, 0, lead, "a"}}, 0},
		{"a burst: the first at once, the rest as one when the window closes", 10 * time.Second, 0,
			[]op{add("u", "a", 0, 0), add("u", "b", 3, 3), add("u", "c", 9, 9), adv(10), adv(11)},
			[]emitted{{"u", 1, 0, lead, "a"}, {"u", 2, 10, due, "c"}}, 0},
		{"a purge a sent one covers is dropped", 10 * time.Second, 0,
			[]op{add("u", "a", 5, 5), add("u", "a", 6, 5), add("u", "old", 7, 2), adv(30)},
			[]emitted{{"u", 1, 5, lead, "a"}}, 2},
		{"an older root merged late does not replace the latest", 10 * time.Second, 0,
			[]op{add("u", "first", 0, 0), add("u", "new", 2, 3), add("u", "old", 3, 1), adv(11)},
			[]emitted{{"u", 1, 0, lead, "first"}, {"u", 2, 10, due, "new"}}, 0},
		{"after a quiet window the next purge is sent at once", 10 * time.Second, 0,
			[]op{add("u", "a", 0, 0), adv(30), add("u", "b", 30, 30)},
			[]emitted{{"u", 1, 0, lead, "a"}, {"u", 1, 30, lead, "b"}}, 0},
		{"merging does not extend a window; a purge soon after a release waits for the next", 10 * time.Second, 0,
			[]op{add("u", "a", 0, 0), add("u", "b", 8, 8), adv(11), add("u", "c", 12, 12), adv(21)},
			[]emitted{{"u", 1, 0, lead, "a"}, {"u", 1, 10, due, "b"}, {"u", 1, 20, due, "c"}}, 0},
		{"URIs are independent; releases come in due order, ties by URI", 10 * time.Second, 0,
			[]op{add("v", "a", 0, 0), add("u", "a", 0, 0), add("v", "b", 1, 1), add("u", "b", 1, 1), add("w", "c", 4, 4), adv(30)},
			[]emitted{{"v", 1, 0, lead, "a"}, {"u", 1, 0, lead, "a"}, {"w", 1, 4, lead, "c"}, {"u", 1, 10, due, "b"}, {"v", 1, 10, due, "b"}}, 0},
		{"a window due at the next change's time stays open and takes it", 10 * time.Second, 0,
			[]op{add("u", "a", 0, 0), add("u", "b", 5, 5), adv(10), add("u", "c", 10, 10), adv(11)},
			[]emitted{{"u", 1, 0, lead, "a"}, {"u", 2, 10, due, "c"}}, 0},
		{"the watermark never goes back", 10 * time.Second, 0,
			[]op{add("u", "a", 5, 5), add("u", "b", 6, 6), adv(20), adv(3), add("u", "c", 2, 2), add("u", "d", 21, 21), adv(31)},
			[]emitted{{"u", 1, 5, lead, "a"}, {"u", 1, 15, due, "b"}, {"u", 1, 25, due, "d"}}, 1},
		{"at the cap the window due soonest goes out early", 10 * time.Second, 1,
			[]op{add("a", "1", 0, 0), add("a", "2", 1, 1), add("b", "3", 2, 2), add("b", "4", 3, 3), adv(13)},
			[]emitted{{"a", 1, 0, lead, "1"}, {"b", 1, 2, lead, "3"}, {"a", 1, 3, full, "2"}, {"b", 1, 12, due, "4"}}, 0},
		{"flush releases every window at the watermark or its end", 10 * time.Second, 0,
			[]op{add("u", "a", 0, 0), add("u", "b", 2, 2), add("v", "c", 12, 12), add("v", "d", 13, 13), flush, flush},
			[]emitted{{"u", 1, 0, lead, "a"}, {"v", 1, 12, lead, "c"}, {"u", 1, 13, propagate.ClosedFlush, "b"}, {"v", 1, 22, propagate.ClosedFlush, "d"}}, 0},
		{"no window: only the covered purges are dropped", 0, 0,
			[]op{add("u", "a", 0, 0), add("u", "b", 1, 0), add("u", "c", 2, 2), flush},
			[]emitted{{"u", 1, 0, lead, "a"}, {"u", 1, 2, lead, "c"}}, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w, err := propagate.NewWindow(propagate.WindowConfig{Length: tt.length, MaxOpen: tt.maxOpen})
			if err != nil {
				t.Fatal(err)
			}
			if got := run(t, w, tt.ops); !slices.Equal(got, tt.want) {
				t.Fatalf("emitted\n%v\nwant\n%v", got, tt.want)
			}
			if w.Dropped() != tt.dropped {
				t.Errorf("dropped %d, want %d", w.Dropped(), tt.dropped)
			}
			if w.Len() != 0 && tt.ops[len(tt.ops)-1].flush {
				t.Fatalf("%d URIs held after Flush", w.Len())
			}
		})
	}
}

// TestCoalescedRules walks one URI's rules as the changeprop job drives
// them, with its own clock and timers.
func TestCoalescedRules(t *testing.T) {
	const w = 10 * time.Second
	var c propagate.Coalesced
	offer := func(sig string, root, now int, want propagate.Action, wantDue int) {
		t.Helper()
		act, due := c.Offer(purge("u", sig, sec(root), sig), nil, sec(now), w)
		if act != want {
			t.Fatalf("%s at %d: action %v, want %v", sig, now, act, want)
		}
		if gotDue := -1; !due.IsZero() || wantDue >= 0 {
			if !due.IsZero() {
				gotDue = int(due.Sub(t0) / time.Second)
			}
			if gotDue != wantDue {
				t.Fatalf("%s at %d: due %d, want %d", sig, now, gotDue, wantDue)
			}
		}
	}
	offer("a", 0, 1, propagate.Send, -1)
	offer("a", 0, 2, propagate.Drop, -1) // the same root again
	offer("b", 3, 4, propagate.Hold, 11) // opens the held set: one timer at Last + w
	offer("c", 5, 6, propagate.Hold, -1) // joins it: no second timer
	rc, _, ok := c.Release(sec(11))
	if !ok || rc.Coalesced != 2 || rc.RootEvent.Signature != "c" || !rc.DT.Equal(sec(11)) || !c.Last.Equal(sec(11)) || c.Held != nil {
		t.Fatalf("release: ok %v, %+v, state %+v", ok, rc, c)
	}
	if _, _, ok := c.Release(sec(12)); ok {
		t.Fatal("a second release of the same window sent something")
	}
	offer("d", 12, 13, propagate.Hold, 21) // within w of the release
	offer("e", 40, 40, propagate.Hold, -1) // past w, but a window is open: merged, sent at its close
	if _, _, ok := c.Release(sec(41)); !ok {
		t.Fatal("nothing released")
	}
	offer("f", 60, 60, propagate.Send, -1)
	var off propagate.Coalesced
	if act, _ := off.Offer(purge("u", "x", sec(0)), nil, sec(0), 0); act != propagate.Send {
		t.Fatal("no window: first purge not sent")
	}
	if act, _ := off.Offer(purge("u", "y", sec(1)), nil, sec(1), -time.Second); act != propagate.Send {
		t.Fatal("no window: a later change's purge not sent at once")
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
	if !h.Open() || h.Count != 3 || !h.Opened.Equal(sec(0)) {
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
	c := propagate.WindowConfig{Length: time.Second}
	if err := c.Validate(); err != nil {
		t.Fatalf("Validate of a config without defaults (zero fields stand for them): %v", err)
	}
	if c.MaxOpen != 0 {
		t.Fatal("Validate changed its receiver")
	}
	d := c.WithDefaults()
	if err := d.Validate(); err != nil || d.MaxOpen != propagate.DefaultMaxOpen || d.Memory != propagate.DefaultMemory || d.Length != time.Second {
		t.Fatalf("defaults: %+v, %v", d, err)
	}
	for _, bad := range []propagate.WindowConfig{{MaxOpen: -1}, {Memory: -time.Second}} {
		if _, err := propagate.NewWindow(bad); !errors.Is(err, propagate.ErrInvalidConfig) {
			t.Errorf("NewWindow(%+v): %v, want ErrInvalidConfig", bad, err)
		}
	}
}

// TestWindowProperties drives Windows with random adds and advances (some
// going back in time, some late changes) and checks what must hold
// whatever the sequence: every purge is dropped as covered or emitted
// exactly once, never before its change; a window closes at most W after
// the change it holds; a URI is sent at most twice per W, and never more
// than MaxOpen URIs are held.
func TestWindowProperties(t *testing.T) {
	for seed := range uint64(300) {
		rng := rand.New(rand.NewPCG(seed, 7))
		cfg := propagate.WindowConfig{Length: time.Duration(rng.IntN(20)) * time.Second, MaxOpen: 1 + rng.IntN(8)}
		w, err := propagate.NewWindow(cfg)
		if err != nil {
			t.Fatal(err)
		}
		pending := map[string][]time.Time{} // event times of the held adds, per URI
		adds, emittedCount := 0, 0
		check := func(cs []propagate.Closed) {
			for _, c := range cs {
				emittedCount += c.Count
				if c.Reason == propagate.ClosedLeading {
					continue
				}
				ats := pending[c.URI()]
				if len(ats) != c.Count {
					t.Fatalf("seed %d: %s released covering %d purges, %d were held", seed, c.URI(), c.Count, len(ats))
				}
				for _, at := range ats {
					if c.At.Before(at) {
						t.Fatalf("seed %d: %s released at %v, before its change at %v: the page would stay stale", seed, c.URI(), c.At, at)
					}
					if c.Reason == propagate.ClosedDue && c.At.Sub(at) > cfg.Length {
						t.Fatalf("seed %d: %s released %v after a change it holds, window %v", seed, c.URI(), c.At.Sub(at), cfg.Length)
					}
				}
				delete(pending, c.URI())
			}
		}
		now := t0
		for i := range 200 {
			if rng.IntN(10) < 6 {
				uri := fmt.Sprintf("u%d", rng.IntN(10))
				at := now.Add(time.Duration(rng.IntN(8000)-2000) * time.Millisecond)
				root := at.Add(-time.Duration(rng.IntN(3)) * time.Second)
				check(w.Advance(at))
				before := w.Dropped()
				cs := w.Add(purge(uri, fmt.Sprintf("c%d", i), root), nil, at)
				held := len(cs) == 0 || cs[len(cs)-1].Reason != propagate.ClosedLeading
				check(cs)
				if held && w.Dropped() == before {
					pending[uri] = append(pending[uri], w.Watermark())
				}
				adds++
				now = later(now, at)
			} else {
				wm := now.Add(time.Duration(rng.IntN(15000)-3000) * time.Millisecond)
				check(w.Advance(wm))
				now = later(now, wm)
			}
			if w.Len() > cfg.MaxOpen {
				t.Fatalf("seed %d: %d URIs held, cap %d", seed, w.Len(), cfg.MaxOpen)
			}
		}
		check(w.Flush())
		if len(pending) != 0 {
			t.Fatalf("seed %d: purges never emitted: %v", seed, pending)
		}
		if emittedCount+w.Dropped() != adds {
			t.Fatalf("seed %d: %d purges emitted and %d dropped of %d offered", seed, emittedCount, w.Dropped(), adds)
		}
	}
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// A bot adds three statements to an item within seconds; a page using all
// three is purged at once for the first, and once more for the other two
// when the window closes.
func ExampleWindow() {
	w, _ := propagate.NewWindow(propagate.WindowConfig{Length: 10 * time.Second})
	start := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	var out []propagate.Closed
	for i, p := range []string{"P31", "P569", "P18"} {
		at := start.Add(time.Duration(2*i) * time.Second)
		rc := propagate.ResourceChange{Tags: []string{"ripple", "uses_entity"},
			Envelope: event.Envelope{Meta: event.Meta{URI: "https://en.wikipedia.org/wiki/Douglas_Adams"},
				RootEvent: &event.RootEvent{Signature: "wikidatawiki:Q42 C." + p, DT: at}}}
		out = append(out, w.Advance(at)...)
		out = append(out, w.Add(rc, nil, at)...)
	}
	out = append(out, w.Advance(start.Add(11*time.Second))...)
	for _, c := range out {
		rc, _ := c.Release(c.At)
		fmt.Println(rc.Meta.URI, c.Count, rc.RootEvent.Signature, rc.DT.Format(time.TimeOnly))
	}
	// Output:
	// https://en.wikipedia.org/wiki/Douglas_Adams 1 wikidatawiki:Q42 C.P31 12:00:00
	// https://en.wikipedia.org/wiki/Douglas_Adams 2 wikidatawiki:Q42 C.P18 12:00:10
}
