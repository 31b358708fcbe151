package depstest

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/ripplestream/ripple/deps"
)

// putAll stores pages with a few concurrent writers.
func (h *harness) putAll(t *testing.T, pages []deps.PageDeps) {
	t.Helper()
	const workers = 8
	work := make(chan deps.PageDeps)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for p := range work {
				if _, err := h.store.PutPage(h.ctx, p); err != nil {
					errs <- fmt.Errorf("PutPage(%s:%s): %w", p.Wiki, p.Page.Title, err)
					return
				}
			}
		})
	}
	for _, p := range pages {
		work <- p
	}
	close(work)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

func testPagination(t *testing.T, h *harness) {
	const n, limit = 2500, 100
	pages := make([]deps.PageDeps, n)
	want := make([]string, n)
	for i := range pages {
		title := fmt.Sprintf("Page_%05d", (i*7919)%n) // not in insertion order
		pages[i] = article("enwiki", title, 1, "Template:Big")
		want[i] = "enwiki:" + title
	}
	h.put(t, article("enwiki", "Unrelated", 1, "Template:Small"))
	h.putAll(t, pages)

	q := query("enwiki", deps.Transcludes, "Template:Big")
	q.Limit = limit
	first := h.all(t, q)
	wantNames(t, "all dependents", first, want...)
	if got := len(slices.Compact(sortedNames(first))); got != n {
		t.Errorf("%d distinct dependents in %d results", got, len(first))
	}
	again := h.all(t, q)
	if !slices.Equal(names(first), names(again)) {
		t.Error("a second traversal returned another order")
	}

	// Read part of the way, restart the store, resume from the cursor.
	var resumed []deps.Dependent
	cursor := deps.Cursor("")
	for range 7 {
		q.After = cursor
		page, next, err := h.store.Dependents(h.ctx, q)
		if err != nil || next == "" {
			t.Fatalf("Dependents: %d results, cursor %q, %v", len(page), next, err)
		}
		resumed, cursor = append(resumed, page...), next
	}
	h.reopen(t)
	q.After = cursor
	resumed = append(resumed, h.all(t, q)...)
	if !slices.Equal(names(first), names(resumed)) {
		t.Errorf("traversal resumed after reopen differs: %d results, want %d in the same order", len(resumed), len(first))
	}

	// Exactly n/limit full pages, the last without a cursor.
	q.After = ""
	for i := 0; ; i++ {
		page, next, err := h.store.Dependents(h.ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if i < n/limit-1 && (len(page) != limit || next == "") || i == n/limit-1 && (len(page) != limit || next != "") {
			t.Fatalf("page %d: %d results, cursor %q", i, len(page), next)
		}
		if next == "" {
			break
		}
		q.After = next
	}
}

func testFilteredPagination(t *testing.T, h *harness) {
	var pages []deps.PageDeps
	var want []string
	for i := range 300 {
		aspect := []deps.Aspect{"C.P31", "L.en", "S"}[i%3]
		title := fmt.Sprintf("U%03d", i)
		pages = append(pages, deps.PageDeps{Wiki: "enwiki", Page: deps.PageRef{ID: int64(i + 1), Title: title}, RevID: 1,
			Entities: []deps.EntityUsage{{ID: "Q5", Aspects: []deps.Aspect{aspect}}}})
		if aspect == "L.en" {
			want = append(want, "enwiki:"+title)
		}
	}
	h.putAll(t, pages)
	for _, limit := range []int{1, 7, 100, 1000} {
		q := query("enwiki", deps.UsesEntity, "Q5", "L.en")
		q.Limit = limit
		wantNames(t, fmt.Sprintf("L.en users, limit %d", limit), h.all(t, q), want...)
	}
}

func testMultiWiki(t *testing.T, h *harness) {
	for _, wiki := range []string{"enwiki", "dewiki", "en"} {
		h.put(t, deps.PageDeps{Wiki: wiki, Page: deps.PageRef{ID: 1, Title: "P"}, RevID: 1,
			Templates: []string{"Template:X"}, Links: []string{wiki + "_only"},
			Entities: []deps.EntityUsage{{ID: "Q42", Aspects: []deps.Aspect{"S"}}}})
	}
	for _, wiki := range []string{"enwiki", "dewiki", "en"} {
		wantNames(t, wiki+" transcluders", h.all(t, query(wiki, deps.Transcludes, "Template:X")), wiki+":P")
		wantNames(t, wiki+" entity users", h.all(t, query(wiki, deps.UsesEntity, "Q42", "S")), wiki+":P")
		p, _ := h.page(t, wiki, "P")
		if !slices.Equal(p.Links, []string{wiki + "_only"}) {
			t.Errorf("%s:P links %v", wiki, p.Links)
		}
	}
	q := query("", deps.UsesEntity, "Q42", "S")
	q.Limit = 1
	wantNames(t, "entity users on every wiki", h.all(t, q), "enwiki:P", "dewiki:P", "en:P")
	if _, err := h.store.DeletePage(h.ctx, "enwiki", "P"); err != nil {
		t.Fatal(err)
	}
	wantNames(t, "entity users after a delete on enwiki", h.all(t, q), "dewiki:P", "en:P")
	wantNames(t, "dewiki transcluders after a delete on enwiki",
		h.all(t, query("dewiki", deps.Transcludes, "Template:X")), "dewiki:P")
}

// testFileUsersOnEveryWiki checks the users of a file on every wiki: a
// wiki without a file of its own shows the shared repository's one.
func testFileUsersOnEveryWiki(t *testing.T, h *harness) {
	file := func(wiki, title string, id int64, files ...string) deps.PageDeps {
		return deps.PageDeps{Wiki: wiki, Page: deps.PageRef{ID: id, Title: title}, RevID: 1, Files: files}
	}
	h.put(t, file("enwiki", "Berlin", 1, "File:Flag.svg", "File:Map.png"))
	h.put(t, file("enwiki", "Bonn", 2, "File:Flag.svg"))
	h.put(t, file("dewiki", "Berlin", 3, "File:Flag.svg"))
	h.put(t, file("commonswiki", "Category:Flags", 4, "File:Flag.svg"))
	h.put(t, file("frwiki", "Paris", 5, "File:Other.svg"))
	// A link to the file's page and the file's own page are not uses.
	h.put(t, deps.PageDeps{Wiki: "itwiki", Page: deps.PageRef{ID: 6, Title: "Roma"}, RevID: 1, Links: []string{"File:Flag.svg"}})
	h.put(t, deps.PageDeps{Wiki: "enwiki", Page: deps.PageRef{ID: 7, Namespace: deps.NamespaceFile, Title: "File:Flag.svg"}, RevID: 1})
	every := []string{"enwiki:Berlin", "enwiki:Bonn", "dewiki:Berlin", "commonswiki:Category:Flags"}
	for _, limit := range []int{0, 1, 3} {
		q := query("", deps.UsesFile, "File:Flag.svg")
		q.Limit = limit
		wantNames(t, fmt.Sprintf("users of File:Flag.svg on every wiki, limit %d", limit), h.all(t, q), every...)
	}
	wantNames(t, "users of File:Flag.svg on enwiki", h.all(t, query("enwiki", deps.UsesFile, "File:Flag.svg")), "enwiki:Berlin", "enwiki:Bonn")
	wantNames(t, "users of File:Flag.svg on dewiki", h.all(t, query("dewiki", deps.UsesFile, "File:Flag.svg")), "dewiki:Berlin")
	wantNames(t, "users of File:Map.png on every wiki", h.all(t, query("", deps.UsesFile, "File:Map.png")), "enwiki:Berlin")
	h.put(t, deps.PageDeps{Wiki: "enwiki", Page: deps.PageRef{ID: 2, Title: "Bonn"}, RevID: 2})
	if _, err := h.store.DeletePage(h.ctx, "dewiki", "Berlin"); err != nil {
		t.Fatal(err)
	}
	h.reopen(t)
	wantNames(t, "users of File:Flag.svg on every wiki after an edit and a delete",
		h.all(t, query("", deps.UsesFile, "File:Flag.svg")), "enwiki:Berlin", "commonswiki:Category:Flags")
	wantNames(t, "users of File:Nothing.svg on every wiki", h.all(t, query("", deps.UsesFile, "File:Nothing.svg")))
	if _, _, err := h.store.Dependents(h.ctx, query("", deps.LinksTo, "File:Flag.svg")); !errors.Is(err, deps.ErrInvalid) {
		t.Errorf("links_to query without a wiki: got %v, want ErrInvalid", err)
	}
}

func testUnicode(t *testing.T, h *harness) {
	titles := []string{"Größe", "Шаблон:Карточка", "東京都", "Emoji_😀", "Ca\u0301fe", "Café", `Quote"d_\back`, "A/B:C"}
	var want []string
	for i, title := range titles {
		h.put(t, deps.PageDeps{Wiki: "dewiki", Page: deps.PageRef{ID: int64(i + 1), Title: title}, RevID: 1,
			Templates: []string{"Vorlage:Größe"}, Links: titles})
		want = append(want, "dewiki:"+title)
	}
	wantNames(t, "transcluders of Vorlage:Größe", h.all(t, query("dewiki", deps.Transcludes, "Vorlage:Größe")), want...)
	for _, title := range titles {
		q := query("dewiki", deps.LinksTo, title)
		q.Limit = 3
		wantNames(t, "linkers of "+title, h.all(t, q), want...)
		p, ok := h.page(t, "dewiki", title)
		if !ok || p.Page.Title != title || !slices.Equal(p.Links, slices.Sorted(slices.Values(titles))) {
			t.Errorf("Page(dewiki, %q) = %+v, %v", title, p, ok)
		}
	}
}

// testTransitiveTransclusion walks transclusion the way the propagation
// engine does: repeated Dependents calls, recursing into templates.
func testTransitiveTransclusion(t *testing.T, h *harness) {
	tpl := func(title string, rev int64, templates ...string) deps.PageDeps {
		p := article("enwiki", title, rev, templates...)
		p.Page.Namespace = deps.NamespaceTemplate
		return p
	}
	mod := article("enwiki", "Module:M", 1)
	mod.Page.Namespace = deps.NamespaceModule
	h.put(t, mod)
	h.put(t, tpl("Template:Inner", 1, "Module:M", "Template:Outer")) // a cycle
	h.put(t, tpl("Template:Outer", 1, "Template:Inner"))
	h.put(t, article("enwiki", "Article", 1, "Template:Outer"))
	h.put(t, article("enwiki", "Bystander", 1, "Template:Elsewhere"))

	seen := map[string]bool{"Module:M": true}
	queue := []string{"Module:M"}
	var reached []string
	for len(queue) > 0 {
		target := queue[0]
		queue = queue[1:]
		q := query("enwiki", deps.Transcludes, target)
		q.Limit = 1
		for _, d := range h.all(t, q) {
			if seen[d.Page.Title] {
				continue
			}
			seen[d.Page.Title] = true
			reached = append(reached, d.Page.Title)
			if d.Page.Namespace.Transcludable() {
				queue = append(queue, d.Page.Title)
			}
		}
	}
	slices.Sort(reached)
	if want := []string{"Article", "Template:Inner", "Template:Outer"}; !slices.Equal(reached, want) {
		t.Errorf("pages reached from Module:M: %q, want %q", reached, want)
	}
}

// testConcurrentRevisions races writers of one page's revisions: the newest
// revision wins and the reverse index agrees with it.
func testConcurrentRevisions(t *testing.T, h *harness) {
	const revs = 24
	var pages []deps.PageDeps
	for rev := int64(1); rev <= revs; rev++ {
		pages = append(pages, article("enwiki", "Hot", rev, fmt.Sprintf("Template:R%02d", rev), "Template:Shared"))
	}
	slices.Reverse(pages[revs/2:])
	h.putAll(t, pages)
	p, _ := h.page(t, "enwiki", "Hot")
	if p.RevID != revs {
		t.Fatalf("stored revision %d, want %d", p.RevID, revs)
	}
	for rev := 1; rev <= revs; rev++ {
		var want []string
		if rev == revs {
			want = []string{"enwiki:Hot"}
		}
		target := fmt.Sprintf("Template:R%02d", rev)
		wantNames(t, "transcluders of "+target, h.all(t, query("enwiki", deps.Transcludes, target)), want...)
	}
	wantNames(t, "transcluders of Template:Shared", h.all(t, query("enwiki", deps.Transcludes, "Template:Shared")), "enwiki:Hot")
}
