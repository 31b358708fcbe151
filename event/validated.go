package event

import (
	"errors"
	"fmt"
	"strings"
)

// Validated is the codec for an input that reads events of one schema
// title: Decode accepts an event only if its $schema names a version of
// Title and the event is valid against that version in Schemas, then
// decodes it with Codec. Anything else is a *WrongEventError whose reason
// says what the event is not, such as "not a page change: no page", so a
// job sends it to its error topic instead of acting on half an event.
//
// Encode encodes with Codec and does not validate.
type Validated[T any] struct {
	// Codec decodes valid events. Default JSON[T].
	Codec Codec[T]
	// Schemas holds the versions of Title. Required.
	Schemas *Repository
	// Title is the schema title the events must name, such as
	// mediawiki/page/change.
	Title string
	// What names the events in reasons, with its article: "a page change".
	What string
}

// Encode returns the bytes of v.
func (v Validated[T]) Encode(ev T) ([]byte, error) { return v.codec().Encode(ev) }

// Decode checks data and decodes it (see Validated).
func (v Validated[T]) Decode(data []byte) (T, error) {
	var zero T
	if err := v.Check(data); err != nil {
		return zero, err
	}
	return v.codec().Decode(data)
}

func (v Validated[T]) codec() Codec[T] {
	if v.Codec == nil {
		return JSON[T]{}
	}
	return v.Codec
}

// Check returns nil if data is an event of Title valid against its
// schema, a *DecodeError if it is not JSON, and a *WrongEventError
// otherwise.
func (v Validated[T]) Check(data []byte) error {
	doc, err := decodeJSONValue(data)
	if err != nil {
		return err
	}
	obj, ok := doc.(map[string]any)
	if !ok {
		return v.wrong("not a JSON object", ErrInvalid)
	}
	raw, ok := obj["$schema"]
	if !ok {
		return v.wrong(fmt.Sprintf("no $schema (want /%s/<version>)", v.Title), ErrInvalid)
	}
	uri, ok := raw.(string)
	if !ok {
		return v.wrong("$schema is not a string", ErrInvalid)
	}
	if title, _, err := ParseSchemaURI(uri); err != nil || title != v.Title {
		return v.wrong(fmt.Sprintf("its $schema is %q, not /%s/<version>", uri, v.Title), ErrInvalid)
	}
	s, err := v.Schemas.Schema(uri)
	if err != nil {
		return v.wrong(fmt.Sprintf("its $schema %s is not in the schema repository (versions %v)", uri, v.Schemas.Versions(v.Title)), err)
	}
	err = s.validateValue(doc)
	var ve *ValidationError
	if errors.As(err, &ve) {
		return v.wrong(describe(ve), err)
	}
	return err
}

func (v Validated[T]) wrong(reason string, err error) *WrongEventError {
	return &WrongEventError{What: v.What, Reason: reason, Err: err}
}

// maxReasons bounds the violations a WrongEventError spells out.
const maxReasons = 3

// describe says in a few words how an event breaks its schema: "no page"
// for a missing field, "unexpected field x" for one the schema does not
// allow, "<field>: <message>" for anything else.
func describe(ve *ValidationError) string {
	parts := make([]string, 0, maxReasons)
	for i, vi := range ve.Violations {
		if i == maxReasons {
			parts = append(parts, fmt.Sprintf("and %d more", len(ve.Violations)-maxReasons))
			break
		}
		field := strings.ReplaceAll(strings.TrimPrefix(vi.Path, "/"), "/", ".")
		switch {
		case vi.Rule == "required":
			parts = append(parts, "no "+field)
		case vi.Rule == "additionalProperties":
			parts = append(parts, "unexpected field "+field)
		case field == "":
			parts = append(parts, vi.Message)
		default:
			parts = append(parts, field+": "+vi.Message)
		}
	}
	return strings.Join(parts, "; ") + " (against " + ve.Schema + ")"
}

// WrongEventError reports an event that is not what an input reads: it
// names another schema title or none, or is invalid against its schema.
// It wraps ErrInvalid (through the *ValidationError, when there is one),
// or the *SchemaError of a version the repository lacks.
type WrongEventError struct {
	// What names the events the input reads: "a page change".
	What string
	// Reason says why the event is not one, such as "no page".
	Reason string
	// Err is the underlying error.
	Err error
}

// Error implements error.
func (e *WrongEventError) Error() string {
	return fmt.Sprintf("event: not %s: %s", e.What, e.Reason)
}

// Unwrap returns the underlying error.
func (e *WrongEventError) Unwrap() error { return e.Err }
