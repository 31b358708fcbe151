package postgres

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/jobs/sink"
)

// row turns rec into the values of the store's columns, in the order of
// s.columns, or rejects it.
func (s *Store) row(rec sink.Record) ([]any, *sink.Invalid) {
	var doc map[string]any
	needJSON := s.cfg.EventColumn != "-" || s.cfg.KeyPointer != "" || len(s.cfg.Columns) > 0
	if needJSON {
		var err error
		if doc, err = sink.DecodeJSON(rec.Value); err != nil {
			return nil, sink.Reject(rec, "%v", err)
		}
		if !utf8.Valid(rec.Value) {
			return nil, sink.Reject(rec, "the event is not valid UTF-8, which jsonb requires")
		}
		if bytes.Contains(rec.Value, []byte(`\u0000`)) {
			return nil, sink.Reject(rec, `the event has a NUL character (\u0000), which PostgreSQL's jsonb and text refuse`)
		}
	}
	key := string(rec.Key)
	if s.cfg.KeyPointer != "" {
		var err error
		if key, err = sink.KeyAt(doc, s.cfg.KeyPointer); err != nil {
			return nil, sink.Reject(rec, "%v", err)
		}
	}
	if key == "" {
		return nil, sink.Reject(rec, "empty key: the key column %s is the primary key", s.cfg.KeyColumn)
	}
	if !utf8.ValidString(key) || strings.ContainsRune(key, 0) {
		return nil, sink.Reject(rec, "the key %q is not UTF-8 text without NUL", key)
	}
	vals := []any{key}
	if s.cfg.EventColumn != "-" {
		vals = append(vals, json.RawMessage(rec.Value))
	}
	for _, col := range s.cfg.Columns {
		v, err := event.FollowPointer(doc, col.Pointer)
		if err != nil || v == nil {
			if col.Required {
				return nil, sink.Reject(rec, "column %s: no value at %s, which it requires", col.Name, col.Pointer)
			}
			vals = append(vals, nil)
			continue
		}
		cv, cerr := convert(v, col.Type)
		if cerr != nil {
			return nil, sink.Reject(rec, "column %s (%s) at %s: %v", col.Name, col.Type, col.Pointer, cerr)
		}
		vals = append(vals, cv)
	}
	return append(vals, rec.Partition, rec.Offset, rec.Time), nil
}

// convert returns v, a decoded JSON value, as a value of a column of type
// typ.
func convert(v any, typ string) (any, error) {
	switch typ {
	case Text:
		switch x := v.(type) {
		case string:
			return x, nil
		case json.Number:
			return x.String(), nil
		case bool:
			return strconv.FormatBool(x), nil
		}
		return nil, fmt.Errorf("want a string, got %s", sink.JSONKind(v))
	case BigInt:
		var text string
		switch x := v.(type) {
		case json.Number:
			text = x.String()
		case string:
			text = x
		default:
			return nil, fmt.Errorf("want an integer, got %s", sink.JSONKind(v))
		}
		n, err := strconv.ParseInt(text, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("want a 64-bit integer, got %s", text)
		}
		return n, nil
	case Double:
		x, ok := v.(json.Number)
		if !ok {
			return nil, fmt.Errorf("want a number, got %s", sink.JSONKind(v))
		}
		f, err := x.Float64()
		if err != nil || math.IsInf(f, 0) {
			return nil, fmt.Errorf("want a double precision number, got %s", x)
		}
		return f, nil
	case Boolean:
		x, ok := v.(bool)
		if !ok {
			return nil, fmt.Errorf("want true or false, got %s", sink.JSONKind(v))
		}
		return x, nil
	case Timestamptz:
		x, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("want an RFC 3339 time, got %s", sink.JSONKind(v))
		}
		t, err := time.Parse(time.RFC3339Nano, x)
		if err != nil {
			return nil, fmt.Errorf("want an RFC 3339 time, got %q", x)
		}
		return t, nil
	case JSONB:
		b, _ := json.Marshal(v) // decoded JSON: cannot fail
		return json.RawMessage(b), nil
	}
	return nil, fmt.Errorf("unknown type %q", typ)
}
