package depstest

import (
	"errors"
	"fmt"
	"testing"

	"github.com/ripplestream/ripple/deps"
)

// testBatchPut stores pages with deps.PutPages, which uses the store's
// BatchPutter if it has one: the results must be those of PutPage on each
// page in order, also when a batch holds a page several times and pages of
// the batch point at each other.
func testBatchPut(t *testing.T, h *harness) {
	page := func(title string, rev int64, links []string, templates ...string) deps.PageDeps {
		p := article("enwiki", title, rev, templates...)
		p.Links = links
		return p
	}
	batch := []deps.PageDeps{
		page("A", 1, []string{"B"}, "Template:T"),
		page("B", 1, []string{"A"}, "Template:T"),
		page("A", 3, []string{"C"}),
		page("A", 2, []string{"D"}),
		page("C", 1, []string{"C"}, "Template:New"),
		page("B", 1, []string{"Z"}),
	}
	res, err := deps.PutPages(h.ctx, h.store, batch)
	if err != nil || len(res) != len(batch) {
		t.Fatalf("PutPages: %d results, %v", len(res), err)
	}
	for i, want := range []struct {
		applied bool
		prev    int64
		added   string
	}{
		{true, 0, "transcludes Template:T; links_to B"},
		{true, 0, "transcludes Template:T; links_to A"},
		{true, 1, "links_to C"},
		{false, 3, ""},
		{true, 0, "transcludes Template:New; links_to C"},
		{false, 1, ""},
	} {
		if r := res[i]; r.Applied != want.applied || r.PrevRevID != want.prev || edges(r.Added) != want.added {
			t.Errorf("result %d: %+v, want applied=%v prev=%d added %s", i, r, want.applied, want.prev, want.added)
		}
	}
	for _, c := range []struct {
		kind   deps.EdgeKind
		target string
		want   []string
	}{
		{deps.Transcludes, "Template:T", []string{"enwiki:B"}},
		{deps.Transcludes, "Template:New", []string{"enwiki:C"}},
		{deps.LinksTo, "C", []string{"enwiki:A", "enwiki:C"}},
		{deps.LinksTo, "A", []string{"enwiki:B"}},
		{deps.LinksTo, "B", nil},
		{deps.LinksTo, "D", nil},
		{deps.LinksTo, "Z", nil},
	} {
		wantNames(t, fmt.Sprintf("after the batch: %s %s", c.kind, c.target), h.all(t, query("enwiki", c.kind, c.target)), c.want...)
	}

	// A batch larger than a store's round, sharing one new template.
	var many []deps.PageDeps
	var want []string
	for i := range 250 {
		title := fmt.Sprintf("M%03d", i)
		many = append(many, article("enwiki", title, 1, "Template:Shared_new"))
		want = append(want, "enwiki:"+title)
	}
	if _, err := deps.PutPages(h.ctx, h.store, many); err != nil {
		t.Fatalf("PutPages of %d pages: %v", len(many), err)
	}
	wantNames(t, "transcluders of Template:Shared_new", h.all(t, query("enwiki", deps.Transcludes, "Template:Shared_new")), want...)

	// An invalid page fails the whole batch before anything is stored.
	bad := []deps.PageDeps{article("enwiki", "Fresh", 1, "Template:Fresh"), article("enwiki", "A|B", 1)}
	if _, err := deps.PutPages(h.ctx, h.store, bad); !errors.Is(err, deps.ErrInvalid) {
		t.Errorf("PutPages with an invalid page: %v, want ErrInvalid", err)
	}
	if _, ok := h.page(t, "enwiki", "Fresh"); ok {
		if _, batcher := h.store.(deps.BatchPutter); batcher {
			t.Error("a BatchPutter stored a page of a batch it rejected")
		}
	}
}
