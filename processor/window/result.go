package window

import (
	"encoding/json"
	"strconv"

	"github.com/ripplestream/ripple/event"
)

// resultCodec encodes a ResultEvent as encoding/json does, byte for byte,
// without reflection: a job emits one per closed window, and reflection
// made encoding them a tenth of a windowing job's CPU. A result with a
// time the event appenders do not write takes encoding/json itself. It
// decodes as event.JSON.
type resultCodec[A any] struct {
	event.JSON[ResultEvent[A]]
}

// Encode returns the JSON of r.
func (c resultCodec[A]) Encode(r ResultEvent[A]) ([]byte, error) {
	b := make([]byte, 0, 256+len(r.Key)+len(r.Meta.Stream))
	b, ok := r.Envelope.AppendJSON(append(b, '{'))
	b = event.AppendJSONString(append(b, `,"key":`...), r.Key)
	b, okStart := event.AppendJSONTime(append(b, `,"window":{"start":`...), r.Window.Start)
	b, okEnd := event.AppendJSONTime(append(b, `,"end":`...), r.Window.End)
	if !ok || !okStart || !okEnd {
		return c.JSON.Encode(r)
	}
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
	b = event.AppendJSONString(append(b, `,"closed_by":`...), r.ClosedBy)
	return append(b, '}'), nil
}
