package diff

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// StateCodec encodes State compactly: a version byte, then varints and
// length-prefixed strings. The zero value is ready to use.
type StateCodec struct{}

const stateVersion = 1

const (
	flagKept = 1 << iota
	flagDepsKnown
)

// Encode returns the bytes of s.
func (StateCodec) Encode(s State) ([]byte, error) {
	b := make([]byte, 0, 64+len(s.Wiki)+len(s.Text)+32*s.Deps.len())
	b = append(b, stateVersion)
	b = appendString(b, s.Wiki)
	for _, v := range []int64{s.PageID, s.RevID, s.Size, s.Stale, s.Duplicate} {
		b = binary.AppendVarint(b, v)
	}
	b = append(b, s.Hash[:]...)
	var flags byte
	if s.Kept {
		flags |= flagKept
	}
	if s.DepsKnown {
		flags |= flagDepsKnown
	}
	b = append(b, flags)
	b = appendString(b, s.Text)
	for _, set := range [][]string{s.Deps.Templates, s.Deps.Links, s.Deps.Files, s.Deps.Categories} {
		b = binary.AppendUvarint(b, uint64(len(set)))
		for _, x := range set {
			b = appendString(b, x)
		}
	}
	return b, nil
}

// Decode returns the State in b.
func (StateCodec) Decode(b []byte) (State, error) {
	d := decoder{b: b}
	if v := d.byte(); v != stateVersion {
		return State{}, fmt.Errorf("diff: state version %d, want %d", v, stateVersion)
	}
	s := State{Wiki: d.string(), PageID: d.varint(), RevID: d.varint(), Size: d.varint(), Stale: d.varint(), Duplicate: d.varint()}
	copy(s.Hash[:], d.bytes(len(s.Hash)))
	flags := d.byte()
	s.Kept, s.DepsKnown = flags&flagKept != 0, flags&flagDepsKnown != 0
	s.Text = d.string()
	for _, set := range []*[]string{&s.Deps.Templates, &s.Deps.Links, &s.Deps.Files, &s.Deps.Categories} {
		n := d.uvarint()
		if n > uint64(len(d.b)) { // every entry takes at least one byte
			return State{}, fmt.Errorf("diff: state claims %d dependencies in %d bytes", n, len(d.b))
		}
		*set = make([]string, 0, n)
		for range n {
			*set = append(*set, d.string())
		}
	}
	if d.err != nil {
		return State{}, fmt.Errorf("diff: state: %w", d.err)
	}
	return s, nil
}

func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// decoder reads what Encode wrote, remembering the first error.
type decoder struct {
	b   []byte
	err error
}

var errShort = errors.New("truncated")

func (d *decoder) bytes(n int) []byte {
	if len(d.b) < n {
		d.err, d.b = errShort, nil
		return nil
	}
	v := d.b[:n]
	d.b = d.b[n:]
	return v
}

func (d *decoder) byte() byte {
	if v := d.bytes(1); v != nil {
		return v[0]
	}
	return 0
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err, d.b = errShort, nil
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.err, d.b = errShort, nil
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) string() string {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.err, d.b = errShort, nil
		return ""
	}
	return string(d.bytes(int(n)))
}
