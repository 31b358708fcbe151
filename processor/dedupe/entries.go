package dedupe

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/ripplestream/ripple/internal/binread"
)

// entries is the storage behind Window and Roots: hashed ids in the order
// they were recorded, oldest first, each with the time it was recorded (unix
// milliseconds, never decreasing) and, for Roots, a value. A linear scan
// finds an id: a handler decodes its key's state, looks up one id and
// encodes it again, so building an index would cost more than it saves.
type entries struct {
	hashes []uint64
	times  []int64
	vals   []int64 // nil unless the entries carry values
}

// Formats of the binary encodings; the first byte of each.
const (
	formatWindow byte = 1
	formatRoots  byte = 2
	formatState  byte = 3 // State without expiry timer
	formatTimed  byte = 4 // State with the anchor of its expiry timer
)

// maxEntries bounds Max when decoding, so corrupt input cannot make a
// huge allocation.
const maxEntries = 1 << 20

var errCorrupt = errors.New("dedupe: corrupt encoding")

func (e *entries) len() int { return len(e.hashes) }

// newest returns the time of the newest entry, unix milliseconds; the
// entries must not be empty.
func (e *entries) newest() int64 { return e.times[len(e.times)-1] }

// clock returns now in unix milliseconds, but never before the newest
// entry: the entries' times stay in order whatever clock the caller has.
func (e *entries) clock(now time.Time) int64 {
	ms := now.UnixMilli()
	if n := len(e.times); n > 0 && e.times[n-1] > ms {
		return e.times[n-1]
	}
	return ms
}

// cutoff returns the time at or before which an entry has expired at now:
// ttl is counted in whole milliseconds, at least one.
func cutoff(now int64, ttl time.Duration) int64 { return now - max(ttl.Milliseconds(), 1) }

// expired reports whether entry i has expired at now.
func (e *entries) expired(i int, now time.Time, ttl time.Duration) bool {
	return e.times[i] <= cutoff(e.clock(now), ttl)
}

// prune drops the entries that have expired at now.
func (e *entries) prune(now int64, ttl time.Duration) {
	cut := cutoff(now, ttl)
	i := 0
	for i < len(e.times) && e.times[i] <= cut {
		i++
	}
	e.drop(i)
}

// makeRoom drops the oldest entries until fewer than max remain.
func (e *entries) makeRoom(max int) {
	if n := len(e.hashes) - max + 1; n > 0 {
		e.drop(n)
	}
}

// drop removes the n oldest entries.
func (e *entries) drop(n int) {
	if n == 0 {
		return
	}
	e.hashes = e.hashes[n:]
	e.times = e.times[n:]
	if e.vals != nil {
		e.vals = e.vals[n:]
	}
}

// find returns the index of h, searching newest first (duplicates are
// usually recent), or -1.
func (e *entries) find(h uint64) int {
	for i := len(e.hashes) - 1; i >= 0; i-- {
		if e.hashes[i] == h {
			return i
		}
	}
	return -1
}

// remove deletes entry i, keeping the order of the others.
func (e *entries) remove(i int) {
	e.hashes = append(e.hashes[:i], e.hashes[i+1:]...)
	e.times = append(e.times[:i], e.times[i+1:]...)
	if e.vals != nil {
		e.vals = append(e.vals[:i], e.vals[i+1:]...)
	}
}

func (e *entries) push(h uint64, t, v int64, withVal bool) {
	e.hashes = append(e.hashes, h)
	e.times = append(e.times, t)
	if withVal {
		e.vals = append(e.vals, v)
	}
}

// hashID is 64-bit FNV-1a: stable across processes and versions, as stored
// state needs. With Max ids per window the chance that a new id collides
// with one of them is Max/2^64 (5e-17 for 1,000), and a collision only
// drops that one event.
func hashID(id string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(id); i++ {
		h ^= uint64(id[i])
		h *= 1099511628211
	}
	return h
}

// appendEntries encodes e in columns, so that decoding reads the hashes in
// one pass:
//
//	format, uvarint ttl_ms, uvarint max, uvarint n,
//	and when n > 0: varint t0, n hashes (uint64 LE),
//	n uvarint time deltas (t[i]-t[i-1], t[-1] = t0),
//	n varint values as v[i]-t[i] (Roots only)
func appendEntries(b []byte, format byte, ttl time.Duration, max int, e *entries) []byte {
	n := len(e.hashes)
	b = slices.Grow(b, 32+n*(8+4))
	b = append(b, format)
	b = binary.AppendUvarint(b, uint64(max0(ttl.Milliseconds())))
	b = binary.AppendUvarint(b, uint64(max0(int64(max))))
	b = binary.AppendUvarint(b, uint64(n))
	if n == 0 {
		return b
	}
	b = binary.AppendVarint(b, e.times[0])
	for _, h := range e.hashes {
		b = binary.LittleEndian.AppendUint64(b, h)
	}
	prev := e.times[0]
	for _, t := range e.times {
		b = binary.AppendUvarint(b, uint64(t-prev))
		prev = t
	}
	for i, v := range e.vals {
		b = binary.AppendVarint(b, v-e.times[i])
	}
	return b
}

func max0(v int64) int64 { return max(v, 0) }

// decodeEntries is the inverse of appendEntries. It returns the bytes
// consumed; corrupt input is an error, never a panic. The slices get room
// for one more entry, which the handler that decoded them usually adds.
func decodeEntries(b []byte, format byte) (ttl time.Duration, max int, e entries, n int, err error) {
	d := newDecoder(b, 0)
	if f := d.Byte(); d.Err() == nil && f != format {
		return 0, 0, e, 0, fmt.Errorf("%w: format %d, want %d", errCorrupt, f, format)
	}
	ttlMs, mx, count := d.Uvarint(), d.Uvarint(), d.Uvarint()
	if d.Err() != nil {
		return 0, 0, e, 0, d.Err()
	}
	// Each entry takes at least 9 bytes: refuse counts the input cannot hold.
	if ttlMs > uint64(1<<62)/uint64(time.Millisecond) || mx > maxEntries || count > uint64(len(b))/9 {
		return 0, 0, e, 0, fmt.Errorf("%w: ttl %d ms, max %d, %d entries in %d bytes", errCorrupt, ttlMs, mx, count, len(b))
	}
	if count > 0 {
		c := int(count)
		t := d.Varint()
		if d.Remaining() < 8*c {
			d.Fail("truncated hashes")
		}
		if d.Err() != nil {
			return 0, 0, entries{}, 0, d.Err()
		}
		hashes := d.Bytes(8 * c)
		e.hashes = make([]uint64, c, c+1)
		for i := range e.hashes {
			e.hashes[i] = binary.LittleEndian.Uint64(hashes[8*i:])
		}
		e.times = make([]int64, c, c+1)
		for i := range e.times {
			t += int64(d.Uvarint()) // Uvarint takes the one-byte deltas fast
			e.times[i] = t
		}
		if format == formatRoots {
			e.vals = make([]int64, c, c+1)
			for i := range e.vals {
				e.vals[i] = e.times[i] + d.Varint()
			}
		}
		if d.Err() != nil {
			return 0, 0, entries{}, 0, d.Err()
		}
	}
	return time.Duration(ttlMs) * time.Millisecond, int(mx), e, d.Offset(), nil
}

// newDecoder reads b from off, keeping the first error.
func newDecoder(b []byte, off int) binread.Reader { return binread.New(b, off, corrupt) }

func corrupt(what string, off, size int) error {
	return fmt.Errorf("%w: %s at byte %d of %d", errCorrupt, what, off, size)
}
