package depstest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ripplestream/ripple/deps"
)

// Opener opens the store of one isolated data location (a directory, a
// predicate prefix). Called again after the suite closed the store, it must
// reopen the same data.
type Opener func(t *testing.T) deps.Store

// Factory returns an Opener bound to a fresh, empty data location, removed
// when t ends. The stores it opens must use the default collapse limits.
type Factory func(t *testing.T) Opener

// testTimeout bounds each case, so a hung backend fails the test instead of
// stalling it.
const testTimeout = 2 * time.Minute

// Run runs every conformance case as a subtest of t.
func Run(t *testing.T, newStore Factory) {
	cases := []struct {
		name string
		run  func(t *testing.T, h *harness)
	}{
		{"PutAndGet", testPutAndGet},
		{"NewerRevisionReplaces", testNewerRevisionReplaces},
		{"OlderRevisionIgnored", testOlderRevisionIgnored},
		{"Delete", testDelete},
		{"EdgeKinds", testEdgeKinds},
		{"EntityAspects", testEntityAspects},
		{"AspectChangesOfOneUsage", testAspectChangesOfOneUsage},
		{"Collapse", testCollapse},
		{"Pagination", testPagination},
		{"FilteredPagination", testFilteredPagination},
		{"MultiWiki", testMultiWiki},
		{"FileUsersOnEveryWiki", testFileUsersOnEveryWiki},
		{"Unicode", testUnicode},
		{"TransitiveTransclusion", testTransitiveTransclusion},
		{"PassesOn", testPassesOn},
		{"Digest", testDigest},
		{"ConcurrentRevisions", testConcurrentRevisions},
		{"BatchPut", testBatchPut},
		{"BatchMatchesSequential", testBatchMatchesSequential},
		{"InvalidInput", testInvalidInput},
		{"ClosedAndCancelled", testClosedAndCancelled},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
			defer cancel()
			h := &harness{ctx: ctx, open: newStore(t)}
			h.store = h.reopen(t)
			c.run(t, h)
		})
	}
}

// harness holds the store under test and the means to reopen it.
type harness struct {
	ctx   context.Context
	open  Opener
	store deps.Store
}

// reopen closes the current store, if any, and opens the same data again.
func (h *harness) reopen(t *testing.T) deps.Store {
	t.Helper()
	if h.store != nil {
		if err := h.store.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
	}
	h.store = h.open(t)
	s := h.store
	t.Cleanup(func() { s.Close() })
	return s
}

// put stores p and fails the test on error.
func (h *harness) put(t *testing.T, p deps.PageDeps) deps.PutResult {
	t.Helper()
	r, err := h.store.PutPage(h.ctx, p)
	if err != nil {
		t.Fatalf("PutPage(%s:%s rev %d): %v", p.Wiki, p.Page.Title, p.RevID, err)
	}
	return r
}

// page reads a page and fails the test on error.
func (h *harness) page(t *testing.T, wiki, title string) (deps.PageDeps, bool) {
	t.Helper()
	p, ok, err := h.store.Page(h.ctx, wiki, title)
	if err != nil {
		t.Fatalf("Page(%s, %s): %v", wiki, title, err)
	}
	return p, ok
}

// all pages through q with q.Limit and returns every dependent, checking the
// cursor contract on the way: full pages, and a non-empty cursor only when
// another dependent follows.
func (h *harness) all(t *testing.T, q deps.Query) []deps.Dependent {
	t.Helper()
	var out []deps.Dependent
	for calls := 0; ; calls++ {
		if calls > 100000 {
			t.Fatalf("Dependents(%+v): no end after %d pages", q, calls)
		}
		page, next, err := h.store.Dependents(h.ctx, q)
		if err != nil {
			t.Fatalf("Dependents(%+v): %v", q, err)
		}
		if q.Limit > 0 && len(page) > q.Limit {
			t.Fatalf("Dependents(%+v): %d results, more than the limit", q, len(page))
		}
		if next != "" && len(page) == 0 {
			t.Fatalf("Dependents(%+v): empty page with cursor %q", q, next)
		}
		if next != "" && q.Limit > 0 && len(page) < q.Limit {
			t.Fatalf("Dependents(%+v): short page (%d) with cursor %q", q, len(page), next)
		}
		out = append(out, page...)
		if next == "" {
			return out
		}
		q.After = next
	}
}

// names returns "wiki:title" of each dependent, in order.
func names(ds []deps.Dependent) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.Wiki + ":" + d.Page.Title
	}
	return out
}

// sortedNames returns names(ds) sorted.
func sortedNames(ds []deps.Dependent) []string {
	return slices.Sorted(slices.Values(names(ds)))
}

// wantNames fails the test unless ds names exactly want, in any order.
func wantNames(t *testing.T, what string, ds []deps.Dependent, want ...string) {
	t.Helper()
	slices.Sort(want)
	if got := sortedNames(ds); !slices.Equal(got, want) {
		t.Errorf("%s: got %q, want %q", what, got, want)
	}
}

// edges formats edges as "kind target [aspects]" for comparison.
func edges(es []deps.Edge) string {
	var b strings.Builder
	for i, e := range es {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s %s", e.Kind, e.Target)
		if len(e.Aspects) > 0 {
			fmt.Fprintf(&b, " %v", e.Aspects)
		}
	}
	return b.String()
}

// article returns the dependency set of a main-namespace page with only
// templates.
func article(wiki, title string, rev int64, templates ...string) deps.PageDeps {
	return deps.PageDeps{Wiki: wiki, Page: deps.PageRef{ID: rev*7 + 1, Title: title}, RevID: rev, Templates: templates}
}

// query is shorthand for a Dependents query.
func query(wiki string, kind deps.EdgeKind, target string, aspects ...deps.Aspect) deps.Query {
	return deps.Query{Wiki: wiki, Edge: kind, Target: target, Aspects: aspects}
}
