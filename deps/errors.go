package deps

import (
	"errors"

	"github.com/ripplestream/ripple/internal/configerr"
)

// Sentinel errors. Stores wrap them with the wiki, title or query at fault.
var (
	// ErrInvalid means an argument is malformed: a bad title, wiki id,
	// entity id, aspect, rev id or query. Retrying will not help; route the
	// input to an error topic.
	ErrInvalid = errors.New("deps: invalid input")
	// ErrBadCursor means a Query's After cursor was not produced by this
	// kind of store for this kind of query. Restart the traversal from the
	// empty cursor.
	ErrBadCursor = errors.New("deps: malformed cursor")
	// ErrClosed means the store was used after Close.
	ErrClosed = errors.New("deps: store closed")
	// ErrInvalidConfig means a store's configuration failed Validate. It
	// matches every ripple package's ErrInvalidConfig.
	ErrInvalidConfig = configerr.New("deps")
	// ErrUnavailable means the store's backend could not be reached or
	// gave up under contention. It is retriable: the same call may succeed
	// later, and no partial write was applied. A job handler that returns
	// it pauses its partition until the store is back (see
	// processor.IsUnavailable) instead of failing the event.
	ErrUnavailable error = unavailableError{}
)

type unavailableError struct{}

func (unavailableError) Error() string { return "deps: store unavailable" }

// Unavailable reports true: processor.IsUnavailable reads it.
func (unavailableError) Unavailable() bool { return true }

// Retriable reports whether err is worth retrying unchanged: it wraps
// ErrUnavailable. Invalid input, bad cursors, closed stores and cancelled
// contexts are not.
func Retriable(err error) bool { return errors.Is(err, ErrUnavailable) }
