package parquet

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"

	pq "github.com/parquet-go/parquet-go"

	"github.com/ripplestream/ripple/jobs/sink"
)

// FieldError says why an event does not fit the Parquet schema: the field
// (a JSON pointer) and what is wrong with its value.
type FieldError struct {
	Path   string
	Reason string
}

func (e *FieldError) Error() string {
	path := e.Path
	if path == "" {
		path = "/"
	}
	return fmt.Sprintf("parquet: field %s: %s", path, e.Reason)
}

// decodeEvent decodes one JSON event with sink.DecodeJSON (numbers as
// json.Number, so that an int64 keeps all its digits), its reason a
// *FieldError of the whole event.
func decodeEvent(data []byte) (map[string]any, error) {
	doc, err := sink.DecodeJSON(data)
	if err != nil {
		return nil, &FieldError{Reason: err.Error()}
	}
	return doc, nil
}

// Row returns the row of the decoded JSON event doc (numbers as
// json.Number), or a *FieldError when doc does not fit the schema: a
// required field missing or null, or a value of another type. Fields the
// schema does not name are left out.
func (s *Schema) Row(doc map[string]any) (pq.Row, error) {
	b := rowBuilder{cols: make([][]pq.Value, len(s.schema.Columns()))}
	if err := b.group(s.root, doc, 0, 0); err != nil {
		return nil, err
	}
	row := make(pq.Row, 0, len(b.cols)+8)
	for _, c := range b.cols {
		row = append(row, c...)
	}
	return row, nil
}

// rowBuilder collects the values of one row per column, with the
// repetition and definition levels of Parquet's nested encoding.
type rowBuilder struct{ cols [][]pq.Value }

func (b *rowBuilder) group(f *field, obj map[string]any, rep, def int) error {
	for _, c := range f.fields {
		if err := b.put(c, obj[c.name], rep, def); err != nil {
			return under(c.name, err)
		}
	}
	return nil
}

// under prefixes the path of a *FieldError with name: paths are made
// while an error unwinds, so that a valid event costs no path.
func under(name string, err error) error {
	if fe, ok := err.(*FieldError); ok {
		fe.Path = "/" + escapePointer(name) + fe.Path
	}
	return err
}

// put adds the value v of field f. rep is the repetition level of its first
// value, def the definition level of its parent. A *FieldError's path is
// relative to f.
func (b *rowBuilder) put(f *field, v any, rep, def int) error {
	if v == nil {
		if !f.optional {
			return &FieldError{Reason: "required, but missing or null"}
		}
		b.nulls(f, rep, def)
		return nil
	}
	if f.optional {
		def++
	}
	switch f.kind {
	case kindGroup:
		obj, ok := v.(map[string]any)
		if !ok {
			return &FieldError{Reason: "want an object, have " + sink.JSONKind(v)}
		}
		return b.group(f, obj, rep, def)
	case kindList:
		return b.list(f, v, rep, def)
	case kindMap:
		return b.mapEntries(f, v, rep, def)
	}
	val, err := leafValue(f.kind, v)
	if err != nil {
		return &FieldError{Reason: err.Error()}
	}
	b.cols[f.column] = append(b.cols[f.column], val.Level(rep, def, f.column))
	return nil
}

func (b *rowBuilder) list(f *field, v any, rep, def int) error {
	arr, ok := v.([]any)
	if !ok {
		return &FieldError{Reason: "want an array, have " + sink.JSONKind(v)}
	}
	if len(arr) == 0 {
		b.nulls(f.elem, rep, def)
		return nil
	}
	for i, e := range arr {
		if i > 0 {
			rep = f.repLevel
		}
		if err := b.put(f.elem, e, rep, def+1); err != nil {
			return under(strconv.Itoa(i), err)
		}
	}
	return nil
}

func (b *rowBuilder) mapEntries(f *field, v any, rep, def int) error {
	obj, ok := v.(map[string]any)
	if !ok {
		return &FieldError{Reason: "want an object, have " + sink.JSONKind(v)}
	}
	if len(obj) == 0 {
		b.cols[f.column] = append(b.cols[f.column], pq.NullValue().Level(rep, def, f.column))
		b.nulls(f.elem, rep, def)
		return nil
	}
	for i, k := range sortedNames(obj) {
		if i > 0 {
			rep = f.repLevel
		}
		b.cols[f.column] = append(b.cols[f.column], pq.ByteArrayValue([]byte(k)).Level(rep, def+1, f.column))
		if err := b.put(f.elem, obj[k], rep, def+1); err != nil {
			return under(k, err)
		}
	}
	return nil
}

// nulls adds a null to every column under f, at levels rep and def.
func (b *rowBuilder) nulls(f *field, rep, def int) {
	switch f.kind {
	case kindGroup:
		for _, c := range f.fields {
			b.nulls(c, rep, def)
		}
	case kindList:
		b.nulls(f.elem, rep, def)
	case kindMap:
		b.cols[f.column] = append(b.cols[f.column], pq.NullValue().Level(rep, def, f.column))
		b.nulls(f.elem, rep, def)
	default:
		b.cols[f.column] = append(b.cols[f.column], pq.NullValue().Level(rep, def, f.column))
	}
}

// leafValue converts a JSON value to the Parquet value of a leaf of kind k.
func leafValue(k kind, v any) (pq.Value, error) {
	switch k {
	case kindString:
		if s, ok := v.(string); ok {
			return pq.ByteArrayValue([]byte(s)), nil
		}
	case kindTimestamp:
		if s, ok := v.(string); ok {
			t, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				return pq.Value{}, fmt.Errorf("want an RFC 3339 date-time, have %q", s)
			}
			return pq.Int64Value(t.UnixMilli()), nil
		}
	case kindInt64:
		if n, ok := v.(json.Number); ok {
			if i, err := n.Int64(); err == nil {
				return pq.Int64Value(i), nil
			}
			// 3.0 is an integer to JSON Schema.
			if f, err := n.Float64(); err == nil && f == math.Trunc(f) && math.Abs(f) < 1<<63 {
				return pq.Int64Value(int64(f)), nil
			}
			return pq.Value{}, fmt.Errorf("want an integer that fits 64 bits, have %s", n)
		}
	case kindDouble:
		if n, ok := v.(json.Number); ok {
			f, err := n.Float64()
			if err != nil {
				return pq.Value{}, fmt.Errorf("want a number that fits a double, have %s", n)
			}
			return pq.DoubleValue(f), nil
		}
	case kindBool:
		if b, ok := v.(bool); ok {
			return pq.BooleanValue(b), nil
		}
	case kindJSON:
		data, err := json.Marshal(v)
		if err != nil {
			return pq.Value{}, err
		}
		return pq.ByteArrayValue(data), nil
	}
	return pq.Value{}, fmt.Errorf("want %s, have %s", k, sink.JSONKind(v))
}
