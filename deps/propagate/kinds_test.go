package propagate_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/ripplestream/ripple/deps"
	"github.com/ripplestream/ripple/deps/pebblestore"
	"github.com/ripplestream/ripple/deps/propagate"
)

// capturedDir holds the mediawiki.page_change.v1 events captured on
// test.wikidata.org and commons.wikimedia.org (see testdata/SOURCES.md).
const capturedDir = "testdata/wmf/wikidata-query-rdf/streaming-updater-producer/src/test/resources/page_change_events"

// captured reads a captured page change; edit, if not nil, changes the
// decoded JSON first (for a variant the captures lack).
func captured(t *testing.T, name string, edit func(map[string]any)) propagate.PageChangeEvent {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(capturedDir, name))
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		var doc map[string]any
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		edit(doc)
		if b, err = json.Marshal(doc); err != nil {
			t.Fatal(err)
		}
	}
	var ev propagate.PageChangeEvent
	if err := json.Unmarshal(b, &ev); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return ev
}

// farm stores pages of several wikis around the captured events' pages:
// Q235989 on test.wikidata.org, and two files of Commons, one of which
// dewiki has a file of its own of.
func farm(t *testing.T, batch int, itemRev int64) (*propagate.Engine, deps.Store) {
	t.Helper()
	store, err := pebblestore.Open(pebblestore.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	const jacobaea, iris = "File:Jakobs-Kreuzkraut.jpg", "File:Iris_foetidissima_fruit_(05).jpg"
	pages := []deps.PageDeps{
		{Wiki: "testwikidatawiki", Page: deps.PageRef{ID: 330275, Title: "Q235989"}, RevID: itemRev, Links: []string{"P31"}},
		{Wiki: "testwikidatawiki", Page: deps.PageRef{ID: 1, Title: "Q1"}, RevID: 1, Links: []string{"Q235989"}},
		{Wiki: "commonswiki", Page: deps.PageRef{ID: 2, Namespace: 14, Title: "Category:Jacobaea_vulgaris"}, RevID: 1,
			Links: []string{jacobaea}, Files: []string{jacobaea}},
		{Wiki: "commonswiki", Page: deps.PageRef{ID: 3, Namespace: 14, Title: "Category:Iris_foetidissima"}, RevID: 1, Files: []string{iris}},
		{Wiki: "enwiki", Page: deps.PageRef{ID: 4, Title: "Jacobaea_vulgaris"}, RevID: 1, Files: []string{jacobaea, iris}},
		{Wiki: "frwiki", Page: deps.PageRef{ID: 5, Title: "Iris_fétide"}, RevID: 1, Files: []string{iris}},
		{Wiki: "dewiki", Page: deps.PageRef{ID: 6, Title: "Stinkende_Schwertlilie"}, RevID: 1, Files: []string{iris}},
		{Wiki: "dewiki", Page: deps.PageRef{ID: 7, Namespace: deps.NamespaceFile, Title: iris}, RevID: 1},
	}
	if _, err := deps.PutPages(context.Background(), store, pages); err != nil {
		t.Fatal(err)
	}
	e, err := propagate.New(store, propagate.Config{BatchSize: batch})
	if err != nil {
		t.Fatal(err)
	}
	return e, store
}

// purgeLines runs c to the end and returns "rule wiki:title" of each purge,
// sorted.
func purgeLines(t *testing.T, e *propagate.Engine, c propagate.Change) []string {
	t.Helper()
	_, all := propagateAll(t, e, c)
	lines := []string{}
	for _, p := range all {
		lines = append(lines, fmt.Sprintf("%s %s:%s", p.Rule, p.Wiki, p.Page.Title))
	}
	slices.Sort(lines)
	return lines
}

// TestEveryPageChangeKind runs captured events of every page change kind
// through the engine.
func TestEveryPageChangeKind(t *testing.T) {
	noRedirect := func(doc map[string]any) { delete(doc, "created_redirect_page") }
	tests := []struct {
		name    string
		event   string
		edit    func(map[string]any)
		itemRev int64 // the revision of Q235989 the store holds
		want    []string
	}{
		{"a change of the current revision's visibility purges the page alone", "wikibase/item-visibility-change.json", nil, 686140,
			[]string{"page_visibility testwikidatawiki:Q235989"}},
		{"a change of an older revision's visibility purges nothing", "wikibase/item-visibility-change.json", nil, 686141,
			[]string{}},
		{"a suppressed delete purges the page and its linkers", "wikibase/item-page-suppress.json", nil, 686140,
			[]string{"links_to testwikidatawiki:Q1", "page_deleted testwikidatawiki:Q235989"}},
		{"a delete purges the page and its linkers", "wikibase/item-delete.json", nil, 686140,
			[]string{"links_to testwikidatawiki:Q1", "page_deleted testwikidatawiki:Q235989"}},
		{"an undelete of a suppressed page purges it and its linkers", "wikibase/item-undelete-suppressed.json", nil, 686140,
			[]string{"links_to testwikidatawiki:Q1", "page_restored testwikidatawiki:Q235989"}},
		{"a move that leaves a redirect purges both titles, not the old title's users",
			"mediainfo/move-mediainfo-item.json", nil, 686140, []string{
				"page_moved commonswiki:File:Jakobs-Kreuzkraut.jpg",
				"page_restored commonswiki:File:Jacobaea_vulgaris_-_Jakobs-Kreuzkraut.jpg"}},
		{"a move without a redirect purges the old title's linkers and users on every wiki",
			"mediainfo/move-mediainfo-item.json", noRedirect, 686140, []string{
				"links_to commonswiki:Category:Jacobaea_vulgaris",
				"page_moved commonswiki:File:Jakobs-Kreuzkraut.jpg",
				"page_restored commonswiki:File:Jacobaea_vulgaris_-_Jakobs-Kreuzkraut.jpg",
				"uses_file commonswiki:Category:Jacobaea_vulgaris",
				"uses_file enwiki:Jacobaea_vulgaris"}},
		{"an edit of a Commons file purges its users on wikis without a file of that name",
			"mediainfo/edit-mediainfo-item.json", nil, 686140, []string{
				"page_edit commonswiki:File:Iris_foetidissima_fruit_(05).jpg",
				"uses_file commonswiki:Category:Iris_foetidissima",
				"uses_file enwiki:Jacobaea_vulgaris",
				"uses_file frwiki:Iris_fétide"}},
		{"a deletion of a Commons file purges its users on wikis without a file of that name",
			"mediainfo/edit-mediainfo-item.json", func(doc map[string]any) {
				doc["page_change_kind"], doc["changelog_kind"] = "delete", "delete"
			}, 686140, []string{
				"page_deleted commonswiki:File:Iris_foetidissima_fruit_(05).jpg",
				"uses_file commonswiki:Category:Iris_foetidissima",
				"uses_file enwiki:Jacobaea_vulgaris",
				"uses_file frwiki:Iris_fétide"}},
		{"an edit of a wiki's own file purges its users on that wiki alone",
			"mediainfo/edit-mediainfo-item.json", func(doc map[string]any) {
				doc["wiki_id"] = "dewiki"
			}, 686140, []string{
				"page_edit dewiki:File:Iris_foetidissima_fruit_(05).jpg",
				"uses_file dewiki:Stinkende_Schwertlilie"}},
	}
	for _, tt := range tests {
		for _, batch := range []int{1, 1000} {
			t.Run(fmt.Sprintf("%s/batch=%d", tt.name, batch), func(t *testing.T) {
				e, store := farm(t, batch, tt.itemRev)
				c, err := propagate.FromPageChange(captured(t, tt.event, tt.edit))
				if err != nil {
					t.Fatal(err)
				}
				if got := purgeLines(t, e, c); !slices.Equal(got, tt.want) {
					t.Fatalf("got  %q\nwant %q", got, tt.want)
				}
				if c.Kind == propagate.PageDelete {
					if _, ok, err := store.Page(context.Background(), c.Wiki, c.Page.Title); err != nil || ok {
						t.Errorf("deleted %s:%s still stored (%v)", c.Wiki, c.Page.Title, err)
					}
				}
			})
		}
	}
}
