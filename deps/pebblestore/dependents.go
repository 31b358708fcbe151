package pebblestore

import (
	"context"
	"fmt"

	"github.com/cockroachdb/pebble/v2"

	"github.com/ripplestream/ripple/deps"
)

// ctxCheckEvery is how many reverse entries a scan reads between checks of
// its context, so a long filtered scan still stops when cancelled.
const ctxCheckEvery = 4096

// Dependents implements deps.Store: one prefix scan of the reverse index in
// (wiki, title) order of the dependents.
func (s *Store) Dependents(ctx context.Context, q deps.Query) ([]deps.Dependent, deps.Cursor, error) {
	q, err := q.Normalize()
	if err != nil {
		return nil, "", err
	}
	base := reverseBase(nil, q.Edge, q.Wiki, q.Target)
	prefix := base
	if q.Edge.CrossWiki() && q.Wiki != "" {
		prefix = append(append(base[:len(base):len(base)], q.Wiki...), sep)
	}
	lower := prefix
	if q.After != "" {
		wiki, title, err := decodeCursor(q.After)
		if err != nil {
			return nil, "", err
		}
		if q.Wiki != "" && wiki != q.Wiki {
			return nil, "", fmt.Errorf("%w: cursor of wiki %s used for a query of wiki %s", deps.ErrBadCursor, wiki, q.Wiki)
		}
		// The key just after the cursor's dependent.
		lower = append(appendPosition(base[:len(base):len(base)], q.Edge, wiki, title), 0)
	}
	db, release, err := s.acquire(ctx)
	if err != nil {
		return nil, "", err
	}
	defer release()
	it, err := db.NewIterWithContext(ctx, &pebble.IterOptions{LowerBound: lower, UpperBound: prefixEnd(prefix)})
	if err != nil {
		return nil, "", fmt.Errorf("pebblestore: dependents of %s %s: %w", q.Edge, q.Target, err)
	}
	out, next, scanErr := scan(ctx, it, q, len(base))
	if err := it.Close(); err != nil && scanErr == nil {
		scanErr = err
	}
	if scanErr != nil {
		return nil, "", fmt.Errorf("pebblestore: dependents of %s %s: %w", q.Edge, q.Target, scanErr)
	}
	return out, next, nil
}

// scan collects up to q.Limit matching dependents from it, whose keys all
// start with a reverse base of baseLen bytes, then looks for one more match
// to decide whether to return a cursor.
func scan(ctx context.Context, it *pebble.Iterator, q deps.Query, baseLen int) ([]deps.Dependent, deps.Cursor, error) {
	out := make([]deps.Dependent, 0, min(q.Limit, 1024))
	entity := q.Edge == deps.UsesEntity
	n := 0
	for valid := it.First(); valid; valid = it.Next() {
		if n++; n%ctxCheckEvery == 0 {
			if err := ctx.Err(); err != nil {
				return nil, "", err
			}
		}
		v, err := it.ValueAndErr()
		if err != nil {
			return nil, "", err
		}
		ns, id, usage, scope, err := decodeReverse(v, entity)
		if err != nil {
			return nil, "", fmt.Errorf("%w: reverse key %q", err, it.Key())
		}
		aspects, ok := q.Select(usage)
		if !ok {
			continue
		}
		if len(out) == q.Limit {
			last := out[len(out)-1]
			return out, encodeCursor(last.Wiki, last.Page.Title), nil
		}
		wiki, title, err := splitPosition(it.Key()[baseLen:], q.Edge, q.Wiki)
		if err != nil {
			return nil, "", err
		}
		out = append(out, deps.Dependent{
			Wiki:    wiki,
			Page:    deps.PageRef{ID: id, Namespace: ns, Title: title},
			Edge:    q.Edge,
			Target:  q.Target,
			Aspects: aspects,
			Scope:   scope,
		})
	}
	return out, "", it.Error()
}
