package depstest

import (
	"reflect"
	"testing"

	"github.com/ripplestream/ripple/deps"
)

func testPutAndGet(t *testing.T, h *harness) {
	in := deps.PageDeps{
		Wiki:      "enwiki",
		Page:      deps.PageRef{ID: 8091, Namespace: deps.NamespaceMain, Title: "Douglas Adams"},
		RevID:     1249327111,
		Templates: []string{"Template:Infobox writer", "Module:Citation/CS1", "Template:Cite_web", "Template:Infobox_writer"},
		Links:     []string{"The_Hitchhiker's_Guide_to_the_Galaxy", "Cambridge"},
		Files:     []string{"File:Douglas_adams_portrait_cropped.jpg"},
		Entities: []deps.EntityUsage{
			{ID: "Q42", Aspects: []deps.Aspect{"S", "L.EN", "C.P18"}},
			{ID: "Q5", Aspects: []deps.Aspect{"L.en"}},
			{ID: "Q42", Aspects: []deps.Aspect{"S"}},
			{ID: "Q1", Aspects: nil}, // no aspect: no usage
		},
	}
	want := deps.PageDeps{
		Wiki:      "enwiki",
		Page:      deps.PageRef{ID: 8091, Namespace: deps.NamespaceMain, Title: "Douglas_Adams"},
		RevID:     1249327111,
		Templates: []string{"Module:Citation/CS1", "Template:Cite_web", "Template:Infobox_writer"},
		Links:     []string{"Cambridge", "The_Hitchhiker's_Guide_to_the_Galaxy"},
		Files:     []string{"File:Douglas_adams_portrait_cropped.jpg"},
		Entities: []deps.EntityUsage{
			{ID: "Q42", Aspects: []deps.Aspect{"C.P18", "L.en", "S"}},
			{ID: "Q5", Aspects: []deps.Aspect{"L.en"}},
		},
	}
	r := h.put(t, in)
	if !r.Applied || r.PrevRevID != 0 || len(r.Removed) != 0 {
		t.Errorf("first put: %+v, want applied with no previous revision and nothing removed", r)
	}
	if got, wantEdges := edges(r.Added), edges(want.Edges()); got != wantEdges {
		t.Errorf("first put added %s, want %s", got, wantEdges)
	}
	for _, title := range []string{"Douglas_Adams", "Douglas Adams"} {
		got, ok := h.page(t, "enwiki", title)
		if !ok || !reflect.DeepEqual(got, want) {
			t.Errorf("Page(enwiki, %q) = %+v, %v; want %+v", title, got, ok, want)
		}
	}
	if _, ok := h.page(t, "enwiki", "Nobody"); ok {
		t.Error("Page of a page never stored: found")
	}
	if _, ok := h.page(t, "dewiki", "Douglas_Adams"); ok {
		t.Error("Page of another wiki: found")
	}
	wantNames(t, "transcluders of Module:Citation/CS1",
		h.all(t, query("enwiki", deps.Transcludes, "Module:Citation/CS1")), "enwiki:Douglas_Adams")

	// Reopening keeps everything.
	h.reopen(t)
	if got, ok := h.page(t, "enwiki", "Douglas_Adams"); !ok || !reflect.DeepEqual(got, want) {
		t.Errorf("after reopen: Page = %+v, %v; want %+v", got, ok, want)
	}
}

func testNewerRevisionReplaces(t *testing.T, h *harness) {
	p := deps.PageDeps{Wiki: "enwiki", Page: deps.PageRef{ID: 1, Title: "P"}, RevID: 1,
		Templates: []string{"Template:A", "Template:B"}, Links: []string{"X"},
		Entities: []deps.EntityUsage{{ID: "Q1", Aspects: []deps.Aspect{"S"}}}}
	h.put(t, p)
	p.RevID = 2
	p.Templates = []string{"Template:B", "Template:C"}
	p.Links = nil
	p.Entities = []deps.EntityUsage{{ID: "Q1", Aspects: []deps.Aspect{"S", "L.en"}}, {ID: "Q2", Aspects: []deps.Aspect{"O"}}}
	r := h.put(t, p)
	if !r.Applied || r.PrevRevID != 1 {
		t.Errorf("newer put: %+v, want applied over rev 1", r)
	}
	if got, want := edges(r.Added), "transcludes Template:C; uses_entity Q1 [L.en]; uses_entity Q2 [O]"; got != want {
		t.Errorf("added %s, want %s", got, want)
	}
	if got, want := edges(r.Removed), "transcludes Template:A; links_to X"; got != want {
		t.Errorf("removed %s, want %s", got, want)
	}
	wantNames(t, "transcluders of removed Template:A", h.all(t, query("enwiki", deps.Transcludes, "Template:A")))
	wantNames(t, "transcluders of kept Template:B", h.all(t, query("enwiki", deps.Transcludes, "Template:B")), "enwiki:P")
	wantNames(t, "transcluders of added Template:C", h.all(t, query("enwiki", deps.Transcludes, "Template:C")), "enwiki:P")
	wantNames(t, "linkers of removed link X", h.all(t, query("enwiki", deps.LinksTo, "X")))
	got := h.all(t, query("enwiki", deps.UsesEntity, "Q1", "L.en"))
	if len(got) != 1 || !reflect.DeepEqual(got[0].Aspects, []deps.Aspect{"L.en"}) {
		t.Errorf("L.en users of Q1 after the aspect was added: %+v", got)
	}
	// The same edges under a newer revision: applied, nothing added or removed.
	p.RevID = 3
	if r := h.put(t, p); !r.Applied || len(r.Added)+len(r.Removed) != 0 {
		t.Errorf("unchanged newer revision: %+v, want applied with no edge changes", r)
	}
	if got, _ := h.page(t, "enwiki", "P"); got.RevID != 3 {
		t.Errorf("stored revision %d, want 3", got.RevID)
	}
}

