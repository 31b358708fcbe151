package event

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors; the typed errors below wrap them.
var (
	// ErrInvalid is wrapped by every *ValidationError: the event does not
	// match its schema. Retrying will not help; route it to an error topic.
	ErrInvalid = errors.New("event: invalid event")
	// ErrSchemaNotFound means the repository has no schema at that URI.
	ErrSchemaNotFound = errors.New("event: schema not found")
	// ErrBadSchemaURI means a string is not a /<title>/<version> schema URI.
	ErrBadSchemaURI = errors.New("event: malformed schema URI")
	// ErrRemoteRef means a schema $refs something outside its repository.
	// Repositories never fetch schemas over the network.
	ErrRemoteRef = errors.New("event: $ref outside the schema repository")
	// ErrBadSchema means a schema file cannot be read as a schema.
	ErrBadSchema = errors.New("event: bad schema")
)

// DecodeError reports bytes that a codec could not decode. Jobs send such
// events to their error topic with Error() as the reason.
type DecodeError struct {
	// Codec names the codec that failed: "json" or "string".
	Codec string
	// Reason says what is wrong with the input.
	Reason string
	// Offset is the byte offset in the input near the problem, or -1.
	Offset int64
	// Err is the underlying error, if any.
	Err error
}

// Error implements error.
func (e *DecodeError) Error() string {
	if e.Offset >= 0 {
		return fmt.Sprintf("event: decode %s: %s (at byte %d)", e.Codec, e.Reason, e.Offset)
	}
	return fmt.Sprintf("event: decode %s: %s", e.Codec, e.Reason)
}

// Unwrap returns the underlying error.
func (e *DecodeError) Unwrap() error { return e.Err }

// SchemaError reports a schema that cannot be found, read or compiled.
type SchemaError struct {
	// URI is the schema URI that was asked for.
	URI string
	// Err says why: ErrBadSchemaURI or ErrSchemaNotFound for the URI itself;
	// ErrBadSchema for a schema that does not parse or compile, also
	// wrapping the reason (such as ErrRemoteRef or ErrSchemaNotFound) when
	// one of its $refs cannot be loaded.
	Err error
}

// Error implements error.
func (e *SchemaError) Error() string {
	// The chain repeats the package prefix of each sentinel it wraps.
	return fmt.Sprintf("event: schema %s: %s", e.URI, strings.ReplaceAll(e.Err.Error(), "event: ", ""))
}

// Unwrap returns the reason.
func (e *SchemaError) Unwrap() error { return e.Err }

// Violation is one way an event breaks its schema.
type Violation struct {
	// Path is the JSON pointer of the offending field, such as /meta/dt;
	// for a missing field it is the path the field should have had.
	Path string
	// Rule is the JSON Schema keyword that failed, such as required, type,
	// format or additionalProperties.
	Rule string
	// Message says what is wrong, in English.
	Message string
}

// String formats v as "<path>: <message> [<rule>]".
func (v Violation) String() string {
	path := v.Path
	if path == "" {
		path = "(root)"
	}
	return fmt.Sprintf("%s: %s [%s]", path, v.Message, v.Rule)
}

// ValidationError reports an event that does not match its schema. Path,
// Rule and Message describe the first violation in path order; Violations
// holds them all. It wraps ErrInvalid.
type ValidationError struct {
	// Schema is the $schema URI the event was validated against ("" if the
	// event named none).
	Schema string
	// Path is the JSON pointer of the first offending field.
	Path string
	// Rule is the keyword the first offending field broke.
	Rule string
	// Message describes the first violation.
	Message string
	// Violations lists every violation, sorted by path then rule.
	Violations []Violation
}

// Error implements error.
func (e *ValidationError) Error() string {
	first := Violation{Path: e.Path, Rule: e.Rule, Message: e.Message}
	schema := e.Schema
	if schema == "" {
		schema = "(no $schema)"
	}
	msg := fmt.Sprintf("event: invalid against %s: %s", schema, first)
	if n := len(e.Violations) - 1; n > 0 {
		msg += fmt.Sprintf(" (and %d more)", n)
	}
	return msg
}

// Unwrap returns ErrInvalid.
func (e *ValidationError) Unwrap() error { return ErrInvalid }

// newValidationError builds a ValidationError from violations (at least one).
func newValidationError(schema string, vs []Violation) *ValidationError {
	return &ValidationError{
		Schema:     schema,
		Path:       vs[0].Path,
		Rule:       vs[0].Rule,
		Message:    vs[0].Message,
		Violations: vs,
	}
}
