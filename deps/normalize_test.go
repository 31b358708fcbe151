package deps

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestNormalizeTitle(t *testing.T) {
	for _, c := range []struct {
		in, want string // want "" means invalid
	}{
		{"Douglas Adams", "Douglas_Adams"},
		{"Douglas_Adams", "Douglas_Adams"},
		{"  Leading and  trailing _ ", "Leading_and_trailing"},
		{"Template:Infobox  person", "Template:Infobox_person"},
		{"Größe", "Größe"},
		{"東京", "東京"},
		{"A/B:C.d", "A/B:C.d"},
		{"", ""}, {" ", ""}, {"__", ""},
		{"A|B", ""}, {"A#B", ""}, {"A<B", ""}, {"A>B", ""}, {"A[B", ""}, {"A]B", ""}, {"A{B", ""}, {"A}B", ""},
		{"A\x00B", ""}, {"A\nB", ""}, {"A\x7fB", ""}, {"A\xffB", ""}, {"A\uFFFDB", ""},
		{strings.Repeat("a", MaxTitleBytes+1), ""},
	} {
		got, err := NormalizeTitle(c.in)
		if c.want == "" {
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("NormalizeTitle(%q) = %q, %v; want ErrInvalid", c.in, got, err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("NormalizeTitle(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

func TestValidateWiki(t *testing.T) {
	for wiki, ok := range map[string]bool{
		"enwiki": true, "be_x_oldwiki": true, "test2wiki": true, "zh-min-nan": true,
		"": false, "en wiki": false, "en|wiki": false, "enwiki\x00": false, strings.Repeat("a", MaxWikiBytes+1): false,
	} {
		if err := ValidateWiki(wiki); (err == nil) != ok {
			t.Errorf("ValidateWiki(%q) = %v, want ok=%v", wiki, err, ok)
		}
	}
}

func TestEntityIDValidate(t *testing.T) {
	for id, ok := range map[EntityID]bool{
		"Q42": true, "P31": true, "L7": true, "L7-F1": true, "L7-S12": true, "M100": true,
		"": false, "Q": false, "Q0": false, "Q042": false, "q42": false, "Q42-": false, "Q42-f1": false,
		"Q4 2": false, "Q42-F1-F2": false, "QQ42": false,
	} {
		if err := id.Validate(); (err == nil) != ok {
			t.Errorf("EntityID(%q).Validate() = %v, want ok=%v", id, err, ok)
		}
	}
}

func TestPageDepsNormalize(t *testing.T) {
	in := PageDeps{
		Wiki: "enwiki", Page: PageRef{ID: 3, Namespace: NamespaceTemplate, Title: "Template:Box  top"}, RevID: 7,
		Templates: []string{"Template:B", "Template:A", "Template:B"},
		Links:     nil,
		Files:     []string{"File:X y.png"},
		Entities: []EntityUsage{
			{ID: "Q2", Aspects: []Aspect{"L.DE"}},
			{ID: "Q1", Aspects: []Aspect{"S"}},
			{ID: "Q2", Aspects: []Aspect{"S", "L.de"}},
			{ID: "Q3"},
		},
	}
	want := PageDeps{
		Wiki: "enwiki", Page: PageRef{ID: 3, Namespace: NamespaceTemplate, Title: "Template:Box_top"}, RevID: 7,
		Templates: []string{"Template:A", "Template:B"},
		Links:     []string{},
		Files:     []string{"File:X_y.png"},
		Entities:  []EntityUsage{{ID: "Q1", Aspects: []Aspect{"S"}}, {ID: "Q2", Aspects: []Aspect{"L.de", "S"}}},
	}
	got, err := in.Normalize(CollapseLimits{})
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("Normalize = %+v, %v\nwant %+v", got, err, want)
	}
	again, err := got.Normalize(CollapseLimits{})
	if err != nil || !reflect.DeepEqual(again, got) {
		t.Errorf("Normalize is not idempotent: %+v, %v", again, err)
	}
	for name, edit := range map[string]func(*PageDeps){
		"rev 0":          func(p *PageDeps) { p.RevID = 0 },
		"negative id":    func(p *PageDeps) { p.Page.ID = -1 },
		"bad wiki":       func(p *PageDeps) { p.Wiki = "a b" },
		"bad link":       func(p *PageDeps) { p.Links = []string{"[[x]]"} },
		"bad entity":     func(p *PageDeps) { p.Entities = []EntityUsage{{ID: "X1-"}} },
		"bad aspect":     func(p *PageDeps) { p.Entities = []EntityUsage{{ID: "Q1", Aspects: []Aspect{"C.P"}}} },
		"empty template": func(p *PageDeps) { p.Templates = []string{" "} },
	} {
		p := in
		edit(&p)
		if _, err := p.Normalize(CollapseLimits{}); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: Normalize = %v, want ErrInvalid", name, err)
		}
	}
}

func TestDiff(t *testing.T) {
	norm := func(p PageDeps) PageDeps {
		t.Helper()
		p.Wiki, p.Page.Title, p.RevID = "w", "P", 1
		n, err := p.Normalize(CollapseLimits{})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	prev := norm(PageDeps{Templates: []string{"T:A", "T:B"}, Links: []string{"X"},
		Entities: []EntityUsage{{ID: "Q1", Aspects: []Aspect{"S", "L.en"}}, {ID: "Q2", Aspects: []Aspect{"O"}}}})
	next := norm(PageDeps{Templates: []string{"T:B", "T:C"}, Files: []string{"F:Y"},
		Entities: []EntityUsage{{ID: "Q1", Aspects: []Aspect{"S", "C.P31"}}, {ID: "Q3", Aspects: []Aspect{"X"}}}})
	added, removed := Diff(prev, next)
	wantAdded := []Edge{{Kind: Transcludes, Target: "T:C"}, {Kind: UsesFile, Target: "F:Y"},
		{Kind: UsesEntity, Target: "Q1", Aspects: []Aspect{"C.P31"}}, {Kind: UsesEntity, Target: "Q3", Aspects: []Aspect{"X"}}}
	wantRemoved := []Edge{{Kind: Transcludes, Target: "T:A"}, {Kind: LinksTo, Target: "X"},
		{Kind: UsesEntity, Target: "Q1", Aspects: []Aspect{"L.en"}}, {Kind: UsesEntity, Target: "Q2", Aspects: []Aspect{"O"}}}
	if !reflect.DeepEqual(added, wantAdded) || !reflect.DeepEqual(removed, wantRemoved) {
		t.Errorf("Diff:\nadded   %v\nwant    %v\nremoved %v\nwant    %v", added, wantAdded, removed, wantRemoved)
	}
	if a, r := Diff(next, next); a != nil || r != nil {
		t.Errorf("Diff of equal sets: %v, %v", a, r)
	}
	if a, r := Diff(PageDeps{}, next); !reflect.DeepEqual(a, next.Edges()) || r != nil {
		t.Errorf("Diff from nothing: %v, %v", a, r)
	}
	if got := PageDepsFromEdges("w", next.Page, 1, next.Edges()); !reflect.DeepEqual(got, next) {
		t.Errorf("PageDepsFromEdges(Edges()) = %+v, want %+v", got, next)
	}
}

func TestQueryNormalize(t *testing.T) {
	good := []Query{
		{Wiki: "enwiki", Edge: Transcludes, Target: "Template:Box top"},
		{Edge: UsesEntity, Target: "Q42", Aspects: []Aspect{"L.EN"}},
		{Wiki: "enwiki", Edge: UsesEntity, Target: "Q42", Limit: MaxLimit},
	}
	for _, q := range good {
		n, err := q.Normalize()
		if err != nil {
			t.Errorf("Normalize(%+v): %v", q, err)
			continue
		}
		if q.Limit == 0 && n.Limit != DefaultLimit {
			t.Errorf("Normalize(%+v).Limit = %d, want %d", q, n.Limit, DefaultLimit)
		}
	}
	if n, _ := good[0].Normalize(); n.Target != "Template:Box_top" {
		t.Errorf("target not normalized: %q", n.Target)
	}
	if n, _ := good[1].Normalize(); !reflect.DeepEqual(n.Aspects, []Aspect{"L.en"}) {
		t.Errorf("aspects not canonical: %q", n.Aspects)
	}
	bad := []Query{
		{Wiki: "enwiki", Target: "X"},
		{Edge: LinksTo, Target: "X"},
		{Wiki: "enwiki", Edge: LinksTo, Target: "X", Aspects: []Aspect{"S"}},
		{Wiki: "enwiki", Edge: UsesEntity, Target: "X"},
		{Wiki: "enwiki", Edge: UsesEntity, Target: "Q1", Aspects: []Aspect{"Q"}},
		{Wiki: "enwiki", Edge: LinksTo, Target: "X", Limit: MaxLimit + 1},
	}
	for _, q := range bad {
		if _, err := q.Normalize(); !errors.Is(err, ErrInvalid) {
			t.Errorf("Normalize(%+v) = %v, want ErrInvalid", q, err)
		}
	}
}

func TestEdgeKindString(t *testing.T) {
	want := []string{"transcludes", "links_to", "uses_file", "uses_entity"}
	for i, k := range EdgeKinds() {
		if k.String() != want[i] || !k.Valid() {
			t.Errorf("EdgeKind %d: %q valid=%v", k, k, k.Valid())
		}
	}
	if EdgeKind(0).Valid() || EdgeKind(5).Valid() || EdgeKind(5).String() != "EdgeKind(5)" {
		t.Error("invalid edge kinds pass")
	}
}
