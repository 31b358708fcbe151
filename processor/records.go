package processor

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ripplestream/ripple/event"
)

// Schemas of the records ripple writes to retry and error topics (package
// schemas): Wikimedia's change-prop/retry and error schemas, with the
// fields below.
const (
	retrySchema = "/ripple/retry/1.0.0"
	errorSchema = "/ripple/error/1.1.0"
)

// ErrorSchema is the $schema of ErrorRecord, for ready jobs that write
// their error topics themselves (package jobs/sink).
const ErrorSchema = errorSchema

// RetryRecord is an event waiting in <job>.retry.<stream>, of schema
// ripple/retry. The fields beyond Wikimedia's change-prop/retry carry what
// is needed to process the original event again exactly: its key,
// partition and offset, and its raw bytes when they are not a JSON object.
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

// ErrorRecord is an event in <job>.error, of schema ripple/error:
// Wikimedia's error schema plus where the failed event came from.
type ErrorRecord struct {
	Schema    string     `json:"$schema"`
	Meta      event.Meta `json:"meta"`
	DT        time.Time  `json:"dt"`
	EmitterID string     `json:"emitter_id"`
	ErrorType string     `json:"error_type"`
	Message   string     `json:"message"`
	RawEvent  string     `json:"raw_event"`
	// RawEventBase64 holds the event's bytes when they are not valid UTF-8
	// (raw_event then shows U+FFFD for the invalid bytes); encoding/json
	// writes a []byte as standard base64.
	RawEventBase64    []byte `json:"raw_event_base64,omitempty"`
	ErroredSchemaURI  string `json:"errored_schema_uri,omitempty"`
	ErroredStreamName string `json:"errored_stream_name"`
	Stack             string `json:"stack,omitempty"`

	Key       string `json:"key"`
	Partition int32  `json:"partition"`
	Offset    int64  `json:"offset"`
	Attempts  int    `json:"attempts"`
}

// SetRaw puts raw, the failed event, in the record: as raw_event, its
// first maxBytes bytes, and, when it is whole but not valid UTF-8, also as
// raw_event_base64, since raw_event, a JSON string, keeps only valid UTF-8;
// and its $schema, when it has one, as errored_schema_uri.
func (rec *ErrorRecord) SetRaw(raw []byte, maxBytes int) {
	rec.RawEvent = string(truncate(raw, maxBytes))
	if len(raw) <= maxBytes && !utf8.Valid(raw) {
		rec.RawEventBase64 = raw
	}
	var env struct {
		Schema string `json:"$schema"`
	}
	if json.Unmarshal(raw, &env) == nil { // only the schema: other fields may be what is wrong
		rec.ErroredSchemaURI = env.Schema
	}
}

// ErrNotReplayable is returned by DecodeErrorRecord for an error record
// that does not hold its failed event byte for byte, so that sending it
// again would send another event.
var ErrNotReplayable = errors.New("processor: error record does not hold the whole event")

// unreadableRetry starts the reason of an error record whose raw_event is
// a retry record that could not be read (consumeRetry, process.go).
const unreadableRetry = "processor: unreadable retry record"

// truncated matches the note truncate (process.go) appends to a cut event.
var truncated = regexp.MustCompile(`\.\.\. \[truncated: ([0-9]+) bytes in all\]$`)

// DecodeErrorRecord decodes b, a record of <job>.error, and returns with it
// the failed event as the job read it, to be sent again to its stream. The
// event is nil, with an error wrapping ErrNotReplayable, when the record
// holds only its first Config.MaxRecordBytes bytes, or when the event was
// not valid UTF-8 and the record, written before ripple/error 1.1.0, lacks
// raw_event_base64 (raw_event is a JSON string, which keeps only valid
// UTF-8: it shows U+FFFD where the invalid bytes were).
func DecodeErrorRecord(b []byte) (ErrorRecord, []byte, error) {
	var rec ErrorRecord
	if err := json.Unmarshal(b, &rec); err != nil {
		return rec, nil, fmt.Errorf("processor: unreadable error record: %w", err)
	}
	if m := truncated.FindStringSubmatch(rec.RawEvent); m != nil {
		n, err := strconv.Atoi(m[1])
		if err == nil && n > len(rec.RawEvent)-len(m[0]) {
			return rec, nil, fmt.Errorf("%w: it keeps the first %d of %d bytes (processor.Config.MaxRecordBytes); "+
				"the whole event is at offset %d of partition %d of %s", ErrNotReplayable, len(rec.RawEvent)-len(m[0]), n,
				rec.Offset, rec.Partition, rec.ErroredStreamName)
		}
	}
	if strings.HasPrefix(rec.Message, unreadableRetry) {
		return rec, nil, fmt.Errorf("%w: it holds an unreadable record of a retry topic, not an event of %s",
			ErrNotReplayable, rec.ErroredStreamName)
	}
	if rec.RawEventBase64 != nil {
		return rec, rec.RawEventBase64, nil
	}
	var raw struct {
		RawEvent json.RawMessage `json:"raw_event"`
	}
	if err := json.Unmarshal(b, &raw); err == nil && replacedInvalidUTF8(raw.RawEvent) {
		return rec, nil, fmt.Errorf("%w: the event was not valid UTF-8, and the record shows U+FFFD for the invalid bytes; "+
			"the event is at offset %d of partition %d of %s", ErrNotReplayable, rec.Offset, rec.Partition, rec.ErroredStreamName)
	}
	return rec, []byte(rec.RawEvent), nil
}

// replacedInvalidUTF8 reports whether s, a JSON string as encoding/json
// writes one, has the escape \ufffd: encoding/json writes it for each
// invalid UTF-8 byte, and writes a real U+FFFD character unescaped.
func replacedInvalidUTF8(s []byte) bool {
	for i := 0; i < len(s)-1; i++ {
		if s[i] != '\\' {
			continue
		}
		if s[i+1] == 'u' && i+6 <= len(s) && string(s[i+2:i+6]) == "fffd" {
			return true
		}
		i++ // skip the escaped character
	}
	return false
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