func testOlderRevisionIgnored(t *testing.T, h *harness) {
	h.put(t, article("enwiki", "P", 5, "Template:New"))
	for _, rev := range []int64{3, 5} {
		r := h.put(t, article("enwiki", "P", rev, "Template:Old"))
		if r.Applied || r.PrevRevID != 5 || len(r.Added)+len(r.Removed) != 0 {
			t.Errorf("put of rev %d over rev 5: %+v, want ignored", rev, r)
		}
	}
	got, _ := h.page(t, "enwiki", "P")
	if got.RevID != 5 || !reflect.DeepEqual(got.Templates, []string{"Template:New"}) {
		t.Errorf("stored %+v, want rev 5 with Template:New", got)
	}
	wantNames(t, "transcluders of Template:Old", h.all(t, query("enwiki", deps.Transcludes, "Template:Old")))
}

func testDelete(t *testing.T, h *harness) {
	h.put(t, deps.PageDeps{Wiki: "enwiki", Page: deps.PageRef{ID: 1, Title: "A"}, RevID: 1, Links: []string{"B"}})
	h.put(t, article("enwiki", "B", 9, "Template:T"))
	r, err := h.store.DeletePage(h.ctx, "enwiki", "B")
	if err != nil {
		t.Fatalf("DeletePage: %v", err)
	}
	if !r.Applied || r.PrevRevID != 9 || edges(r.Removed) != "transcludes Template:T" || len(r.Added) != 0 {
		t.Errorf("DeletePage result %+v, want applied, prev 9, removed Template:T", r)
	}
	if _, ok := h.page(t, "enwiki", "B"); ok {
		t.Error("deleted page still found")
	}
	wantNames(t, "transcluders of Template:T after delete", h.all(t, query("enwiki", deps.Transcludes, "Template:T")))
	wantNames(t, "linkers of the deleted title", h.all(t, query("enwiki", deps.LinksTo, "B")), "enwiki:A")

	if r, err := h.store.DeletePage(h.ctx, "enwiki", "B"); err != nil || r.Applied {
		t.Errorf("second DeletePage = %+v, %v; want not applied, no error", r, err)
	}
	// Undelete: an older revision than the one deleted applies.
	if r := h.put(t, article("enwiki", "B", 4, "Template:T")); !r.Applied || r.PrevRevID != 0 {
		t.Errorf("put after delete: %+v, want applied with no previous revision", r)
	}
	wantNames(t, "transcluders after undelete", h.all(t, query("enwiki", deps.Transcludes, "Template:T")), "enwiki:B")
}

func testEdgeKinds(t *testing.T, h *harness) {
	h.put(t, deps.PageDeps{Wiki: "enwiki", Page: deps.PageRef{ID: 11, Namespace: deps.NamespaceMain, Title: "P"}, RevID: 1,
		Templates: []string{"Template:X"}, Links: []string{"X"}, Files: []string{"File:X.jpg"},
		Entities: []deps.EntityUsage{{ID: "Q1", Aspects: []deps.Aspect{"S"}}}})
	h.put(t, deps.PageDeps{Wiki: "enwiki", Page: deps.PageRef{ID: 12, Namespace: 4, Title: "Project:Q"}, RevID: 1,
		Links: []string{"Template:X", "File:X.jpg"}})
	for _, c := range []struct {
		kind   deps.EdgeKind
		target string
		want   []string
	}{
		{deps.Transcludes, "Template:X", []string{"enwiki:P"}},
		{deps.LinksTo, "Template:X", []string{"enwiki:Project:Q"}},
		{deps.LinksTo, "X", []string{"enwiki:P"}},
		{deps.UsesFile, "File:X.jpg", []string{"enwiki:P"}},
		{deps.LinksTo, "File:X.jpg", []string{"enwiki:Project:Q"}},
		{deps.Transcludes, "File:X.jpg", nil},
		{deps.UsesFile, "Template:X", nil},
		{deps.UsesEntity, "Q1", []string{"enwiki:P"}},
	} {
		got := h.all(t, query("enwiki", c.kind, c.target))
		wantNames(t, c.kind.String()+" "+c.target, got, c.want...)
		for _, d := range got {
			if d.Edge != c.kind || d.Target != c.target {
				t.Errorf("%s %s: dependent names edge %s %s", c.kind, c.target, d.Edge, d.Target)
			}
		}
	}
	got := h.all(t, query("enwiki", deps.LinksTo, "File:X.jpg"))
	if len(got) == 1 && (got[0].Page.ID != 12 || got[0].Page.Namespace != 4) {
		t.Errorf("dependent page ref %+v, want id 12 in namespace 4", got[0].Page)
	}

	// A new page that links to itself, and to one title through two kinds.
	h.put(t, deps.PageDeps{Wiki: "enwiki", Page: deps.PageRef{ID: 13, Title: "Selfie"}, RevID: 1,
		Templates: []string{"Template:Both"}, Links: []string{"Selfie", "Template:Both"}})
	wantNames(t, "linkers of Selfie", h.all(t, query("enwiki", deps.LinksTo, "Selfie")), "enwiki:Selfie")
	wantNames(t, "transcluders of Template:Both", h.all(t, query("enwiki", deps.Transcludes, "Template:Both")), "enwiki:Selfie")
	wantNames(t, "linkers of Template:Both", h.all(t, query("enwiki", deps.LinksTo, "Template:Both")), "enwiki:Selfie")
	if p, ok := h.page(t, "enwiki", "Selfie"); !ok || len(p.Links) != 2 {
		t.Errorf("Page(Selfie) = %+v, %v", p, ok)
	}
}
