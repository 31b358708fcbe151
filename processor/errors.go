package processor

import (
	"errors"
	"fmt"
)

// permanent marks an error that retrying cannot fix.
type permanent struct{ err error }

func (p *permanent) Error() string { return p.err.Error() }
func (p *permanent) Unwrap() error { return p.err }

// Permanent wraps err so the event goes straight to the job's error topic
// instead of being retried: use it for input the handler can never accept.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanent{err: err}
}

// IsPermanent reports whether err, or an error it wraps, was marked with
// Permanent or is a decode or schema failure.
func IsPermanent(err error) bool {
	var p *permanent
	var u *undecodable
	return errors.As(err, &p) || errors.As(err, &u)
}

// undecodable is a decode or schema-validation failure: the bytes will never
// become an event, so it is permanent.
type undecodable struct{ err error }

func (u *undecodable) Error() string { return u.err.Error() }
func (u *undecodable) Unwrap() error { return u.err }

// PanicError is a handler panic turned into an error. It is retried like
// any other handler error.
type PanicError struct {
	Value any
	Stack string
}

func (p *PanicError) Error() string { return fmt.Sprintf("processor: handler panicked: %v", p.Value) }

// failure kinds, as error_type in error events and as metric labels.
const (
	kindDecode  = "decode"
	kindSchema  = "schema"
	kindHandler = "handler"
	kindPanic   = "panic"
)

func failureKind(err error) string {
	var u *undecodable
	var p *PanicError
	switch {
	case errors.As(err, &u):
		var s *schemaInvalid
		if errors.As(err, &s) {
			return kindSchema
		}
		return kindDecode
	case errors.As(err, &p):
		return kindPanic
	default:
		return kindHandler
	}
}

// schemaInvalid marks a schema failure inside an undecodable.
type schemaInvalid struct{ err error }

func (s *schemaInvalid) Error() string { return s.err.Error() }
func (s *schemaInvalid) Unwrap() error { return s.err }

func asPanic(err error) (*PanicError, bool) {
	var p *PanicError
	ok := errors.As(err, &p)
	return p, ok
}

// ErrUnavailable marks a handler error caused by something the job needs
// being down (a store, a service), not by the event: the partition pauses
// and calls the handler again with a capped backoff, holding its offsets,
// for as long as it takes, and Runner.Waiting says so. The event never
// goes to the retry or error topic for it. Wrap it (Unavailable) or return
// an error with an Unavailable() bool method that reports true.
var ErrUnavailable = errors.New("processor: unavailable")

// Unavailable wraps err so that it counts as ErrUnavailable.
func Unavailable(err error) error {
	if err == nil {
		return nil
	}
	return &unavailable{err: err}
}

type unavailable struct{ err error }

func (u *unavailable) Error() string     { return u.err.Error() }
func (u *unavailable) Unwrap() error     { return u.err }
func (u *unavailable) Unavailable() bool { return true }

// IsUnavailable reports whether err, or an error it wraps, is
// ErrUnavailable or says it is with an Unavailable() bool method (as
// deps.ErrUnavailable does). Permanent errors are not.
func IsUnavailable(err error) bool {
	if err == nil || IsPermanent(err) {
		return false
	}
	if errors.Is(err, ErrUnavailable) {
		return true
	}
	var u interface{ Unavailable() bool }
	return errors.As(err, &u) && u.Unavailable()
}
