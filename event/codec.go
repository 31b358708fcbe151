package event

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	gojson "github.com/goccy/go-json"
)

// Codec converts values of type T to bytes and back. Decode returns a
// *DecodeError when the bytes are not a T.
type Codec[T any] interface {
	// Encode returns the bytes of v.
	Encode(v T) ([]byte, error)
	// Decode returns the value the bytes encode.
	Decode(data []byte) (T, error)
}

// JSON is the codec for events as JSON objects, by encoding/json's rules and
// the struct tags of T. The zero value is ready to use.
//
// Decode runs github.com/goccy/go-json, which applies the same rules several
// times faster (decoding is a large part of a job's cost per event); input it
// rejects is decoded again with encoding/json, so errors, and any input the
// two might disagree on, come out exactly as encoding/json has them. Encode
// stays on encoding/json: events it writes are checked against schemas.
type JSON[T any] struct{}

// Encode returns the JSON encoding of v.
func (JSON[T]) Encode(v T) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("event: encode json: %w", err)
	}
	return b, nil
}

// Decode parses one JSON value from data into a T. Unknown fields are
// ignored, field names match case-insensitively, numbers decode into any
// numeric type or json.Number, as with encoding/json; trailing data after the
// value is an error.
func (JSON[T]) Decode(data []byte) (T, error) {
	var v T
	if gojson.Unmarshal(data, &v) == nil {
		return v, nil
	}
	var std T // v may be half filled
	if err := json.Unmarshal(data, &std); err != nil {
		var zero T
		return zero, jsonDecodeError(err)
	}
	return std, nil
}

// Raw is the codec for opaque payloads. It does not copy: Encode and Decode
// return the slice they are given.
type Raw struct{}

// Encode returns v itself.
func (Raw) Encode(v []byte) ([]byte, error) { return v, nil }

// Decode returns data itself.
func (Raw) Decode(data []byte) ([]byte, error) { return data, nil }

// String is the codec for UTF-8 text, such as Kafka keys.
type String struct{}

// Encode returns the bytes of v.
func (String) Encode(v string) ([]byte, error) { return []byte(v), nil }

// Decode returns data as a string; data must be valid UTF-8.
func (String) Decode(data []byte) (string, error) {
	if !utf8.Valid(data) {
		return "", &DecodeError{Codec: "string", Reason: "invalid UTF-8", Offset: int64(firstInvalidUTF8(data))}
	}
	return string(data), nil
}

// firstInvalidUTF8 returns the offset of the first byte that starts an
// invalid UTF-8 sequence in data, or -1.
func firstInvalidUTF8(data []byte) int {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return -1
}

// PeekEnvelope decodes only the envelope fields of a JSON event, skipping
// the rest, so a job can route, filter canaries or dedupe without knowing
// the event's type. A missing field leaves its zero value; a field of the
// wrong type, a dt that is not RFC 3339, or input that is not one JSON object
// is a *DecodeError.
func PeekEnvelope(data []byte) (Envelope, error) {
	// json.Unmarshal accepts null for a struct; an event must be an object.
	if i := firstNonSpace(data); i >= 0 && data[i] == 'n' {
		return Envelope{}, &DecodeError{Codec: "json", Reason: "null is not an event object", Offset: int64(i)}
	}
	return JSON[Envelope]{}.Decode(data)
}

// firstNonSpace returns the offset of the first non-whitespace byte, or -1.
func firstNonSpace(data []byte) int {
	for i, c := range data {
		switch c {
		case ' ', '\t', '\n', '\r':
		default:
			return i
		}
	}
	return -1
}

// jsonDecodeError turns an encoding/json error into a *DecodeError.
func jsonDecodeError(err error) *DecodeError {
	de := &DecodeError{Codec: "json", Reason: err.Error(), Offset: -1, Err: err}
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var tm *time.ParseError
	switch {
	case errors.As(err, &tm):
		de.Reason = "timestamp is not RFC 3339: " + err.Error()
	case errors.As(err, &syntax):
		de.Offset = syntax.Offset
	case errors.As(err, &typ):
		de.Offset = typ.Offset
		if typ.Field != "" {
			de.Reason = fmt.Sprintf("field %s: %s value where %s expected", typ.Field, typ.Value, typ.Type)
		} else {
			de.Reason = fmt.Sprintf("%s value where %s expected", typ.Value, typ.Type)
		}
	}
	return de
}
