package ratelimit

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/ripplestream/ripple/event"
)

// State is one key's rate-limit state: a dozen bytes for a key within its
// limit, up to about 40 while it is held back, and about 15 more while the
// stage has a summary timer pending for it. It is meant to be the state
// of the ratelimit stage or a field of a job's own per-key state; it has a
// compact binary form (StateCodec) and a JSON form.
type State struct {
	// TAT is the GCRA theoretical arrival time: when the key's bucket is
	// empty again.
	TAT time.Time `json:"tat,omitzero"`
	// Over counts events over the limit since the last sampled one.
	Over int64 `json:"over,omitzero"`
	// Suppressed and Delayed count the events held back since Since, for
	// the next Summary.
	Suppressed int64     `json:"suppressed,omitzero"`
	Delayed    int64     `json:"delayed,omitzero"`
	Since      time.Time `json:"since,omitzero"`
	// ErrorRate is the key's smoothed error rate (see Adaptive).
	ErrorRate float64 `json:"error_rate,omitzero"`

	// TimerAt is when the stage's pending summary timer for the key is
	// due, in processing time (Context.Now), Unix milliseconds; 0 if none
	// is. EventAt and SeenAt anchor it: the stage's time of the key's
	// newest event and the processing time it was handled at, Unix
	// milliseconds. The stage keeps them only while a timer is pending;
	// Decide does not use them.
	TimerAt int64 `json:"timer_at,omitzero"`
	EventAt int64 `json:"event_at,omitzero"`
	SeenAt  int64 `json:"seen_at,omitzero"`
}

// hold notes that an event was held back at now.
func (s *State) hold(now time.Time) {
	if s.Since.IsZero() {
		s.Since = now
	}
}

const stateFormat byte = 1

// Flags saying which fields follow the header; zero fields are left out.
const (
	hasTAT = 1 << iota
	hasOver
	hasSuppressed
	hasDelayed
	hasSince
	hasErrorRate
	hasTimer // TimerAt, EventAt and SeenAt
	allFlags = 1<<iota - 1
)

var errCorrupt = errors.New("ratelimit: corrupt state")

// StateCodec is the binary codec of State: a format byte, a byte of flags
// and the non-zero fields as varints (times in Unix nanoseconds; the
// stage's timer fields in milliseconds, relative to SeenAt).
type StateCodec struct{}

// Encode returns the binary encoding of s.
func (StateCodec) Encode(s State) ([]byte, error) {
	var flags byte
	b := make([]byte, 2, 40)
	if !s.TAT.IsZero() {
		flags |= hasTAT
		b = binary.AppendVarint(b, s.TAT.UnixNano())
	}
	for _, f := range []struct {
		flag byte
		v    int64
	}{{hasOver, s.Over}, {hasSuppressed, s.Suppressed}, {hasDelayed, s.Delayed}} {
		if f.v != 0 {
			flags |= f.flag
			b = binary.AppendUvarint(b, uint64(max(f.v, 0)))
		}
	}
	if !s.Since.IsZero() {
		flags |= hasSince
		b = binary.AppendVarint(b, s.Since.UnixNano())
	}
	if s.ErrorRate != 0 {
		flags |= hasErrorRate
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(s.ErrorRate))
	}
	if s.TimerAt != 0 {
		flags |= hasTimer
		b = binary.AppendVarint(b, s.SeenAt)
		b = binary.AppendVarint(b, s.EventAt-s.SeenAt)
		b = binary.AppendVarint(b, s.TimerAt-s.SeenAt)
	}
	b[0], b[1] = stateFormat, flags
	return b, nil
}

// Decode returns the State data encodes, or a *event.DecodeError.
func (StateCodec) Decode(data []byte) (State, error) {
	s, err := decodeState(data)
	if err != nil {
		return State{}, &event.DecodeError{Codec: "ratelimit", Reason: err.Error(), Offset: -1, Err: err}
	}
	return s, nil
}

func decodeState(b []byte) (State, error) {
	var s State
	if len(b) < 2 || b[0] != stateFormat || b[1]&^allFlags != 0 {
		return s, fmt.Errorf("%w: bad header", errCorrupt)
	}
	flags, off := b[1], 2
	next := func(signed bool) (int64, error) {
		var (
			v int64
			n int
		)
		if signed {
			v, n = binary.Varint(b[off:])
		} else {
			var u uint64
			u, n = binary.Uvarint(b[off:])
			v = int64(u)
			if u > math.MaxInt64 {
				n = -1
			}
		}
		if n <= 0 {
			return 0, fmt.Errorf("%w: bad varint at byte %d", errCorrupt, off)
		}
		off += n
		return v, nil
	}
	fields := []struct {
		flag   byte
		signed bool
		set    func(int64)
	}{
		{hasTAT, true, func(v int64) { s.TAT = time.Unix(0, v) }},
		{hasOver, false, func(v int64) { s.Over = v }},
		{hasSuppressed, false, func(v int64) { s.Suppressed = v }},
		{hasDelayed, false, func(v int64) { s.Delayed = v }},
		{hasSince, true, func(v int64) { s.Since = time.Unix(0, v) }},
	}
	for _, f := range fields {
		if flags&f.flag == 0 {
			continue
		}
		v, err := next(f.signed)
		if err != nil {
			return State{}, err
		}
		f.set(v)
	}
	if flags&hasErrorRate != 0 {
		if len(b)-off < 8 {
			return State{}, fmt.Errorf("%w: truncated error rate", errCorrupt)
		}
		s.ErrorRate = math.Float64frombits(binary.LittleEndian.Uint64(b[off:]))
		if !(s.ErrorRate >= 0 && s.ErrorRate <= 1) {
			return State{}, fmt.Errorf("%w: error rate %v outside [0, 1]", errCorrupt, s.ErrorRate)
		}
		off += 8
	}
	if flags&hasTimer != 0 {
		var anchor [3]int64
		for i := range anchor {
			v, err := next(true)
			if err != nil {
				return State{}, err
			}
			anchor[i] = v
		}
		s.SeenAt = anchor[0]
		s.EventAt, s.TimerAt = s.SeenAt+anchor[1], s.SeenAt+anchor[2]
	}
	if off != len(b) {
		return State{}, fmt.Errorf("%w: %d bytes after the state", errCorrupt, len(b)-off)
	}
	return s, nil
}
