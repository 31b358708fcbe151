package changeprop

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/ripplestream/ripple/deps/propagate"
	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/internal/binread"
)

// formatCandidate is the first byte of a Candidate in CandidateCodec's
// format. JSON text never starts with it, so candidates written as JSON by
// earlier versions, still in the stream after an upgrade, are told apart
// and read.
const formatCandidate byte = 0x01

// errCorrupt wraps the reasons a candidate does not decode.
var errCorrupt = errors.New("changeprop: corrupt candidate")

// CandidateCodec is the codec of the stream between the fan-out and the
// coalesce job: one record per purge, so its cost is paid per purge twice,
// and encoding/json's reflection was a fifth of a fan-out's CPU. It writes
// every field of the purge and its re-index request in order, strings
// length first, times in time.Time's binary form (the instant and the zone
// offset, so the purge the coalesce job sends is the JSON the fan-out
// would have written). It also decodes candidates written as JSON.
type CandidateCodec struct{}

// Encode returns the encoding of c.
func (CandidateCodec) Encode(c Candidate) ([]byte, error) {
	b := make([]byte, 0, 512)
	b = append(b, formatCandidate)
	var err error
	if b, err = appendResourceChange(b, c.Purge); err != nil {
		return nil, err
	}
	if c.Rerender == nil {
		return append(b, 0), nil
	}
	return appendRerender(append(b, 1), *c.Rerender)
}

// Decode returns the Candidate data encodes, in this format or as JSON,
// or a *event.DecodeError.
func (CandidateCodec) Decode(data []byte) (Candidate, error) {
	if len(data) == 0 || data[0] != formatCandidate {
		return event.JSON[Candidate]{}.Decode(data)
	}
	d := binread.New(data, 1, corrupt)
	var c Candidate
	readResourceChange(&d, &c.Purge)
	if d.Bool() {
		c.Rerender = new(propagate.PageRerender)
		readRerender(&d, c.Rerender)
	}
	if d.Err() == nil && d.Remaining() != 0 {
		d.Fail("trailing bytes")
	}
	if err := d.Err(); err != nil {
		return Candidate{}, &event.DecodeError{Codec: "changeprop candidate", Reason: err.Error(), Offset: -1, Err: err}
	}
	return c, nil
}

func corrupt(what string, off, size int) error {
	return fmt.Errorf("%w: %s at byte %d of %d", errCorrupt, what, off, size)
}

func appendResourceChange(b []byte, rc propagate.ResourceChange) ([]byte, error) {
	b, err := appendEnvelope(b, rc.Envelope)
	if err != nil {
		return nil, err
	}
	b = appendStrings(b, rc.Tags)
	b = binread.AppendString(b, rc.Rule)
	b = appendStrings(b, rc.Explanation)
	return binary.AppendVarint(b, int64(rc.Coalesced)), nil
}

func readResourceChange(d *binread.Reader, rc *propagate.ResourceChange) {
	readEnvelope(d, &rc.Envelope)
	rc.Tags = readStrings(d)
	rc.Rule = d.String()
	rc.Explanation = readStrings(d)
	rc.Coalesced = int(d.Varint())
}

func appendRerender(b []byte, rr propagate.PageRerender) ([]byte, error) {
	b, err := appendEnvelope(b, rr.Envelope)
	if err != nil {
		return nil, err
	}
	b = binread.AppendString(b, rr.WikiID)
	b = binary.AppendVarint(b, rr.PageID)
	b = binread.AppendString(b, rr.PageTitle)
	b = binary.AppendVarint(b, int64(rr.NamespaceID))
	if rr.IsRedirect {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	for _, s := range []string{rr.Reason, rr.ClusterGroup, rr.IndexName} {
		b = binread.AppendString(b, s)
	}
	return b, nil
}

func readRerender(d *binread.Reader, rr *propagate.PageRerender) {
	readEnvelope(d, &rr.Envelope)
	rr.WikiID = d.String()
	rr.PageID = d.Varint()
	rr.PageTitle = d.String()
	rr.NamespaceID = int(d.Varint())
	rr.IsRedirect = d.Bool()
	rr.Reason, rr.ClusterGroup, rr.IndexName = d.String(), d.String(), d.String()
}

func appendEnvelope(b []byte, e event.Envelope) ([]byte, error) {
	m := e.Meta
	for _, s := range []string{e.Schema, m.Stream, m.ID, m.URI, m.Domain, m.RequestID, e.TriggeredBy} {
		b = binread.AppendString(b, s)
	}
	var err error
	if b, err = appendTime(b, m.DT); err != nil {
		return nil, err
	}
	if b, err = appendTime(b, e.DT); err != nil {
		return nil, err
	}
	if e.RootEvent == nil {
		return append(b, 0), nil
	}
	return appendTime(binread.AppendString(append(b, 1), e.RootEvent.Signature), e.RootEvent.DT)
}

func readEnvelope(d *binread.Reader, e *event.Envelope) {
	m := &e.Meta
	for _, s := range []*string{&e.Schema, &m.Stream, &m.ID, &m.URI, &m.Domain, &m.RequestID, &e.TriggeredBy} {
		*s = d.String()
	}
	m.DT, e.DT = readTime(d), readTime(d)
	if d.Bool() {
		e.RootEvent = &event.RootEvent{Signature: d.String()}
		e.RootEvent.DT = readTime(d)
	}
}

func appendStrings(b []byte, ss []string) []byte {
	if ss == nil { // nil and empty differ in JSON (tags: null and [])
		return append(b, 0)
	}
	b = binary.AppendUvarint(b, uint64(len(ss))+1)
	for _, s := range ss {
		b = binread.AppendString(b, s)
	}
	return b
}

func readStrings(d *binread.Reader) []string {
	n := d.Uvarint()
	if n == 0 {
		return nil
	}
	if n-1 > uint64(d.Remaining()) { // a string takes a byte at least
		d.Fail(binread.Truncated)
		return nil
	}
	ss := make([]string, n-1)
	for i := range ss {
		ss[i] = d.String()
	}
	return ss
}

// appendTime appends t's binary form (time.Time.AppendBinary), its length
// first.
func appendTime(b []byte, t time.Time) ([]byte, error) {
	n := len(b)
	b, err := t.AppendBinary(append(b, 0))
	if err != nil {
		return nil, fmt.Errorf("changeprop: encode candidate: %w", err)
	}
	b[n] = byte(len(b) - n - 1)
	return b, nil
}

func readTime(d *binread.Reader) time.Time {
	var t time.Time
	if err := t.UnmarshalBinary(d.Bytes(int(d.Byte()))); err != nil {
		d.Fail("time: " + err.Error())
	}
	return t
}
