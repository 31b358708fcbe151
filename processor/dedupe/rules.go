package dedupe

import (
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/ripplestream/ripple/event"
)

// Defaults for a Roots' zero fields.
const (
	// DefaultRootTTL is how long the newest root of a signature is
	// remembered: change-propagation keeps them for a day.
	DefaultRootTTL = 24 * time.Hour
	// DefaultMaxRoots is how many signatures a Roots holds at most.
	DefaultMaxRoots = 100
)

// Supersedes reports whether an event caused by newRoot may proceed when
// storedRoot is the newest root recorded for its signature: it is false only
// when both have the same signature and storedRoot is strictly newer, which
// means a newer change of the same resource started a cascade that already
// covers this event. Events of one cascade share their root, so they all
// proceed. Roots of different signatures never cut each other off.
func Supersedes(newRoot, storedRoot event.RootEvent) bool {
	return newRoot.Signature != storedRoot.Signature || !storedRoot.DT.After(newRoot.DT)
}

// Roots remembers, per root_event signature, the newest root seen, for TTL
// after it was last recorded, and at most Max signatures (the least recently
// recorded is forgotten first). Signatures are stored as 64-bit hashes and
// root times to the millisecond; both approximations can only let a stale
// event through, never drop a current one. Like Window, it is meant to be a
// field of a job's per-key state, and a copy shares storage with the
// original. The zero value is empty, with the defaults.
type Roots struct {
	// TTL is how long a signature's newest root is remembered after it was
	// last recorded. Zero or negative means DefaultRootTTL.
	TTL time.Duration
	// Max is the most signatures held. Zero or negative means
	// DefaultMaxRoots.
	Max int

	set entries // vals hold the newest root time, unix ms
}

// Admit reports whether an event caused by root may proceed (see
// Supersedes), comparing it with the newest root recorded for its signature
// within the TTL before now; when it may, root becomes the newest if it is
// newer. A stale root changes nothing.
func (r *Roots) Admit(root event.RootEvent, now time.Time) bool {
	t := r.set.clock(now)
	r.set.prune(t, orDefault(r.TTL, DefaultRootTTL))
	h, dt := hashID(root.Signature), root.DT.UnixMilli()
	if i := r.set.find(h); i >= 0 {
		stored := event.RootEvent{Signature: root.Signature, DT: time.UnixMilli(r.set.vals[i])}
		if !Supersedes(root, stored) {
			return false
		}
		dt = max(dt, r.set.vals[i])
		r.set.remove(i)
	}
	r.set.makeRoom(orDefault(r.Max, DefaultMaxRoots))
	r.set.push(h, t, dt, true)
	return true
}

// Newest returns the time of the newest root recorded for signature, to the
// millisecond, and whether one was recorded within the TTL before now.
func (r *Roots) Newest(signature string, now time.Time) (time.Time, bool) {
	i := r.set.find(hashID(signature))
	if i < 0 || r.set.expired(i, now, orDefault(r.TTL, DefaultRootTTL)) {
		return time.Time{}, false
	}
	return time.UnixMilli(r.set.vals[i]).UTC(), true
}

// Prune forgets the signatures whose newest root has expired at now.
func (r *Roots) Prune(now time.Time) {
	r.set.prune(r.set.clock(now), orDefault(r.TTL, DefaultRootTTL))
}

// Len returns the number of signatures held, expired ones included until
// the next Admit or Prune prunes them.
func (r *Roots) Len() int { return r.set.len() }

// AppendBinary appends the binary encoding of r to b.
func (r Roots) AppendBinary(b []byte) ([]byte, error) {
	return appendEntries(b, formatRoots, r.TTL, r.Max, &r.set), nil
}

// MarshalBinary returns the binary encoding of r.
func (r Roots) MarshalBinary() ([]byte, error) { return r.AppendBinary(nil) }

// UnmarshalBinary replaces r with the roots data encodes.
func (r *Roots) UnmarshalBinary(data []byte) error {
	n, err := r.decode(data)
	if err == nil && n != len(data) {
		err = fmt.Errorf("%w: %d bytes after the roots", errCorrupt, len(data)-n)
	}
	return err
}

func (r *Roots) decode(data []byte) (int, error) {
	ttl, max, set, n, err := decodeEntries(data, formatRoots)
	if err != nil {
		return 0, fmt.Errorf("dedupe: decoding roots: %w", err)
	}
	*r = Roots{TTL: ttl, Max: max, set: set}
	return n, nil
}

// MarshalJSON encodes r as a JSON string holding its binary encoding in
// base64.
func (r Roots) MarshalJSON() ([]byte, error) { return marshalJSON(r) }

// UnmarshalJSON decodes roots encoded by MarshalJSON; null leaves r
// unchanged.
func (r *Roots) UnmarshalJSON(data []byte) error { return unmarshalJSON(data, r) }

// SHA1 returns the hex SHA-1 of the JSON encoding of fields: a deterministic
// identity for a job made of the fields that say what it does (its type and
// parameters, not its id or creation time). encoding/json writes map keys
// sorted and struct fields in declaration order, so equal fields always give
// the same sha1 in any process. Events that already carry a sha1 (MediaWiki
// job events do) should use theirs.
func SHA1(fields any) (string, error) {
	b, err := json.Marshal(fields)
	if err != nil {
		return "", fmt.Errorf("dedupe: sha1 of %T: %w", fields, err)
	}
	sum := sha1.Sum(b)
	return hex.EncodeToString(sum[:]), nil
}

// ExecutionSlack is taken off the time a job last ran before Redundant
// compares it with event times, which Wikimedia events give to the second:
// without it two identical jobs run within the same second could skip one
// that must run.
const ExecutionSlack = time.Second

// Redundant applies change-propagation's sha1 rule to a job whose identical
// twin (same sha1) last ran at lastRun: the job can be skipped when it was
// created before that run, or when its root event is older than that run,
// because the run already saw the changes behind it. Both comparisons allow
// ExecutionSlack. A zero lastRun (never ran within the TTL), created or
// root.DT is unknown and skips nothing.
//
// Unlike a plain "seen within the TTL" check it never skips a job created
// after the last run: that job may carry a change the run did not see.
//
// Record runs with Window.Touch(sha1, time.Now()) and read them with
// Window.LastSeen; the window's TTL bounds how long a run counts.
func Redundant(lastRun, created time.Time, root *event.RootEvent) bool {
	if lastRun.IsZero() {
		return false
	}
	cut := lastRun.Add(-ExecutionSlack)
	if !created.IsZero() && cut.After(created) {
		return true
	}
	return root != nil && !root.DT.IsZero() && cut.After(root.DT)
}
