package propagate_test

import (
	"context"
	"slices"
	"testing"

	"github.com/ripplestream/ripple/deps"
	"github.com/ripplestream/ripple/deps/pebblestore"
	"github.com/ripplestream/ripple/deps/propagate"
)

// documentedWiki builds a wiki whose Template:Infobox renders
// Template:Documentation on its own page only (<noinclude>) and passes
// Module:Infobox on only (<includeonly>); Template:Infobox_person
// transcludes it, and two articles that one.
func documentedWiki(t *testing.T) (*propagate.Engine, deps.Store, func(deps.PageDeps)) {
	t.Helper()
	store, err := pebblestore.Open(pebblestore.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	put := func(p deps.PageDeps) {
		t.Helper()
		p.Wiki = "enwiki"
		if p.RevID == 0 {
			p.RevID = 1
		}
		if _, err := store.PutPage(context.Background(), p); err != nil {
			t.Fatal(err)
		}
	}
	put(deps.PageDeps{Page: page(10, "Template:Infobox"), Templates: []string{"Template:Documentation", "Template:Box"},
		PassesOn: &deps.Sets{Templates: []string{"Template:Box", "Module:Infobox"}}, Digest: "aa"})
	put(deps.PageDeps{Page: page(10, "Template:Infobox_person"), Templates: []string{"Template:Infobox", "Template:Documentation"},
		PassesOn: &deps.Sets{Templates: []string{"Template:Infobox"}}, Digest: "bb"})
	put(deps.PageDeps{Page: page(10, "Template:Documentation"), Digest: "cc"})
	put(deps.PageDeps{Page: page(0, "Douglas_Adams"), Templates: []string{"Template:Infobox_person"}})
	put(deps.PageDeps{Page: page(0, "Alan_Turing"), Templates: []string{"Template:Infobox_person"}})
	e, err := propagate.New(store, propagate.Config{BatchSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	return e, store, put
}

// TestTransclusionScopes checks that transitive steps follow only what a
// template passes on, and that a page's own edges still purge the page.
func TestTransclusionScopes(t *testing.T) {
	e, _, _ := documentedWiki(t)
	for _, c := range []struct {
		name   string
		change propagate.Change
		want   []string
	}{
		{"documentation purges the templates' own pages only", edit(10, "Template:Documentation"), []string{
			"page_edit Template:Documentation", "transclusion Template:Infobox", "transclusion Template:Infobox_person"}},
		{"includeonly module purges transcluders, not the template's page", edit(828, "Module:Infobox"), []string{
			"page_edit Module:Infobox", "transclusion Alan_Turing", "transclusion Douglas_Adams", "transclusion Template:Infobox_person"}},
		{"a template both render and pass on purges all", edit(10, "Template:Box"), []string{
			"page_edit Template:Box", "transclusion Alan_Turing", "transclusion Douglas_Adams",
			"transclusion Template:Infobox", "transclusion Template:Infobox_person"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, all := propagateAll(t, e, c.change)
			if !slices.Equal(got, c.want) {
				t.Fatalf("got  %q\nwant %q", got, c.want)
			}
			for _, p := range all {
				if p.Page.Title == "Alan_Turing" && c.change.Page.Title == "Module:Infobox" {
					want := []string{"edit of enwiki:Module:Infobox", "Template:Infobox transcludes Module:Infobox (passes_on)",
						"Template:Infobox_person transcludes Template:Infobox", "Alan_Turing transcludes Template:Infobox_person"}
					if !slices.Equal(p.Path, want) {
						t.Errorf("path %q, want %q", p.Path, want)
					}
				}
			}
		})
	}
}

// TestEditThatPassesOnNothingNew checks the digest: an edit of a template
// whose stored dependencies show it passes on what the revision before it
// did purges only the template's page; one that changed it, or one whose
// dependencies have not arrived, or without a digest, purges transcluders.
func TestEditThatPassesOnNothingNew(t *testing.T) {
	e, _, put := documentedWiki(t)
	infobox := func(rev int64, digest string) deps.PageDeps {
		return deps.PageDeps{Page: page(10, "Template:Infobox"), RevID: rev, Templates: []string{"Template:Documentation", "Template:Box"},
			PassesOn: &deps.Sets{Templates: []string{"Template:Box", "Module:Infobox"}}, Digest: digest}
	}
	editRev := func(rev int64) propagate.Change {
		c := edit(10, "Template:Infobox")
		c.RevID = rev
		return c
	}
	all := []string{"page_edit Template:Infobox", "transclusion Alan_Turing", "transclusion Douglas_Adams", "transclusion Template:Infobox_person"}
	self := []string{"page_edit Template:Infobox"}
	steps := []struct {
		name string
		put  *deps.PageDeps // stored before the edit arrives
		rev  int64
		want []string
	}{
		{"dependencies of the edit not stored yet", nil, 2, all},
		{"documentation edited: same digest", ptr(infobox(2, "aa")), 2, self},
		{"transcluded part edited", ptr(infobox(3, "dd")), 3, all},
		{"edit without a revision id", nil, 0, all},
		{"same digest again", ptr(infobox(4, "dd")), 4, self},
		{"an older edit, after a newer one changed the digest", ptr(infobox(5, "ee")), 4, all},
		{"no digest (1.0.0 event)", ptr(infobox(6, "")), 6, all},
	}
	for _, s := range steps {
		if s.put != nil {
			put(*s.put)
		}
		if got, _ := propagateAll(t, e, editRev(s.rev)); !slices.Equal(got, s.want) {
			t.Errorf("%s: got %q, want %q", s.name, got, s.want)
		}
	}
}

func ptr[T any](v T) *T { return &v }

// TestFromPageChangeRevision checks that an edit carries its revision, which
// the digest check needs.
func TestFromPageChangeRevision(t *testing.T) {
	var ev propagate.PageChangeEvent
	ev.WikiID, ev.PageChangeKind = "enwiki", "edit"
	ev.Page.PageTitle, ev.Page.NamespaceID = "Template:Infobox", 10
	ev.Revision.RevID = 42
	c, err := propagate.FromPageChange(ev)
	if err != nil || c.RevID != 42 || c.Page.Namespace != deps.NamespaceTemplate {
		t.Fatalf("FromPageChange = %+v, %v; want rev 42 of a template", c, err)
	}
}
