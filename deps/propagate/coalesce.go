package propagate

import (
	"slices"
	"time"
)

// Coalesced is the coalescing rule set for one URI, as plain data (JSON):
// when a purge of the URI was last sent, and the purges held since. It is
// the one rule set ripple coalesces purges by: the changeprop job keeps it
// as the state of the URI's key and drives it with its processing clock and
// timers; a Window keeps one per URI and drives it with event time, for
// `ripple deps replay` and the workload's scoring.
//
// The rules, for a purge of the URI caused by a change at root, offered at
// now with a window of w (see Offer):
//   - drop it when a purge sent at or after root already covers it
//     (Redundant): the render fetched after that purge shows the change;
//   - otherwise, when w > 0 and a purge was sent less than w ago (or some
//     are held), hold it: it is merged with the others held (see Held) and
//     one purge is sent when the window closes, w after the last send (the
//     trailing edge, after every change it covers);
//   - otherwise send it at once (the leading edge: a lone edit is purged
//     without delay).
//
// So a burst of k purges of one page costs two, no page is left stale,
// and none waits longer than w. With w <= 0 only the first rule applies.
type Coalesced struct {
	// Last is when a purge of the URI was last sent; zero: never.
	Last time.Time `json:"last"`
	// Held are the purges held for the window's trailing edge.
	Held *Held `json:"held,omitempty"`
}

// Action is what Offer decided for a purge.
type Action int

// Actions.
const (
	// Drop: a purge already sent covers it.
	Drop Action = iota
	// Send: send it now (Offer recorded the send).
	Send
	// Hold: it was merged into the held purges; Offer's due is when the
	// window closes, and is non-zero only when this purge opened the held
	// set (so the caller sets one timer per window).
	Hold
)

// Offer applies the rules to a purge rc (and its re-index request rr) at
// now with a window of w, updating c. On Send, the caller sends rc and rr
// stamped with now (see Stamp); on Hold with a non-zero due, it arranges
// to call Release at due.
func (c *Coalesced) Offer(rc ResourceChange, rr *PageRerender, now time.Time, w time.Duration) (act Action, due time.Time) {
	var root time.Time
	if rc.RootEvent != nil {
		root = rc.RootEvent.DT
	}
	if Redundant(root, c.Last) {
		return Drop, time.Time{}
	}
	if w > 0 && (c.Held != nil || now.Sub(c.Last) < w) {
		if c.Held == nil {
			c.Held = &Held{}
			due = c.Last.Add(w)
		}
		c.Held.Hold(rc, rr, now)
		return Hold, due
	}
	*c = Coalesced{Last: now}
	return Send, time.Time{}
}

// Release returns the held purges merged into one, stamped with now, and
// records the send; ok is false when nothing is held (the timer of a
// window already released).
func (c *Coalesced) Release(now time.Time) (rc ResourceChange, rr *PageRerender, ok bool) {
	if c.Held == nil || !c.Held.Open() {
		return ResourceChange{}, nil, false
	}
	rc, rr = c.Held.Release(now)
	*c = Coalesced{Last: now}
	return rc, rr, true
}

// Stamp sets the emission time of a purge sent on Offer's Send (and of its
// re-index request).
func Stamp(rc *ResourceChange, rr *PageRerender, now time.Time) {
	rc.Meta.DT, rc.DT = now, now
	if rr != nil {
		rr.Meta.DT, rr.DT = now, now
	}
}

// Redundant reports whether a purge for a change at root is covered by a
// purge of the same URI sent at last (the zero time: none).
func Redundant(root, last time.Time) bool { return !last.IsZero() && !root.After(last) }

// Held is one URI's purges while its window is open (see Coalesced),
// merged into the purge of the latest change they cover. Because Release
// comes after every Hold it covers, the purge it returns is sent after
// every change it stands for: merging never leaves a page stale, it only
// delays its purge.
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
