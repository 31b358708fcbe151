package depstest

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

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

// testBatchMatchesSequential applies one random sequence of puts and deletes
// to two wikis of the store: to one with a PutPage per page, to the other
// with PutPages over random runs of consecutive puts (a delete ends a run).
// Every result, stored page and dependent must be the same on both. The
// pages share a small universe of titles, so that batches hold the same
// page several times, pages link to pages of their own batch, and
// revisions collide.
func testBatchMatchesSequential(t *testing.T, h *harness) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	g := randomPages{rand.New(rand.NewPCG(seed, seed))}
	const ops = 240
	type op struct {
		put   deps.PageDeps
		title string // a delete when set
	}
	var script []op
	for range ops {
		if g.r.IntN(12) == 0 {
			script = append(script, op{title: g.title()})
		} else {
			script = append(script, op{put: g.page()})
		}
	}
	const seq, bat = "seqwiki", "batchwiki"
	onWiki := func(p deps.PageDeps, wiki string) deps.PageDeps { p.Wiki = wiki; return p }
	for i := 0; i < len(script); {
		if script[i].title != "" {
			for _, wiki := range []string{seq, bat} {
				if _, err := h.store.DeletePage(h.ctx, wiki, script[i].title); err != nil {
					t.Fatalf("op %d: DeletePage(%s, %s): %v", i, wiki, script[i].title, err)
				}
			}
			i++
			continue
		}
		var run []deps.PageDeps
		for n := 1 + g.r.IntN(40); len(run) < n && i+len(run) < len(script) && script[i+len(run)].title == ""; {
			run = append(run, onWiki(script[i+len(run)].put, bat))
		}
		got, err := deps.PutPages(h.ctx, h.store, run)
		if err != nil || len(got) != len(run) {
			t.Fatalf("ops %d to %d: PutPages: %d results, %v", i, i+len(run)-1, len(got), err)
		}
		for j, p := range run {
			want := h.put(t, onWiki(p, seq))
			if !sameResult(got[j], want) {
				t.Fatalf("op %d (%s rev %d), batch of %d from op %d: PutPages gave %+v, PutPage %+v",
					i+j, p.Page.Title, p.RevID, len(run), i, got[j], want)
			}
		}
		i += len(run)
		if g.r.IntN(8) == 0 {
			h.reopen(t) // a fresh store knows nothing of what it wrote
		}
	}
	for _, title := range randomTitles {
		a, okA := h.page(t, seq, title)
		b, okB := h.page(t, bat, title)
		if okA != okB || okA && !reflect.DeepEqual(a, onWiki(b, seq)) {
			t.Errorf("Page %s: sequential %+v (%v), batched %+v (%v)", title, a, okA, b, okB)
		}
		for _, kind := range []deps.EdgeKind{deps.Transcludes, deps.LinksTo, deps.UsesFile} {
			compareDependents(t, h, query(seq, kind, title), query(bat, kind, title))
		}
	}
	for _, id := range randomEntities {
		compareDependents(t, h, query(seq, deps.UsesEntity, string(id)), query(bat, deps.UsesEntity, string(id)))
	}
}

// sameResult compares PutResults, taking nil and empty edge lists as equal.
func sameResult(a, b deps.PutResult) bool {
	return a.Applied == b.Applied && a.PrevRevID == b.PrevRevID &&
		edges(a.Added) == edges(b.Added) && edges(a.Removed) == edges(b.Removed)
}

// compareDependents fails t unless the dependents of q1 and q2, which
// differ in their wiki only, are the same pages with the same aspects.
func compareDependents(t *testing.T, h *harness, q1, q2 deps.Query) {
	t.Helper()
	describe := func(ds []deps.Dependent) []string {
		out := make([]string, len(ds))
		for i, d := range ds {
			out[i] = fmt.Sprintf("%s %d %d %v", d.Page.Title, d.Page.ID, d.Page.Namespace, d.Aspects)
		}
		slices.Sort(out)
		return out
	}
	if a, b := describe(h.all(t, q1)), describe(h.all(t, q2)); !slices.Equal(a, b) {
		t.Errorf("%s %s: sequential %q, batched %q", q1.Edge, q1.Target, a, b)
	}
}

// The universe of testBatchMatchesSequential.
var (
	randomTitles   = []string{"A", "B", "C", "Größe", "Template:T1", "Template:T2", "Module:M", "File:F.png", "東京", "A_b"}
	randomAspects  = []deps.Aspect{"S", "T", "O", "X", "L", "L.en", "L.de", "D.en", "C", "C.P31", "C.P18"}
	randomEntities = []deps.EntityID{"Q1", "Q2", "Q42", "P31", "L7-F1"}
)

// randomPages makes random dependency sets over the universe.
type randomPages struct{ r *rand.Rand }

func (g randomPages) title() string { return randomTitles[g.r.IntN(len(randomTitles))] }

func (g randomPages) titles(max int) []string {
	var out []string
	for range g.r.IntN(max + 1) {
		out = append(out, g.title())
	}
	return out
}

func (g randomPages) page() deps.PageDeps {
	p := deps.PageDeps{
		Page:      deps.PageRef{ID: g.r.Int64N(5), Namespace: deps.Namespace(g.r.IntN(3)), Title: g.title()},
		RevID:     1 + g.r.Int64N(12),
		Templates: g.titles(3),
		Links:     g.titles(4),
		Files:     g.titles(2),
	}
	for range g.r.IntN(3) {
		u := deps.EntityUsage{ID: randomEntities[g.r.IntN(len(randomEntities))]}
		for range g.r.IntN(4) {
			u.Aspects = append(u.Aspects, randomAspects[g.r.IntN(len(randomAspects))])
		}
		p.Entities = append(p.Entities, u)
	}
	return p
}
