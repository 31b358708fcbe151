package depstest

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/ripplestream/ripple/deps"
)

// usesQ42 returns page title of enwiki using Q42 in aspects.
func usesQ42(title string, aspects ...deps.Aspect) deps.PageDeps {
	return deps.PageDeps{Wiki: "enwiki", Page: deps.PageRef{ID: 1, Title: title}, RevID: 1,
		Entities: []deps.EntityUsage{{ID: "Q42", Aspects: aspects}}}
}

func testEntityAspects(t *testing.T, h *harness) {
	for _, p := range []deps.PageDeps{
		usesQ42("LabelEn", "L.en"),
		usesQ42("LabelDe", "L.de"),
		usesQ42("AllLabels", "L"),
		usesQ42("Everything", "X"),
		usesQ42("P31", "C.P31"),
		usesQ42("P18", "C.P18"),
		usesQ42("AllStatements", "C"),
		usesQ42("Sitelinks", "S"),
		usesQ42("Title", "T"),
		usesQ42("Other", "O"),
		usesQ42("DescEn", "D.en"),
		usesQ42("Mixed", "S", "L.en", "C.P31"),
	} {
		h.put(t, p)
	}
	h.put(t, deps.PageDeps{Wiki: "enwiki", Page: deps.PageRef{ID: 2, Title: "OtherEntity"}, RevID: 1,
		Entities: []deps.EntityUsage{{ID: "Q43", Aspects: []deps.Aspect{"X"}}}})
	every := []string{"LabelEn", "LabelDe", "AllLabels", "Everything", "P31", "P18", "AllStatements",
		"Sitelinks", "Title", "Other", "DescEn", "Mixed"}
	for _, c := range []struct {
		changed []deps.Aspect
		want    []string
	}{
		{[]deps.Aspect{"L.en"}, []string{"LabelEn", "AllLabels", "Everything", "Mixed"}},
		{[]deps.Aspect{"L.EN"}, []string{"LabelEn", "AllLabels", "Everything", "Mixed"}},
		{[]deps.Aspect{"L"}, []string{"LabelEn", "LabelDe", "AllLabels", "Everything", "Mixed"}},
		{[]deps.Aspect{"C.P31"}, []string{"P31", "AllStatements", "Everything", "Mixed"}},
		{[]deps.Aspect{"C"}, []string{"P31", "P18", "AllStatements", "Everything", "Mixed"}},
		{[]deps.Aspect{"S"}, []string{"Sitelinks", "Everything", "Mixed"}},
		{[]deps.Aspect{"S", "T"}, []string{"Sitelinks", "Title", "Everything", "Mixed"}},
		{[]deps.Aspect{"O"}, []string{"Other", "Everything"}},
		{[]deps.Aspect{"D.de"}, []string{"Everything"}},
		{[]deps.Aspect{"L.fr", "C.P18"}, []string{"AllLabels", "P18", "AllStatements", "Everything"}},
		{[]deps.Aspect{"X"}, every},
		{nil, every},
	} {
		got := h.all(t, query("enwiki", deps.UsesEntity, "Q42", c.changed...))
		want := make([]string, len(c.want))
		for i, w := range c.want {
			want[i] = "enwiki:" + w
		}
		wantNames(t, fmt.Sprintf("Q42 changed in %v", c.changed), got, want...)
	}

	matched := map[string][]deps.Aspect{}
	for _, d := range h.all(t, query("enwiki", deps.UsesEntity, "Q42", "L.en", "S")) {
		matched[d.Page.Title] = d.Aspects
	}
	if got, want := matched["Mixed"], []deps.Aspect{"L.en", "S"}; !reflect.DeepEqual(got, want) {
		t.Errorf("matched aspects of Mixed for change [L.en S]: %v, want %v", got, want)
	}
	if got, want := matched["AllLabels"], []deps.Aspect{"L"}; !reflect.DeepEqual(got, want) {
		t.Errorf("matched aspects of AllLabels: %v, want %v", got, want)
	}
	for _, d := range h.all(t, query("enwiki", deps.UsesEntity, "Q42")) {
		if d.Page.Title == "Mixed" && !reflect.DeepEqual(d.Aspects, []deps.Aspect{"C.P31", "L.en", "S"}) {
			t.Errorf("unfiltered aspects of Mixed: %v, want all three", d.Aspects)
		}
	}
}

// testAspectChangesOfOneUsage checks that a new revision changing only the
// aspects of a usage updates the reverse index.
func testAspectChangesOfOneUsage(t *testing.T, h *harness) {
	h.put(t, usesQ42("P", "C.P31"))
	p := usesQ42("P", "L.en")
	p.RevID = 2
	r := h.put(t, p)
	if got, want := edges(r.Added)+" / "+edges(r.Removed), "uses_entity Q42 [L.en] / uses_entity Q42 [C.P31]"; got != want {
		t.Errorf("added / removed: %s, want %s", got, want)
	}
	wantNames(t, "C.P31 users after the usage moved to L.en", h.all(t, query("enwiki", deps.UsesEntity, "Q42", "C.P31")))
	wantNames(t, "L.en users", h.all(t, query("enwiki", deps.UsesEntity, "Q42", "L.en")), "enwiki:P")
}

func testCollapse(t *testing.T, h *harness) {
	langs := func(base string, n int) []deps.Aspect {
		var out []deps.Aspect
		for i := range n {
			out = append(out, deps.Aspect(fmt.Sprintf("%s.l%02d", base, i)))
		}
		return out
	}
	var props []deps.Aspect
	for i := range 34 {
		props = append(props, deps.Aspect(fmt.Sprintf("C.P%d", i+1)))
	}
	cases := []struct {
		id   deps.EntityID
		in   []deps.Aspect
		want []deps.Aspect
	}{
		{"Q1", langs("L", 11), []deps.Aspect{"L"}},
		{"Q2", langs("L", 10), langs("L", 10)},
		{"Q3", append(langs("D", 11), "L.en"), []deps.Aspect{"D", "L.en"}},
		{"Q4", props, []deps.Aspect{"C"}},
		{"Q5", props[:33], nil},
		{"Q6", []deps.Aspect{"X", "S", "L.en"}, []deps.Aspect{"X"}},
		{"Q7", []deps.Aspect{"L", "L.en", "C.P31"}, []deps.Aspect{"C.P31", "L"}},
	}
	p := deps.PageDeps{Wiki: "enwiki", Page: deps.PageRef{ID: 1, Title: "Many"}, RevID: 1}
	for _, c := range cases {
		p.Entities = append(p.Entities, deps.EntityUsage{ID: c.id, Aspects: c.in})
	}
	h.put(t, p)
	got, _ := h.page(t, "enwiki", "Many")
	stored := map[deps.EntityID][]deps.Aspect{}
	for _, e := range got.Entities {
		stored[e.ID] = e.Aspects
	}
	for _, c := range cases {
		want := c.want
		if want == nil {
			want = deps.Collapse(c.in, deps.CollapseLimits{})
		}
		if !reflect.DeepEqual(stored[c.id], want) {
			t.Errorf("%s stored as %v, want %v", c.id, stored[c.id], want)
		}
	}
	wantNames(t, "Q1 (collapsed to L) on a label change in a language never used",
		h.all(t, query("enwiki", deps.UsesEntity, "Q1", "L.zz")), "enwiki:Many")
	wantNames(t, "Q2 (not collapsed) on a label change in a language never used",
		h.all(t, query("enwiki", deps.UsesEntity, "Q2", "L.zz")))
}
