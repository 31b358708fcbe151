package anomaly

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/internal/binread"
)

// StateCodec is the binary codec of KeyState, the job's state codec: a
// format byte, then every field in a fixed order (times as Unix seconds and
// nanoseconds, counts as float64, residuals as float32). It is about half
// the size of the JSON form and decodes some thirty times faster, which
// matters because every event rewrites its key's state.
type StateCodec struct{}

const codecFormat byte = 1

var errCorrupt = errors.New("anomaly: corrupt state")

// maxSlice bounds the slices a state decodes, so a corrupt length cannot
// allocate much.
const maxSlice = 1 << 16

// Encode returns the binary encoding of s.
func (StateCodec) Encode(s KeyState) ([]byte, error) {
	e := encoder{b: make([]byte, 0, 64+8*len(s.Open)+4*len(s.Resid)+8*len(s.Hourly))}
	e.b = append(e.b, codecFormat)
	st := &s.State
	e.time(st.Clock)
	e.time(st.Start)
	e.floats(st.Open)
	e.varint(st.Closed)
	e.float(st.Mean)
	e.floats(st.Hourly)
	e.uvarint(uint64(st.Hours))
	e.uvarint(uint64(len(st.Resid)))
	for _, r := range st.Resid {
		e.b = binary.LittleEndian.AppendUint32(e.b, math.Float32bits(r))
	}
	e.varint(int64(st.Next))
	e.varint(int64(st.Streak))
	e.time(st.StreakStart)
	e.bool(st.Firing)
	e.str(string(st.Side))
	e.time(st.Since)
	e.time(st.LastAnomalous)
	e.time(st.Changed)
	e.varint(st.Late)
	e.time(s.LastEvent)
	e.time(s.Newest)
	e.time(s.NewestAt)
	e.time(s.Timer)
	e.bool(s.Fired != nil)
	if f := s.Fired; f != nil {
		e.str(string(f.Status))
		e.str(string(f.Direction))
		e.time(f.Start)
		e.time(f.End)
		e.float(f.Value)
		e.float(f.Baseline)
		e.float(f.Threshold)
		e.float(f.Score)
		e.time(f.Since)
	}
	return e.b, nil
}

// Decode returns the KeyState data encodes, or a *event.DecodeError.
func (StateCodec) Decode(data []byte) (KeyState, error) {
	var s KeyState
	if len(data) == 0 || data[0] != codecFormat {
		return s, &event.DecodeError{Codec: "anomaly", Reason: "not an anomaly state", Offset: 0}
	}
	d := newDecoder(data, 1)
	st := &s.State
	st.Clock = d.time()
	st.Start = d.time()
	st.Open = d.floats()
	st.Closed = d.Varint()
	st.Mean = d.float()
	st.Hourly = d.floats()
	st.Hours = uint32(d.Uvarint())
	if n := d.length(4); n > 0 {
		st.Resid = make([]float32, n)
		for i := range st.Resid {
			st.Resid[i] = math.Float32frombits(binary.LittleEndian.Uint32(d.Bytes(4)))
		}
	}
	st.Next = int(d.Varint())
	st.Streak = int(d.Varint())
	st.StreakStart = d.time()
	st.Firing = d.Bool()
	st.Side = Direction(d.str())
	st.Since = d.time()
	st.LastAnomalous = d.time()
	st.Changed = d.time()
	st.Late = d.Varint()
	s.LastEvent = d.time()
	s.Newest = d.time()
	s.NewestAt = d.time()
	s.Timer = d.time()
	if d.Bool() {
		f := &Transition{}
		f.Status = Status(d.str())
		f.Direction = Direction(d.str())
		f.Start = d.time()
		f.End = d.time()
		f.Value = d.float()
		f.Baseline = d.float()
		f.Threshold = d.float()
		f.Score = d.float()
		f.Since = d.time()
		s.Fired = f
	}
	err := d.Err()
	if err == nil && d.Offset() != len(data) {
		err = fmt.Errorf("%w: %d bytes after the state", errCorrupt, len(data)-d.Offset())
	}
	if err != nil {
		return KeyState{}, &event.DecodeError{Codec: "anomaly", Reason: err.Error(), Offset: int64(d.Offset()), Err: err}
	}
	return s, nil
}

type encoder struct{ b []byte }

func (e *encoder) uvarint(v uint64) { e.b = binary.AppendUvarint(e.b, v) }
func (e *encoder) varint(v int64)   { e.b = binary.AppendVarint(e.b, v) }
func (e *encoder) float(v float64)  { e.b = binary.LittleEndian.AppendUint64(e.b, math.Float64bits(v)) }
func (e *encoder) str(s string)     { e.uvarint(uint64(len(s))); e.b = append(e.b, s...) }

func (e *encoder) bool(v bool) {
	if v {
		e.b = append(e.b, 1)
	} else {
		e.b = append(e.b, 0)
	}
}

// time writes 0 for the zero time, else 1, Unix seconds and nanoseconds:
// any year encodes, unlike UnixNano.
func (e *encoder) time(t time.Time) {
	if t.IsZero() {
		e.b = append(e.b, 0)
		return
	}
	e.b = append(e.b, 1)
	e.varint(t.Unix())
	e.uvarint(uint64(t.Nanosecond()))
}

func (e *encoder) floats(v []float64) {
	e.uvarint(uint64(len(v)))
	for _, f := range v {
		e.float(f)
	}
}

// decoder reads what encoder wrote; after the first error every read
// returns zero and Err says where it went wrong.
type decoder struct{ binread.Reader }

func newDecoder(b []byte, off int) decoder { return decoder{binread.New(b, off, corrupt)} }

func corrupt(what string, off, _ int) error {
	switch what {
	case binread.Truncated:
		what = "length"
	case binread.BadUvarint, binread.BadVarint:
		what = "varint"
	}
	return fmt.Errorf("%w: bad %s at byte %d", errCorrupt, what, off)
}

func (d *decoder) float() float64 {
	return math.Float64frombits(binary.LittleEndian.Uint64(d.Bytes(8)))
}

// length reads a slice length whose elements take size bytes each.
func (d *decoder) length(size int) int {
	n := d.Uvarint()
	if n > maxSlice || int(n)*size > d.Remaining() {
		d.Fail("slice length")
		return 0
	}
	return int(n)
}

func (d *decoder) floats() []float64 {
	n := d.length(8)
	if n == 0 {
		return nil
	}
	v := make([]float64, n)
	for i := range v {
		v[i] = d.float()
	}
	return v
}

func (d *decoder) str() string { return string(d.Bytes(d.length(1))) }

func (d *decoder) time() time.Time {
	switch d.Bytes(1)[0] {
	case 0:
		return time.Time{}
	case 1:
		sec := d.Varint()
		ns := d.Uvarint()
		if ns >= 1e9 {
			d.Fail("time")
			return time.Time{}
		}
		return time.Unix(sec, int64(ns)).UTC()
	}
	d.Fail("time")
	return time.Time{}
}
