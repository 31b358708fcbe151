package event

import (
	"encoding/json"
	"time"
)

// The appenders below write JSON byte for byte as encoding/json does, for
// the codecs of events a job emits once per input or more (a window's
// results, a fan-out's purges), where encoding/json's reflection is a
// large part of the job's cost. Each writes only what it can write exactly
// as encoding/json would, and reports false otherwise, so the codec falls
// back to encoding/json for the whole event (and its answer or error).

// AppendJSONString appends s as encoding/json encodes a string: as it is
// when it is printable ASCII with nothing to escape, else by encoding/json
// (HTML characters, control characters, invalid UTF-8, U+2028).
func AppendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			j, _ := json.Marshal(s) // a string always encodes
			return append(b, j...)
		}
	}
	return append(append(append(b, '"'), s...), '"')
}

// AppendJSONTime appends t as encoding/json encodes a time.Time, and true;
// or b and false for a time it does not write itself: one not in UTC, or
// of a year outside 0-9999 (which encoding/json refuses).
func AppendJSONTime(b []byte, t time.Time) ([]byte, bool) {
	if t.Location() != time.UTC || t.Year() < 0 || t.Year() > 9999 {
		return b, false
	}
	return append(t.AppendFormat(append(b, '"'), time.RFC3339Nano), '"'), true
}

// AppendJSON appends e's members as encoding/json writes them for a struct
// that embeds Envelope first, and true; the caller writes the opening
// brace before and the embedding struct's own members after. It returns b
// and false when one of e's times is one AppendJSONTime does not write.
func (e Envelope) AppendJSON(b []byte) ([]byte, bool) {
	b = AppendJSONString(append(b, `"$schema":`...), e.Schema)
	m := e.Meta
	b = AppendJSONString(append(b, `,"meta":{"stream":`...), m.Stream)
	ok := true
	if m.ID != "" {
		b = AppendJSONString(append(b, `,"id":`...), m.ID)
	}
	if !m.DT.IsZero() {
		b, ok = appendTimeMember(b, `,"dt":`, m.DT, ok)
	}
	if m.URI != "" {
		b = AppendJSONString(append(b, `,"uri":`...), m.URI)
	}
	if m.Domain != "" {
		b = AppendJSONString(append(b, `,"domain":`...), m.Domain)
	}
	if m.RequestID != "" {
		b = AppendJSONString(append(b, `,"request_id":`...), m.RequestID)
	}
	b = append(b, '}')
	if !e.DT.IsZero() {
		b, ok = appendTimeMember(b, `,"dt":`, e.DT, ok)
	}
	if r := e.RootEvent; r != nil {
		b = AppendJSONString(append(b, `,"root_event":{"signature":`...), r.Signature)
		b, ok = appendTimeMember(b, `,"dt":`, r.DT, ok)
		b = append(b, '}')
	}
	if e.TriggeredBy != "" {
		b = AppendJSONString(append(b, `,"triggered_by":`...), e.TriggeredBy)
	}
	return b, ok
}

// appendTimeMember appends the member name (with its comma and colon) and
// t, keeping ok false once a time could not be written.
func appendTimeMember(b []byte, name string, t time.Time, ok bool) ([]byte, bool) {
	b, written := AppendJSONTime(append(b, name...), t)
	return b, ok && written
}
