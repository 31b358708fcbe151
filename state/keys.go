package state

import "unsafe"

// Pebble v2.1.7's columnar sstable writer panics, in a background flush
// that takes the process down, when a data block holds only the empty key
// (colblk.PrefixBytesBuilder.Finish: "unreachable"). goka allows the empty
// key (a Kafka message without a key), so the empty key must never reach
// Pebble. User keys are therefore mapped to Pebble keys by an injective,
// order-preserving encoding: a key that is empty or starts with 0x00 gets a
// 0x00 prefix, and every other key, the common case, is passed through
// unchanged and uncopied. Encoded escaped keys all start with 0x00 and sort
// before every unescaped key, as their originals do.

// encodeKey returns the Pebble key of user key k. Unescaped keys alias k's
// memory; Pebble only reads keys passed to Get, Set, Delete and SeekGE and
// copies what it keeps, so the immutable string memory is never written.
func encodeKey(k string) []byte {
	if needsEscape(k) {
		return append([]byte{0}, k...)
	}
	return unsafe.Slice(unsafe.StringData(k), len(k))
}

// encodeKeyBytes is encodeKey for a []byte key; unescaped keys are k itself.
func encodeKeyBytes(k []byte) []byte {
	if needsEscape(string(k)) {
		return append([]byte{0}, k...)
	}
	return k
}

// encodeBound encodes an iterator bound into a fresh slice, since Pebble
// keeps bounds for the iterator's life and the caller may reuse its own. A
// nil bound stays nil: unbounded.
func encodeBound(b []byte) []byte {
	if b == nil {
		return nil
	}
	if needsEscape(string(b)) {
		return append([]byte{0}, b...)
	}
	return append([]byte(nil), b...)
}

// decodeKey returns the user key of Pebble key k, a subslice of k.
func decodeKey(k []byte) []byte {
	if len(k) > 0 && k[0] == 0 {
		return k[1:]
	}
	return k
}

func needsEscape(k string) bool {
	return len(k) == 0 || k[0] == 0
}

// keyBytes returns the bytes of k without copying, for keys that need no
// escaping, such as offsetKey.
func keyBytes(k string) []byte {
	return unsafe.Slice(unsafe.StringData(k), len(k))
}
