package diff

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/ripplestream/ripple/internal/binread"
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
	b = binread.AppendString(b, s.Wiki)
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
	b = binread.AppendString(b, s.Text)
	for _, set := range [][]string{s.Deps.Templates, s.Deps.Links, s.Deps.Files, s.Deps.Categories} {
		b = binary.AppendUvarint(b, uint64(len(set)))
		for _, x := range set {
			b = binread.AppendString(b, x)
		}
	}
	return b, nil
}

// Decode returns the State in b.
func (StateCodec) Decode(b []byte) (State, error) {
	d := newDecoder(b)
	if v := d.Byte(); v != stateVersion {
		return State{}, fmt.Errorf("diff: state version %d, want %d", v, stateVersion)
	}
	s := State{Wiki: d.String(), PageID: d.Varint(), RevID: d.Varint(), Size: d.Varint(), Stale: d.Varint(), Duplicate: d.Varint()}
	copy(s.Hash[:], d.Bytes(len(s.Hash)))
	flags := d.Byte()
	s.Kept, s.DepsKnown = flags&flagKept != 0, flags&flagDepsKnown != 0
	s.Text = d.String()
	for _, set := range []*[]string{&s.Deps.Templates, &s.Deps.Links, &s.Deps.Files, &s.Deps.Categories} {
		n := d.Uvarint()
		if n > uint64(d.Remaining()) { // every entry takes at least one byte
			return State{}, fmt.Errorf("diff: state claims %d dependencies in %d bytes", n, d.Remaining())
		}
		*set = make([]string, 0, n)
		for range n {
			*set = append(*set, d.String())
		}
	}
	if d.Err() != nil {
		return State{}, fmt.Errorf("diff: state: %w", d.Err())
	}
	return s, nil
}

var errShort = errors.New("truncated")

// newDecoder reads what Encode wrote, remembering the first error; every
// failure is errShort.
func newDecoder(b []byte) binread.Reader {
	return binread.New(b, 0, func(string, int, int) error { return errShort })
}
