package sink

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/ripplestream/ripple/event"
)

// DecodeJSON decodes a record's value, which must be one JSON object and
// nothing after it but white space. Numbers stay json.Number, so an int64
// keeps all its digits. Its errors are reasons for Reject: every store
// that reads fields of an event decodes it here, so all reject the same
// records for the same reasons.
func DecodeJSON(data []byte) (map[string]any, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, fmt.Errorf("the event is not JSON: %v", err)
	}
	// Decoder.More misses a stray '}' or ']' after the value: look at the
	// bytes themselves.
	if rest := bytes.TrimLeft(data[d.InputOffset():], " \t\r\n"); len(rest) > 0 {
		return nil, fmt.Errorf("the event is not one JSON value: %d bytes follow it", len(rest))
	}
	doc, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("the event is not a JSON object but %s", JSONKind(v))
	}
	return doc, nil
}

// KeyAt returns the key at the JSON pointer in doc (decoded by
// DecodeJSON): a string as it is, a number as its JSON text. Anything
// else, null or nothing at all, is an error that names the pointer.
func KeyAt(doc any, pointer string) (string, error) {
	v, err := event.FollowPointer(doc, pointer)
	if err == nil && v == nil {
		err = errors.New("it is null")
	}
	if err != nil {
		return "", fmt.Errorf("no key at %s: %v", pointer, err)
	}
	switch k := v.(type) {
	case string:
		return k, nil
	case json.Number:
		return k.String(), nil
	}
	return "", fmt.Errorf("the key at %s is %s, not a string or number", pointer, JSONKind(v))
}

// JSONKind names the kind of a decoded JSON value for a reason, such as
// "a string" or "null".
func JSONKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case json.Number, float64:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}
