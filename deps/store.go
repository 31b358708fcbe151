package deps

import (
	"context"
	"fmt"
)

// Store holds the dependency graph: for every page, the set of templates,
// links, files and entity aspects its latest parse depends on, and the
// reverse index from each target to the pages that depend on it.
//
// Pages are keyed by (wiki, title). A move is not a store operation: the
// propagation engine handles mediawiki/page/change move events as
// DeletePage of the old title (whose incoming links stay, since they name
// that title, now usually a redirect) followed by PutPage of the new title,
// either from the next parse or from Page(old) with the new PageRef.
//
// The propagation engine follows indirect transclusion (a template that
// transcludes a template) by calling Dependents with Transcludes for every
// dependent whose Namespace is Transcludable and whose edge's Scope passes
// the target on, keeping a visited set; it purges a dependent only when
// the Scope says its own page renders the target.
//
// Implementations are safe for concurrent use. Every method but Close takes a
// context and returns its error when it is done. Close is idempotent; other
// methods return ErrClosed after it.
type Store interface {
	// PutPage replaces the stored dependency set of p.Page with p, after
	// p.Normalize with the store's collapse limits, if and only if p.RevID
	// is newer than the stored revision or the page is not stored. An older
	// or equal revision is ignored: PutResult.Applied is false. The
	// replacement and its reverse-index updates are atomic.
	PutPage(ctx context.Context, p PageDeps) (PutResult, error)

	// DeletePage forgets the dependency set of the page, with every
	// reverse-index entry it contributed. Edges into the title from other
	// pages stay: they name the title and still render (as red links).
	// Deleting an unknown page is not an error; Applied is then false.
	// After a delete, a PutPage of any revision applies (an undeleted page
	// comes back with old revision ids).
	DeletePage(ctx context.Context, wiki, title string) (PutResult, error)

	// Page returns the stored, normalized dependency set of a page and
	// whether there is one.
	Page(ctx context.Context, wiki, title string) (PageDeps, bool, error)

	// Dependents returns one page of the pages that depend on q's target
	// through q.Edge, in an order fixed by the store (stable across calls
	// and restarts), and the cursor that resumes after the last one. The
	// cursor is empty when no further dependent exists at the time of the
	// call; a non-empty cursor promises at least one more dependent (unless
	// it is removed before the next call).
	//
	// A traversal resumed from cursors returns every dependent that exists
	// from its start to its end exactly once, in order. A dependent added
	// or removed while it runs may or may not be returned: a page that
	// starts to depend on the target was parsed after the change that
	// started the traversal, so it needs no purge for it.
	Dependents(ctx context.Context, q Query) ([]Dependent, Cursor, error)

	// Close releases the store. It is idempotent.
	Close() error
}

// PutResult reports what PutPage or DeletePage changed.
type PutResult struct {
	// Applied is true when the stored set changed hands: a newer revision
	// replaced it (even with identical edges), or a delete removed it.
	Applied bool
	// PrevRevID is the revision stored before the call, 0 if none.
	PrevRevID int64
	// Added lists the edges the call added, sorted by (Kind, Target). For
	// UsesEntity it carries only the aspects that were added.
	Added []Edge
	// Removed lists the edges the call removed, like Added.
	Removed []Edge
}

// Cursor marks a position in a Dependents traversal. It is an opaque,
// printable string that a store produced; keep it (in state, in an event)
// to resume the traversal later, also in another process. The empty Cursor
// starts at the beginning.
type Cursor string

// Query asks for the dependents of one target through one kind of edge.
type Query struct {
	// Wiki is the wiki of the dependent pages. It is required for
	// Transcludes and LinksTo (titles belong to a wiki); for the
	// CrossWiki kinds, UsesEntity and UsesFile, it may be empty to ask for
	// dependents on every wiki (for UsesFile: every page of any wiki that
	// shows a file of that title, its own or the shared repository's).
	Wiki string
	// Edge is the kind of edge to follow backwards.
	Edge EdgeKind
	// Target is a prefixed title (Transcludes, LinksTo, UsesFile) or an
	// entity id (UsesEntity).
	Target string
	// Aspects, for UsesEntity only, are the aspects a change touched: only
	// pages whose usage Matches them are returned. Empty means every
	// page that uses the entity at all.
	Aspects []Aspect
	// After resumes a traversal after the position a previous call returned.
	After Cursor
	// Limit is the most dependents to return: 0 means DefaultLimit, and at
	// most MaxLimit is allowed.
	Limit int
}

