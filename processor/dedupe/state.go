package dedupe

import (
	"encoding/binary"
	"fmt"

	"github.com/ripplestream/ripple/event"
)

// State is the dedupe stage's state of one Kafka key.
type State struct {
	// IDs are the ids seen recently under the key.
	IDs Window `json:"ids"`
	// Roots are the newest roots seen under the key, when Config.Supersede
	// is set.
	Roots Roots `json:"roots"`

	// EventAt and SeenAt anchor the key's expiry timer (see the package
	// doc): the stage's time of the key's newest state write (by its
	// window's clock) and the processing time (Context.Now) it was made
	// at, both Unix milliseconds. TimerAt is when the key's pending expiry
	// timer is due, in processing time, or 0 if none is. All three stay 0
	// with Config.NoTimers.
	EventAt int64 `json:"event_at,omitzero"`
	SeenAt  int64 `json:"seen_at,omitzero"`
	TimerAt int64 `json:"timer_at,omitzero"`
}

// Flags of the timed state format.
const (
	stateTimed byte = 1 << iota // a timer is pending: TimerAt follows
	stateFlags      = 1<<iota - 1
)

// StateCodec is the binary codec of State: a format byte, the anchor of the
// key's expiry timer when it has one (SeenAt, and EventAt and TimerAt
// relative to it, as varints), the window, and the roots when there are
// any. It also decodes the state of earlier versions, which had no anchor.
type StateCodec struct{}

// Encode returns the binary encoding of s.
func (StateCodec) Encode(s State) ([]byte, error) {
	var b []byte
	if s.SeenAt == 0 && s.TimerAt == 0 {
		b = []byte{formatState}
	} else {
		var flags byte
		if s.TimerAt != 0 {
			flags |= stateTimed
		}
		b = make([]byte, 0, 24+s.IDs.Len()*10)
		b = append(b, formatTimed, flags)
		b = binary.AppendVarint(b, s.SeenAt)
		b = binary.AppendVarint(b, s.EventAt-s.SeenAt)
		if flags&stateTimed != 0 {
			b = binary.AppendVarint(b, s.TimerAt-s.SeenAt)
		}
	}
	b, _ = s.IDs.AppendBinary(b) // cannot fail
	if s.Roots.Len() > 0 {
		b, _ = s.Roots.AppendBinary(b)
	}
	return b, nil
}

// Decode returns the State data encodes, or a *event.DecodeError.
func (StateCodec) Decode(data []byte) (State, error) {
	s, err := decodeState(data)
	if err != nil {
		return State{}, &event.DecodeError{Codec: "dedupe", Reason: err.Error(), Offset: -1, Err: err}
	}
	return s, nil
}

func decodeState(data []byte) (State, error) {
	var s State
	if len(data) == 0 || data[0] != formatState && data[0] != formatTimed {
		return s, fmt.Errorf("%w: not a dedupe state", errCorrupt)
	}
	d := newDecoder(data, 1)
	if data[0] == formatTimed {
		flags := d.Byte()
		if d.Err() == nil && flags&^stateFlags != 0 {
			return s, fmt.Errorf("%w: state flags %#x", errCorrupt, flags)
		}
		s.SeenAt = d.Varint()
		s.EventAt = s.SeenAt + d.Varint()
		if flags&stateTimed != 0 {
			s.TimerAt = s.SeenAt + d.Varint()
		}
		if d.Err() != nil {
			return State{}, d.Err()
		}
	}
	n, err := s.IDs.decode(data[d.Offset():])
	if err == nil && d.Offset()+n < len(data) {
		err = s.Roots.UnmarshalBinary(data[d.Offset()+n:])
	}
	if err != nil {
		return State{}, err
	}
	return s, nil
}
