package window

import (
	"bytes"
	"crypto/sha1"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/processor"
)

// DT returns the event time of a JSON event: its dt field, an RFC 3339
// date-time string (event.Envelope.DT). It is the default
// Config.EventTime. An event that is not a JSON object, has no dt (or a
// null one), or whose dt is not such a string is an error naming the
// problem: ErrNotObject, ErrNoEventTime or ErrBadEventTime.
func DT(raw []byte) (time.Time, error) {
	var p struct {
		DT json.RawMessage `json:"dt"`
	}
	if err := decodeObject(raw, &p); err != nil {
		return time.Time{}, err
	}
	return parseDT(p.DT)
}

// parseDT reads the event time from dt, the JSON value of an event's dt
// (nil when it has none).
func parseDT(dt []byte) (time.Time, error) {
	if len(dt) == 0 || string(dt) == "null" {
		return time.Time{}, ErrNoEventTime
	}
	var s string
	if len(dt) >= 2 && dt[0] == '"' && bytes.IndexByte(dt[1:len(dt)-1], '\\') < 0 {
		s = string(dt[1 : len(dt)-1]) // a valid JSON string: no escape to undo
	} else if err := json.Unmarshal(dt, &s); err != nil {
		return time.Time{}, fmt.Errorf("%w: it is %s", ErrBadEventTime, excerpt(dt))
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: %q (%v)", ErrBadEventTime, excerpt([]byte(s)), err)
	}
	return t, nil
}

// decodeObject decodes the JSON object raw into v; anything else is
// ErrNotObject, with the decoder's reason.
func decodeObject[P any](raw []byte, v *P) error {
	i := 0
	for i < len(raw) && (raw[i] == ' ' || raw[i] == '\t' || raw[i] == '\n' || raw[i] == '\r') {
		i++
	}
	if i == len(raw) {
		return fmt.Errorf("%w: it is empty", ErrNotObject)
	}
	if raw[i] != '{' {
		return fmt.Errorf("%w: it starts with %q", ErrNotObject, excerpt(raw[i:]))
	}
	d, err := event.JSON[P]{}.Decode(raw)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrNotObject, err)
	}
	*v = d
	return nil
}

// excerpt returns the start of b, for error messages about huge values.
func excerpt(b []byte) string {
	const n = 64
	if len(b) <= n {
		return string(b)
	}
	return string(b[:n]) + "..."
}

// resultID returns the meta.id of the result of window [start, end) of key
// on stream: a name-based (version 5 style) UUID, the same whenever that
// window's result is emitted again.
func resultID(stream processor.Stream, key string, start, end time.Time) string {
	h := sha1.New()
	var b [8]byte
	for _, s := range []string{"ripple/window", string(stream), key} {
		binary.BigEndian.PutUint64(b[:], uint64(len(s)))
		h.Write(b[:])
		h.Write([]byte(s))
	}
	for _, t := range []time.Time{start, end} {
		binary.BigEndian.PutUint64(b[:], uint64(t.UnixMilli()))
		h.Write(b[:])
	}
	u := h.Sum(nil)[:16]
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	x := hex.EncodeToString(u)
	return x[0:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:32]
}
