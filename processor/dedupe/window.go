package dedupe

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"
)

// Defaults for a Window's zero fields and for Config.
const (
	// DefaultTTL is how long an id is remembered: change-propagation keeps
	// event ids for one hour.
	DefaultTTL = time.Hour
	// DefaultMaxIDs is how many ids a window holds at most, about 10 KB of
	// state per key when full.
	DefaultMaxIDs = 1000
)

// Window is a bounded set of recently seen ids: each id is remembered for
// TTL after it was first seen, and at most Max ids are kept (the oldest is
// forgotten first). It is meant to be a field of a job's per-key state; it
// encodes to a compact binary form (about ten bytes per id) and, inside
// JSON state, to a base64 string of that form.
//
// Like a slice, a copied Window shares storage with the original: modify
// only one of them. The zero value is an empty window with the defaults.
type Window struct {
	// TTL is how long an id is remembered after it was first seen. Zero or
	// negative means DefaultTTL.
	TTL time.Duration
	// Max is the most ids the window holds. Zero or negative means
	// DefaultMaxIDs.
	Max int

	set entries
}

func (w *Window) ttl() time.Duration { return orDefault(w.TTL, DefaultTTL) }
func (w *Window) max() int           { return orDefault(w.Max, DefaultMaxIDs) }

func orDefault[T int | time.Duration](v, d T) T {
	if v <= 0 {
		return d
	}
	return v
}

// Seen reports whether id was seen within the TTL before now, and records it
// as seen at now if not. It first forgets expired ids, and, when the window
// is full, the oldest ones. A repeated id keeps the time it was first seen:
// a stream of duplicates does not keep an id alive.
func (w *Window) Seen(id string, now time.Time) bool {
	t := w.set.clock(now)
	w.set.prune(t, w.ttl())
	h := hashID(id)
	if w.set.find(h) >= 0 {
		return true
	}
	w.set.makeRoom(w.max())
	w.set.push(h, t, 0, false)
	return false
}

// LastSeen returns when id was recorded (by Seen or Touch, to the
// millisecond) and whether that is within the TTL before now. It does not
// change the window.
func (w *Window) LastSeen(id string, now time.Time) (time.Time, bool) {
	i := w.set.find(hashID(id))
	if i < 0 || w.set.expired(i, now, w.ttl()) {
		return time.Time{}, false
	}
	return time.UnixMilli(w.set.times[i]).UTC(), true
}

// Touch records id as seen at now, replacing an earlier record of it, so it
// is remembered for the TTL from now. Use it for "last done at" records such
// as the sha1 rule (see Redundant); use Seen for "first seen".
func (w *Window) Touch(id string, now time.Time) {
	t := w.set.clock(now)
	w.set.prune(t, w.ttl())
	h := hashID(id)
	if i := w.set.find(h); i >= 0 {
		w.set.remove(i)
	}
	w.set.makeRoom(w.max())
	w.set.push(h, t, 0, false)
}

// Prune forgets the ids that have expired at now. Seen and Touch prune
// too; Prune is for a key whose events stopped, from a timer.
func (w *Window) Prune(now time.Time) { w.set.prune(w.set.clock(now), w.ttl()) }

// Len returns the number of ids held, expired ones included until the next
// Seen, Touch or Prune prunes them.
func (w *Window) Len() int { return w.set.len() }

// AppendBinary appends the binary encoding of w to b.
func (w Window) AppendBinary(b []byte) ([]byte, error) {
	return appendEntries(b, formatWindow, w.TTL, w.Max, &w.set), nil
}

// MarshalBinary returns the binary encoding of w.
func (w Window) MarshalBinary() ([]byte, error) { return w.AppendBinary(nil) }

// UnmarshalBinary replaces w with the window data encodes.
func (w *Window) UnmarshalBinary(data []byte) error {
	n, err := w.decode(data)
	if err == nil && n != len(data) {
		err = fmt.Errorf("%w: %d bytes after the window", errCorrupt, len(data)-n)
	}
	return err
}

func (w *Window) decode(data []byte) (int, error) {
	ttl, max, set, n, err := decodeEntries(data, formatWindow)
	if err != nil {
		return 0, fmt.Errorf("dedupe: decoding window: %w", err)
	}
	*w = Window{TTL: ttl, Max: max, set: set}
	return n, nil
}

// MarshalJSON encodes w as a JSON string holding its binary encoding in
// base64.
func (w Window) MarshalJSON() ([]byte, error) { return marshalJSON(w) }

// UnmarshalJSON decodes a window encoded by MarshalJSON; null leaves w
// unchanged.
func (w *Window) UnmarshalJSON(data []byte) error { return unmarshalJSON(data, w) }

type binaryCodec interface {
	AppendBinary([]byte) ([]byte, error)
}

type binaryDecoder interface {
	UnmarshalBinary([]byte) error
}

func marshalJSON(v binaryCodec) ([]byte, error) {
	raw, _ := v.AppendBinary(nil) // cannot fail
	b := make([]byte, 0, base64.StdEncoding.EncodedLen(len(raw))+2)
	b = append(b, '"')
	b = base64.StdEncoding.AppendEncode(b, raw)
	return append(b, '"'), nil
}

func unmarshalJSON(data []byte, v binaryDecoder) error {
	if string(data) == "null" {
		return nil
	}
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("dedupe: want a base64 string: %w", err)
	}
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return fmt.Errorf("dedupe: %w", err)
	}
	return v.UnmarshalBinary(raw)
}
