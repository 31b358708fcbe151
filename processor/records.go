package processor

import (
	"encoding/json"
	"time"

	"github.com/ripplestream/ripple/event"
)

// Schemas of the records ripple writes to retry and error topics; their
// shape follows Wikimedia's change-prop/retry and error schemas.
const (
	retrySchema = "/change-prop/retry/1.0.0"
	errorSchema = "/error/2.1.0"
)

// RetryRecord is an event waiting in <job>.retry.<stream>. The fields
// beyond the change-prop/retry schema carry what is needed to process the
// original event again exactly: its key, partition and offset, and its raw
// bytes when they are not a JSON object.
type RetryRecord struct {
	Schema        string          `json:"$schema"`
	Meta          event.Meta      `json:"meta"`
	EmitterID     string          `json:"emitter_id"`
	RetriesLeft   int             `json:"retries_left"`
	OriginalEvent json.RawMessage `json:"original_event,omitempty"`
	OriginalRaw   []byte          `json:"original_raw,omitempty"`
	Reason        string          `json:"reason"`
	TriggeredBy   string          `json:"triggered_by,omitempty"`

	OriginalStream    string    `json:"original_stream"`
	OriginalKey       string    `json:"original_key"`
	OriginalPartition int32     `json:"original_partition"`
	OriginalOffset    int64     `json:"original_offset"`
	Attempt           int       `json:"attempt"`
	DueAt             time.Time `json:"due_at"`
}

// original returns the bytes of the event being retried.
func (r RetryRecord) original() []byte {
	if r.OriginalRaw != nil {
		return r.OriginalRaw
	}
	return r.OriginalEvent
}

// ErrorRecord is an event in <job>.error, in the shape of Wikimedia's error
// schema, plus where the failed event came from.
type ErrorRecord struct {
	Schema            string     `json:"$schema"`
	Meta              event.Meta `json:"meta"`
	DT                time.Time  `json:"dt"`
	EmitterID         string     `json:"emitter_id"`
	ErrorType         string     `json:"error_type"`
	Message           string     `json:"message"`
	RawEvent          string     `json:"raw_event"`
	ErroredSchemaURI  string     `json:"errored_schema_uri,omitempty"`
	ErroredStreamName string     `json:"errored_stream_name"`
	Stack             string     `json:"stack,omitempty"`

	Key       string `json:"key"`
	Partition int32  `json:"partition"`
	Offset    int64  `json:"offset"`
	Attempts  int    `json:"attempts"`
}

// isJSONObject reports whether b is a JSON object, which can be embedded
// as original_event; anything else travels as original_raw.
func isJSONObject(b []byte) bool {
	for _, c := range b {
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		case '{':
			return json.Valid(b)
		default:
			return false
		}
	}
	return false
}

// TimerRecord is a timer waiting in <job>.timer until DueAt, then in
// <job>.timer.ready for the job's Timer handler. It is keyed by the key
// the timer fires under.
type TimerRecord struct {
	DueAt time.Time `json:"due_at"`
	SetAt time.Time `json:"set_at"`
	// Value is what the handler passed to Context.At.
	Value []byte `json:"value"`
}
