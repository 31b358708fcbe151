package window

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/ripplestream/ripple/event"
)

// resultCodec encodes a ResultEvent as encoding/json does, byte for byte,
// without reflection: a job emits one per closed window, and reflection
// made encoding them a tenth of a windowing job's CPU. Results with fields
// the stage never sets (meta.uri, root_event, ...) or with times
// encoding/json might refuse take encoding/json itself. It decodes as
// event.JSON.
type resultCodec[A any] struct {
	event.JSON[ResultEvent[A]]
}

// Encode returns the JSON of r.
func (c resultCodec[A]) Encode(r ResultEvent[A]) ([]byte, error) {
	if !plainResult(r) {
		return c.JSON.Encode(r)
	}
	b := make([]byte, 0, 256+len(r.Key)+len(r.Meta.Stream))
	b = appendJSONString(append(b, `{"$schema":`...), r.Schema)
	b = appendJSONString(append(b, `,"meta":{"stream":`...), r.Meta.Stream)
	if r.Meta.ID != "" {
		b = appendJSONString(append(b, `,"id":`...), r.Meta.ID)
	}
	b = appendJSONTime(append(b, `,"dt":`...), r.Meta.DT)
	b = appendJSONTime(append(b, `},"dt":`...), r.DT)
	b = appendJSONString(append(b, `,"key":`...), r.Key)
	b = appendJSONTime(append(b, `,"window":{"start":`...), r.Window.Start)
	b = appendJSONTime(append(b, `,"end":`...), r.Window.End)
	b = strconv.AppendInt(append(b, `},"count":`...), r.Count, 10)
	b = append(b, `,"aggregate":`...)
	switch a := any(r.Aggregate).(type) {
	case int64:
		b = strconv.AppendInt(b, a, 10)
	case int:
		b = strconv.AppendInt(b, int64(a), 10)
	default:
		j, err := json.Marshal(r.Aggregate)
		if err != nil {
			return c.JSON.Encode(r) // for encoding/json's error
		}
		b = append(b, j...)
	}
	b = strconv.AppendInt(append(b, `,"late":`...), r.Late, 10)
	b = appendJSONString(append(b, `,"closed_by":`...), r.ClosedBy)
	return append(b, '}'), nil
}

// plainResult reports whether r has only the fields the stage sets, and
// its times are set, in UTC, and within the years encoding/json writes.
func plainResult[A any](r ResultEvent[A]) bool {
	m := r.Meta
	if m.URI != "" || m.Domain != "" || m.RequestID != "" || r.RootEvent != nil || r.TriggeredBy != "" {
		return false
	}
	for _, t := range []time.Time{m.DT, r.DT, r.Window.Start, r.Window.End} {
		if t.IsZero() || t.Location() != time.UTC || t.Year() > 9999 {
			return false // zero times are omitted, odd ones refused: encoding/json knows
		}
	}
	return true
}

// appendJSONTime appends t as encoding/json does, for a UTC time that is
// not zero, of a year up to 9999.
func appendJSONTime(b []byte, t time.Time) []byte {
	return append(t.AppendFormat(append(b, '"'), time.RFC3339Nano), '"')
}

// appendJSONString appends s as encoding/json does: as it is when it is
// printable ASCII with nothing to escape, else by encoding/json.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			j, _ := json.Marshal(s) // a string always encodes
			return append(b, j...)
		}
	}
	return append(append(append(b, '"'), s...), '"')
}
