package entitychange

import (
	"context"
	"errors"
)

// Source fetches the entity JSON of a revision: of a revision whose event
// carries no content, and of the revision before the first one the job
// sees of an entity. Any format package deps/entity reads will do (the
// page content, or Special:EntityData/<id>.json?revision=<rev>).
//
// An error wrapping ErrNoRevision (the revision was deleted or
// suppressed) sends the event to the error topic; one that is
// processor.Unavailable pauses the partition until the source answers;
// any other is retried through the retry topic.
type Source interface {
	EntityJSON(ctx context.Context, wiki, entityID string, revID int64) ([]byte, error)
}

// SourceFunc adapts a function to Source.
type SourceFunc func(ctx context.Context, wiki, entityID string, revID int64) ([]byte, error)

// EntityJSON calls f.
func (f SourceFunc) EntityJSON(ctx context.Context, wiki, entityID string, revID int64) ([]byte, error) {
	return f(ctx, wiki, entityID, revID)
}

// ErrNoRevision means a Source does not have the revision asked for.
var ErrNoRevision = errors.New("entitychange: no such revision")
