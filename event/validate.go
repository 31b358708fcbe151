package event

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	gojson "github.com/goccy/go-json"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// Schema is a compiled schema of a Repository. It is safe for concurrent
// use.
type Schema struct {
	uri      string
	title    string
	version  string
	compiled *jsonschema.Schema
}

// URI returns the canonical URI of s, such as /mediawiki/page/change/1.2.0
// (or /<title>/current for a current.yaml).
func (s *Schema) URI() string { return s.uri }

// Title returns the title of s, such as mediawiki/page/change.
func (s *Schema) Title() string { return s.title }

// Version returns the version of s, such as 1.2.0, or current.
func (s *Schema) Version() string { return s.version }

// Validate checks one JSON event against s, whatever its $schema says.
// It returns a *DecodeError if ev is not JSON and a *ValidationError if it
// does not match.
func (s *Schema) Validate(ev []byte) error {
	doc, err := decodeJSONValue(ev)
	if err != nil {
		return err
	}
	return s.validateValue(doc)
}

// ValidateValue checks one event decoded by DecodeValue against s, for a
// caller that reads or changes the event before it validates it (the
// intake fills meta.id and meta.dt) and so decodes it once. Errors are
// as Validate's.
func (s *Schema) ValidateValue(doc any) error { return s.validateValue(doc) }

// DecodeValue parses exactly one JSON value as Validate does: objects as
// map[string]any, numbers as json.Number. Input that is not one JSON
// value is a *DecodeError.
func DecodeValue(data []byte) (any, error) { return decodeJSONValue(data) }

// useNumber is goccy's Decoder.UseNumber for Unmarshal, which has no
// option of its own for it: the flag is decoder.UseNumberOption of its
// internal package (1<<3 in v0.12.0). TestDecodeKeepsNumbersExact fails
// if an upgrade moves it.
func useNumber(o *gojson.DecodeOption) { o.Flags |= 1 << 3 }

// validateValue checks a decoded JSON value (json.Number numbers).
func (s *Schema) validateValue(doc any) error {
	err := s.compiled.Validate(doc)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return fmt.Errorf("event: validate against %s: %w", s.uri, err)
	}
	return newValidationError(s.uri, violations(ve))
}

// Validate checks one JSON event against the schema its $schema names. It
// returns a *DecodeError if ev is not JSON, a *ValidationError if ev has no
// string $schema or does not match its schema, and a *SchemaError if the
// schema is unknown or broken.
func (r *Repository) Validate(ev []byte) error {
	doc, err := decodeJSONValue(ev)
	if err != nil {
		return err
	}
	obj, ok := doc.(map[string]any)
	if !ok {
		return newValidationError("", []Violation{{Rule: "type", Message: "event is not a JSON object"}})
	}
	raw, ok := obj["$schema"]
	if !ok {
		return newValidationError("", []Violation{{Path: "/$schema", Rule: "required", Message: `missing property "$schema"`}})
	}
	uri, ok := raw.(string)
	if !ok {
		return newValidationError("", []Violation{{Path: "/$schema", Rule: "type", Message: "$schema is not a string"}})
	}
	s, err := r.Schema(uri)
	if err != nil {
		return err
	}
	return s.validateValue(doc)
}

// decodeJSONValue parses exactly one JSON value, keeping numbers exact.
// goccy/go-json parses it first, several times faster; input it rejects is
// parsed again by encoding/json, whose errors the DecodeError carries (see
// JSON.Decode).
func decodeJSONValue(data []byte) (any, error) {
	// Unmarshal rejects data after the value itself, and takes half the
	// time of goccy's Decoder (a stream decoder), which was a quarter of
	// the intake's CPU per event.
	var v any
	if gojson.UnmarshalWithOption(data, &v, useNumber) == nil {
		return v, nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, &DecodeError{Codec: "json", Reason: "unexpected end of input", Offset: int64(len(data)), Err: io.ErrUnexpectedEOF}
		}
		return nil, jsonDecodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, &DecodeError{Codec: "json", Reason: "data after the top-level value", Offset: dec.InputOffset()}
	}
	return doc, nil
}

// violations flattens a validator error tree into its leaves, sorted.
func violations(ve *jsonschema.ValidationError) []Violation {
	printer := message.NewPrinter(language.English)
	var out []Violation
	var walk func(*jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			out = append(out, leafViolations(e, printer)...)
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	if len(out) == 0 { // a failure without leaves; report the root
		out = append(out, Violation{Rule: "schema", Message: ve.ErrorKind.LocalizedString(printer)})
	}
	slices.SortFunc(out, func(a, b Violation) int {
		return cmp.Or(cmp.Compare(a.Path, b.Path), cmp.Compare(a.Rule, b.Rule), cmp.Compare(a.Message, b.Message))
	})
	return slices.Compact(out)
}

// leafViolations converts one leaf error. Missing and unexpected properties
// get one violation each, at the path of the property itself.
func leafViolations(e *jsonschema.ValidationError, printer *message.Printer) []Violation {
	at := jsonPointer(e.InstanceLocation)
	switch k := e.ErrorKind.(type) {
	case *kind.Required:
		vs := make([]Violation, 0, len(k.Missing))
		for _, p := range k.Missing {
			vs = append(vs, Violation{Path: at + "/" + escapePointer(p), Rule: "required", Message: fmt.Sprintf("missing property %q", p)})
		}
		return vs
	case *kind.AdditionalProperties:
		vs := make([]Violation, 0, len(k.Properties))
		for _, p := range k.Properties {
			vs = append(vs, Violation{Path: at + "/" + escapePointer(p), Rule: "additionalProperties", Message: fmt.Sprintf("property %q is not allowed", p)})
		}
		return vs
	case *kind.FalseSchema:
		return []Violation{{Path: at, Rule: "false", Message: "no value is allowed here"}}
	}
	rule := "schema"
	if kw := e.ErrorKind.KeywordPath(); len(kw) > 0 {
		rule = kw[0]
	}
	return []Violation{{Path: at, Rule: rule, Message: e.ErrorKind.LocalizedString(printer)}}
}

// jsonPointer joins instance location tokens into a JSON pointer.
func jsonPointer(tokens []string) string {
	var sb strings.Builder
	for _, t := range tokens {
		sb.WriteByte('/')
		sb.WriteString(escapePointer(t))
	}
	return sb.String()
}

// escapePointer escapes one JSON pointer token (RFC 6901).
func escapePointer(tok string) string {
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(tok)
}