// Page sizes for Query.Limit.
const (
	DefaultLimit = 1000
	MaxLimit     = 10000
)

// Normalize validates q and returns it with its target title normalized,
// its aspects canonical and its Limit defaulted. It wraps ErrInvalid.
func (q Query) Normalize() (Query, error) {
	if !q.Edge.Valid() {
		return Query{}, fmt.Errorf("%w: query edge %s", ErrInvalid, q.Edge)
	}
	if q.Limit < 0 || q.Limit > MaxLimit {
		return Query{}, fmt.Errorf("%w: query limit %d: want 0 (default %d) to %d", ErrInvalid, q.Limit, DefaultLimit, MaxLimit)
	}
	if q.Limit == 0 {
		q.Limit = DefaultLimit
	}
	if q.Wiki != "" || !q.Edge.CrossWiki() {
		if err := ValidateWiki(q.Wiki); err != nil {
			return Query{}, fmt.Errorf("query: %w", err)
		}
	}
	if q.Edge == UsesEntity {
		if err := EntityID(q.Target).Validate(); err != nil {
			return Query{}, fmt.Errorf("query: %w", err)
		}
		aspects := make([]Aspect, 0, len(q.Aspects))
		for _, a := range q.Aspects {
			c, err := ParseAspect(string(a))
			if err != nil {
				return Query{}, fmt.Errorf("query: %w", err)
			}
			aspects = append(aspects, c)
		}
		q.Aspects = aspects
		return q, nil
	}
	if len(q.Aspects) > 0 {
		return Query{}, fmt.Errorf("%w: query aspects %v given for edge %s; aspects apply to uses_entity only", ErrInvalid, q.Aspects, q.Edge)
	}
	t, err := NormalizeTitle(q.Target)
	if err != nil {
		return Query{}, fmt.Errorf("query: %w", err)
	}
	q.Target = t
	return q, nil
}

// Dependent is one page that depends on a Query's target.
type Dependent struct {
	// Wiki is the wiki of the dependent page.
	Wiki string
	// Page is the dependent page, as of its stored revision.
	Page PageRef
	// Edge is the kind of edge from Page to the target.
	Edge EdgeKind
	// Target is the query's target.
	Target string
	// Aspects, for UsesEntity, are the page's usage aspects that matched
	// the query's aspects, or all of them when the query named none.
	Aspects []Aspect
	// Scope is the scope of the page's edge to the target: whether the
	// page itself renders it (purge the page) and whether it passes it on
	// to its transcluders (follow transclusion to them).
	Scope Scope
}

// Select reports whether a page whose usage of q's target has the aspects
// usage is a result of q, and the aspects to report for it. For page edges
// every dependent qualifies.
func (q Query) Select(usage []Aspect) ([]Aspect, bool) {
	if q.Edge != UsesEntity {
		return nil, true
	}
	if len(q.Aspects) == 0 {
		return usage, true
	}
	m := MatchAspects(usage, q.Aspects)
	return m, len(m) > 0
}

// BatchPutter is an optional capability of a Store, found by type
// assertion: PutPages has the effect of PutPage on each page in order, in
// fewer round trips, which matters for a networked store. It validates every
// page before storing any. On error, some of the pages may be stored;
// storing them again is harmless, since a revision is stored only once.
// Both stores of this module implement it; the conformance suite checks
// that it gives what PutPage one page at a time gives.
type BatchPutter interface {
	PutPages(ctx context.Context, pages []PageDeps) ([]PutResult, error)
}

// PutPages stores pages in s in order, with s's PutPages when s is a
// BatchPutter and one PutPage after another otherwise. It returns a result
// per page, or an error and no results.
func PutPages(ctx context.Context, s Store, pages []PageDeps) ([]PutResult, error) {
	if b, ok := s.(BatchPutter); ok {
		return b.PutPages(ctx, pages)
	}
	out := make([]PutResult, 0, len(pages))
	for _, p := range pages {
		r, err := s.PutPage(ctx, p)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}
