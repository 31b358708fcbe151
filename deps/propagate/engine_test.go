package propagate_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/ripplestream/ripple/deps"
	"github.com/ripplestream/ripple/deps/pebblestore"
	"github.com/ripplestream/ripple/deps/propagate"
	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/schemas"
)

func page(ns deps.Namespace, title string) deps.PageRef {
	return deps.PageRef{ID: int64(len(title)), Namespace: ns, Title: title}
}

// wiki builds a small enwiki: two levels of templates, a module, links, a
// file and entity usages.
func wiki(t *testing.T, batch int) (*propagate.Engine, deps.Store) {
	t.Helper()
	store, err := pebblestore.Open(pebblestore.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	ctx := context.Background()
	put := func(p deps.PageDeps) {
		t.Helper()
		p.Wiki, p.RevID = "enwiki", 1
		if _, err := store.PutPage(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	put(deps.PageDeps{Page: page(10, "Template:Infobox_person"), Templates: []string{"Template:Infobox"}})
	put(deps.PageDeps{Page: page(10, "Template:Cite"), Templates: []string{"Module:Citation"}})
	put(deps.PageDeps{Page: page(0, "Douglas_Adams"), Templates: []string{"Template:Infobox_person", "Template:Cite"},
		Entities: []deps.EntityUsage{{ID: "Q42", Aspects: []deps.Aspect{"L.en", "C.P31"}}}})
	put(deps.PageDeps{Page: page(0, "Alan_Turing"), Templates: []string{"Template:Infobox_person"},
		Entities: []deps.EntityUsage{{ID: "Q42", Aspects: []deps.Aspect{"C.P31"}}}})
	put(deps.PageDeps{Page: page(0, "Berlin"), Templates: []string{"Template:Infobox"}, Files: []string{"File:Berlin.jpg"},
		Entities: []deps.EntityUsage{{ID: "Q42", Aspects: []deps.Aspect{"X"}}}})
	put(deps.PageDeps{Page: page(0, "Towel_Day"), Links: []string{"Douglas_Adams", "Missing_page"}})
	e, err := propagate.New(store, propagate.Config{BatchSize: batch})
	if err != nil {
		t.Fatal(err)
	}
	return e, store
}

// propagateAll runs a change to the end, persisting the fan-out as JSON
// between steps as a job does, and returns "rule title" lines, sorted.
func propagateAll(t *testing.T, e *propagate.Engine, c propagate.Change) ([]string, []propagate.Purge) {
	t.Helper()
	ctx := context.Background()
	now, f, err := e.Begin(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	all := append([]propagate.Purge(nil), now...)
	for !f.Done() {
		b, err := json.Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		var resumed propagate.Fanout
		if err := json.Unmarshal(b, &resumed); err != nil {
			t.Fatal(err)
		}
		ps, err := e.Step(ctx, &resumed)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, ps...)
		f = &resumed
	}
	var lines []string
	for _, p := range all {
		lines = append(lines, p.Rule+" "+p.Page.Title)
	}
	slices.Sort(lines)
	return lines, all
}

func edit(ns deps.Namespace, title string) propagate.Change {
	return propagate.Change{Kind: propagate.PageEdit, Wiki: "enwiki", Page: page(ns, title),
		Root: event.RootEvent{Signature: "enwiki:" + title, DT: time.Unix(1, 0)}}
}

func TestRules(t *testing.T) {
	tests := []struct {
		name   string
		change propagate.Change
		want   []string
	}{
		{"article edit purges itself only", edit(0, "Berlin"), []string{"page_edit Berlin"}},
		{"template edit purges transcluders transitively", edit(10, "Template:Infobox"), []string{
			"page_edit Template:Infobox", "transclusion Alan_Turing", "transclusion Berlin",
			"transclusion Douglas_Adams", "transclusion Template:Infobox_person"}},
		{"module edit reaches pages through templates", edit(828, "Module:Citation"), []string{
			"page_edit Module:Citation", "transclusion Douglas_Adams", "transclusion Template:Cite"}},
		{"file overwrite purges users", edit(6, "File:Berlin.jpg"), []string{"page_edit File:Berlin.jpg", "uses_file Berlin"}},
		{"a template's revision visibility change purges the template alone", propagate.Change{Kind: propagate.PageVisibility, Wiki: "enwiki",
			Page: page(10, "Template:Infobox")}, []string{"page_visibility Template:Infobox"}},
		{"page creation purges pages linking to it", propagate.Change{Kind: propagate.PageCreate, Wiki: "enwiki", Page: page(0, "Missing_page")},
			[]string{"links_to Towel_Day", "page_restored Missing_page"}},
		{"label change in en touches L.en and X users only", propagate.Change{Kind: propagate.EntityChange, Wiki: "wikidatawiki",
			Entity: "Q42", Aspects: []deps.Aspect{"L.en"}}, []string{"uses_entity Berlin", "uses_entity Douglas_Adams"}},
		{"statement change touches C.P31 and X users", propagate.Change{Kind: propagate.EntityChange, Wiki: "wikidatawiki",
			Entity: "Q42", Aspects: []deps.Aspect{"C.P31"}}, []string{"uses_entity Alan_Turing", "uses_entity Berlin", "uses_entity Douglas_Adams"}},
		{"label change in de touches X users only", propagate.Change{Kind: propagate.EntityChange, Wiki: "wikidatawiki",
			Entity: "Q42", Aspects: []deps.Aspect{"L.de"}}, []string{"uses_entity Berlin"}},
	}
	for _, tt := range tests {
		for _, batch := range []int{1, 1000} {
			t.Run(fmt.Sprintf("%s/batch=%d", tt.name, batch), func(t *testing.T) {
				e, _ := wiki(t, batch)
				got, _ := propagateAll(t, e, tt.change)
				if !slices.Equal(got, tt.want) {
					t.Fatalf("got  %q\nwant %q", got, tt.want)
				}
			})
		}
	}
}

func TestExplanationPath(t *testing.T) {
	e, _ := wiki(t, 10)
	_, all := propagateAll(t, e, edit(10, "Template:Infobox"))
	for _, p := range all {
		if p.Page.Title != "Douglas_Adams" {
			continue
		}
		want := []string{"edit of enwiki:Template:Infobox", "Template:Infobox_person transcludes Template:Infobox",
			"Douglas_Adams transcludes Template:Infobox_person"}
		if !slices.Equal(p.Path, want) {
			t.Fatalf("path = %q, want %q", p.Path, want)
		}
		return
	}
	t.Fatal("Douglas_Adams not purged")
}

func TestMoveRekeysAndPurgesBothTitles(t *testing.T) {
	e, store := wiki(t, 100)
	got, _ := propagateAll(t, e, propagate.Change{Kind: propagate.PageMove, Wiki: "enwiki",
		Page: page(0, "Douglas_Noel_Adams"), PriorTitle: "Douglas_Adams"})
	want := []string{"links_to Towel_Day", "page_moved Douglas_Adams", "page_restored Douglas_Noel_Adams"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	ctx := context.Background()
	if _, ok, _ := store.Page(ctx, "enwiki", "Douglas_Adams"); ok {
		t.Fatal("old title still has a dependency set")
	}
	p, ok, err := store.Page(ctx, "enwiki", "Douglas_Noel_Adams")
	if err != nil || !ok || !slices.Contains(p.Templates, "Template:Infobox_person") {
		t.Fatalf("new title's set = %+v %v %v", p, ok, err)
	}
	got, _ = propagateAll(t, e, edit(10, "Template:Infobox_person"))
	if !slices.Contains(got, "transclusion Douglas_Noel_Adams") || slices.Contains(got, "transclusion Douglas_Adams") {
		t.Fatalf("after the move, template edit purged %q", got)
	}
}

func TestDeleteForgetsOutgoingKeepsIncoming(t *testing.T) {
	e, _ := wiki(t, 100)
	got, _ := propagateAll(t, e, propagate.Change{Kind: propagate.PageDelete, Wiki: "enwiki", Page: page(0, "Douglas_Adams")})
	if want := []string{"links_to Towel_Day", "page_deleted Douglas_Adams"}; !slices.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	got, _ = propagateAll(t, e, edit(10, "Template:Infobox_person"))
	if slices.Contains(got, "transclusion Douglas_Adams") {
		t.Fatalf("deleted page still purged by its old template: %q", got)
	}
}

func TestTransclusionCycleTerminates(t *testing.T) {
	store, err := pebblestore.Open(pebblestore.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	ctx := context.Background()
	for _, p := range []deps.PageDeps{
		{Wiki: "enwiki", RevID: 1, Page: page(10, "Template:A"), Templates: []string{"Template:B"}},
		{Wiki: "enwiki", RevID: 1, Page: page(10, "Template:B"), Templates: []string{"Template:A"}},
		{Wiki: "enwiki", RevID: 1, Page: page(0, "P"), Templates: []string{"Template:A"}},
	} {
		if _, err := store.PutPage(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	e, _ := propagate.New(store, propagate.Config{})
	got, _ := propagateAll(t, e, edit(10, "Template:A"))
	want := []string{"page_edit Template:A", "transclusion P", "transclusion Template:A", "transclusion Template:B"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestOutputEventsValidate(t *testing.T) {
	repo, err := event.OpenRepositoryFS(schemas.FS())
	if err != nil {
		t.Fatal(err)
	}
	e, _ := wiki(t, 100)
	c := edit(10, "Template:Infobox")
	c.TriggeredBy = "mediawiki.page_change.v1:https://en.wikipedia.org/wiki/Template:Infobox"
	now, f, err := e.Begin(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	rest, err := e.Step(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	targets := propagate.Targets{Sites: propagate.WikimediaSites(), Mobile: true}
	var rerenders int
	for _, p := range append(now, rest...) {
		rcs, rr, err := f.Events(p, targets, time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		path := "/wiki/" + propagate.EncodeTitle(p.Page.Title)
		if len(rcs) != 2 || rcs[0].Meta.URI != "https://en.wikipedia.org"+path || rcs[1].Meta.URI != "https://en.m.wikipedia.org"+path {
			t.Fatalf("purges of %s: %+v, want its desktop and mobile URLs", p.Page.Title, rcs)
		}
		for _, rc := range rcs {
			if rc.Meta.Domain != "en.wikipedia.org" || rc.RootEvent.Signature != "enwiki:Template:Infobox" {
				t.Fatalf("bad purge event: %+v", rc)
			}
		}
		vs := []any{rcs[0], rcs[1]}
		if rr != nil {
			rerenders++
			if rr.Meta.URI != rcs[0].Meta.URI {
				t.Fatalf("page_rerender of %s has meta.uri %s", p.Page.Title, rr.Meta.URI)
			}
			vs = append(vs, rr)
		}
		for _, v := range vs {
			b, _ := json.Marshal(v)
			if err := repo.Validate(b); err != nil {
				t.Fatalf("%s does not validate: %v", b, err)
			}
		}
	}
	if rerenders == 0 {
		t.Fatal("no page_rerender event was checked")
	}
	desktop := propagate.Targets{Sites: propagate.WikimediaSites()}
	if rcs, _, err := f.Events(now[0], desktop, time.Now()); err != nil || len(rcs) != 1 {
		t.Fatalf("without Mobile: %d purges, %v; want the canonical URL alone", len(rcs), err)
	}
	other := now[0]
	other.Wiki = "foundationwiki"
	if _, _, err := f.Events(other, desktop, time.Now()); !errors.Is(err, propagate.ErrUnknownWiki) {
		t.Fatalf("a purge on a wiki missing from the site table: %v, want ErrUnknownWiki", err)
	}
}
