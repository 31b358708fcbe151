package binread

import "encoding/binary"

// What a Reader reports to its fail function when one of its own reads
// fails; a codec's own checks pass their own words to Fail.
const (
	Truncated  = "truncated"   // fewer bytes left than the read needs
	BadUvarint = "bad uvarint" // no valid uvarint at the offset
	BadVarint  = "bad varint"  // no valid varint at the offset
)

// Reader reads b from an offset onwards. After the first failure every read
// returns a zero value and Err returns the error fail built for it.
type Reader struct {
	b    []byte
	off  int
	err  error
	fail func(what string, off, size int) error
}

// New returns a Reader of b starting at byte off. fail builds the error for
// the first failed read from what went wrong (Truncated, BadUvarint,
// BadVarint or the word given to Fail), the offset it went wrong at and
// len(b). New returns a value, not a pointer, so that a decoder can keep
// the Reader on its stack: a fail that captures nothing costs no allocation.
func New(b []byte, off int, fail func(what string, off, size int) error) Reader {
	return Reader{b: b, off: off, fail: fail}
}

// Err returns the first failure, or nil.
func (r *Reader) Err() error { return r.err }

// Offset returns the offset of the next byte to read.
func (r *Reader) Offset() int { return r.off }

// Remaining returns how many bytes are left to read; none after a failure.
func (r *Reader) Remaining() int {
	if r.err != nil {
		return 0
	}
	return len(r.b) - r.off
}

// Fail records a failure at the current offset unless one is recorded
// already, for checks the codec makes itself.
func (r *Reader) Fail(what string) {
	if r.err == nil {
		r.err = r.fail(what, r.off, len(r.b))
	}
}

// Bytes returns the next n bytes, not a copy. When fewer are left it fails
// with Truncated and returns min(n, 8) zero bytes, so fixed-size reads (up
// to 8 bytes) can index the result without checking, and a corrupt length
// allocates nothing large; check Remaining before a variable-size read.
func (r *Reader) Bytes(n int) []byte {
	if r.err != nil || len(r.b)-r.off < n {
		r.Fail(Truncated)
		return make([]byte, min(max(n, 0), 8))
	}
	v := r.b[r.off : r.off+n]
	r.off += n
	return v
}

// Byte returns the next byte.
func (r *Reader) Byte() byte {
	if r.err != nil || r.off >= len(r.b) {
		r.Fail(Truncated)
		return 0
	}
	r.off++
	return r.b[r.off-1]
}

// Bool returns the next byte as a bool: 0 false, 1 true; another byte
// fails with "bool".
func (r *Reader) Bool() bool {
	switch r.Byte() {
	case 0:
		return false
	case 1:
		return true
	}
	r.Fail("bool")
	return false
}

// Uvarint returns the next uvarint.
func (r *Reader) Uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	if r.off < len(r.b) && r.b[r.off] < 0x80 { // most values fit one byte
		r.off++
		return uint64(r.b[r.off-1])
	}
	v, n := binary.Uvarint(r.b[r.off:])
	if n <= 0 {
		r.Fail(BadUvarint)
		return 0
	}
	r.off += n
	return v
}

// Varint returns the next varint.
func (r *Reader) Varint() int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.b[r.off:])
	if n <= 0 {
		r.Fail(BadVarint)
		return 0
	}
	r.off += n
	return v
}

// AppendString appends s as String reads it: a uvarint length and s.
func AppendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// String returns a string written as a uvarint length and that many bytes.
// A length beyond the bytes left fails with Truncated.
func (r *Reader) String() string {
	n := r.Uvarint()
	if n > uint64(r.Remaining()) {
		r.Fail(Truncated)
		return ""
	}
	return string(r.Bytes(int(n)))
}
