package window

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/internal/binread"
)

// formatState is the first byte of a JobState in StateCodec's format. JSON
// text never starts with it, so a state written as JSON by earlier versions
// is told apart and still read.
const formatState byte = 0x01

// Flags of the format: which of JobState's fields follow.
const (
	flagMarked   byte = 1 << iota // State.Marked
	flagTimed                     // Timed
	flagAnchored                  // SeenAt and EventAt follow
	flagTimer                     // TimerAt and TimerEnd follow
	flagExpires                   // Expires follows
	flagLate                      // State.Late follows
	flagsKnown   = 1<<iota - 1
)

// errCorrupt wraps the reasons a state does not decode.
var errCorrupt = errors.New("window: corrupt state")

// StateCodec is the job's codec of JobState: a format byte, flags, the
// watermark, the other times as varints relative to it (each only when
// set), and the open windows, each relative to the one before. Aggregates
// of type int64 or int are varints, float64 its 8 bytes; any other type is
// its JSON, length first. It also decodes JobState written as JSON, the
// job's codec before this one, so a job's existing state and changelog
// stay readable.
//
// Like JSON, it refuses a float aggregate that is Inf or NaN, so the event
// that made one goes to the error topic instead of a window that cannot be
// reported.
type StateCodec[A any] struct{}

// Encode returns the encoding of st.
func (StateCodec[A]) Encode(st JobState[A]) ([]byte, error) {
	var flags byte
	set := func(f byte, on bool) {
		if on {
			flags |= f
		}
	}
	set(flagMarked, st.Marked)
	set(flagTimed, st.Timed)
	set(flagAnchored, st.SeenAt != 0 || st.EventAt != 0)
	set(flagTimer, st.TimerAt != 0 || st.TimerEnd != 0)
	set(flagExpires, st.Expires != 0)
	set(flagLate, st.Late != 0)
	b := make([]byte, 0, 24+len(st.Open)*12)
	b = append(b, formatState, flags)
	b = binary.AppendVarint(b, st.Mark)
	if flags&flagAnchored != 0 {
		b = binary.AppendVarint(binary.AppendVarint(b, st.SeenAt-st.Mark), st.EventAt-st.Mark)
	}
	if flags&flagTimer != 0 {
		b = binary.AppendVarint(binary.AppendVarint(b, st.TimerAt-st.Mark), st.TimerEnd-st.Mark)
	}
	if flags&flagExpires != 0 {
		b = binary.AppendVarint(b, st.Expires-st.Mark)
	}
	if flags&flagLate != 0 {
		b = binary.AppendVarint(b, st.Late)
	}
	b = binary.AppendUvarint(b, uint64(len(st.Open)))
	prev := st.Mark
	for _, w := range st.Open {
		b = binary.AppendVarint(b, w.Start-prev)
		b = binary.AppendVarint(b, w.End-w.Start)
		b = binary.AppendVarint(b, w.Count)
		if w.Evicted {
			b = append(b, 1)
		} else {
			b = append(b, 0)
		}
		var err error
		if b, err = appendAggregate(b, w.Agg); err != nil {
			return nil, err
		}
		prev = w.End
	}
	return b, nil
}

// Decode returns the JobState data encodes, in this format or as JSON, or
// a *event.DecodeError.
func (StateCodec[A]) Decode(data []byte) (JobState[A], error) {
	if len(data) == 0 || data[0] != formatState {
		return event.JSON[JobState[A]]{}.Decode(data)
	}
	st, err := decodeState[A](data)
	if err != nil {
		return JobState[A]{}, &event.DecodeError{Codec: "window", Reason: err.Error(), Offset: -1, Err: err}
	}
	return st, nil
}

func decodeState[A any](data []byte) (JobState[A], error) {
	var st JobState[A]
	d := binread.New(data, 1, corrupt)
	flags := d.Byte()
	if flags&^flagsKnown != 0 {
		return st, fmt.Errorf("%w: flags %#x", errCorrupt, flags)
	}
	st.Marked, st.Timed = flags&flagMarked != 0, flags&flagTimed != 0
	st.Mark = d.Varint()
	if flags&flagAnchored != 0 {
		st.SeenAt, st.EventAt = st.Mark+d.Varint(), st.Mark+d.Varint()
	}
	if flags&flagTimer != 0 {
		st.TimerAt, st.TimerEnd = st.Mark+d.Varint(), st.Mark+d.Varint()
	}
	if flags&flagExpires != 0 {
		st.Expires = st.Mark + d.Varint()
	}
	if flags&flagLate != 0 {
		st.Late = d.Varint()
	}
	n := d.Uvarint()
	if n > uint64(d.Remaining())/4 { // a window takes four bytes at least
		return st, fmt.Errorf("%w: %d windows in %d bytes", errCorrupt, n, len(data))
	}
	if n > 0 {
		st.Open = make([]Window[A], n)
	}
	prev := st.Mark
	for i := range st.Open {
		w := &st.Open[i]
		w.Start = prev + d.Varint()
		w.End = w.Start + d.Varint()
		w.Count = d.Varint()
		w.Evicted = d.Bool()
		readAggregate(&d, &w.Agg)
		prev = w.End
	}
	if d.Err() == nil && d.Remaining() != 0 {
		d.Fail("trailing bytes")
	}
	if d.Err() != nil {
		return JobState[A]{}, d.Err()
	}
	return st, nil
}

func corrupt(what string, off, size int) error {
	return fmt.Errorf("%w: %s at byte %d of %d", errCorrupt, what, off, size)
}

// appendAggregate appends the encoding of a.
func appendAggregate[A any](b []byte, a A) ([]byte, error) {
	switch v := any(a).(type) {
	case int64:
		return binary.AppendVarint(b, v), nil
	case int:
		return binary.AppendVarint(b, int64(v)), nil
	case float64:
		if math.IsInf(v, 0) || math.IsNaN(v) {
			return nil, fmt.Errorf("window: encode state: aggregate %v is not a finite number", v)
		}
		return binary.LittleEndian.AppendUint64(b, math.Float64bits(v)), nil
	}
	j, err := json.Marshal(a)
	if err != nil {
		return nil, fmt.Errorf("window: encode state: aggregate: %w", err)
	}
	return append(binary.AppendUvarint(b, uint64(len(j))), j...), nil
}

// readAggregate reads an aggregate appendAggregate wrote into a.
func readAggregate[A any](d *binread.Reader, a *A) {
	switch p := any(a).(type) {
	case *int64:
		*p = d.Varint()
	case *int:
		*p = int(d.Varint())
	case *float64:
		*p = math.Float64frombits(binary.LittleEndian.Uint64(d.Bytes(8)))
	default:
		n := d.Uvarint()
		if n > uint64(d.Remaining()) {
			d.Fail(binread.Truncated)
			return
		}
		if err := json.Unmarshal(d.Bytes(int(n)), a); err != nil {
			d.Fail("aggregate: " + err.Error())
		}
	}
}
