package deps

import (
	"errors"
	"reflect"
	"testing"
)

// TestScopedEdges checks that a page's own sets and what it passes on
// merge into one edge per target with its scope, that the merge reads
// back (PageDepsFromEdges), and that Normalize keeps one form: no PassesOn
// when it equals the own sets.
func TestScopedEdges(t *testing.T) {
	p := PageDeps{Wiki: "enwiki", Page: PageRef{Namespace: NamespaceTemplate, Title: "Template:Infobox"}, RevID: 3,
		Templates: []string{"Template:Documentation", "Template:Box"},
		Links:     []string{"Help:Infobox"},
		Entities:  []EntityUsage{{ID: "Q1", Aspects: []Aspect{"L.en"}}},
		PassesOn: &Sets{Templates: []string{"Template:Box", "Module:Infobox"},
			Entities: []EntityUsage{{ID: "Q1", Aspects: []Aspect{"C.P31"}}, {ID: "Q2", Aspects: []Aspect{"S"}}}},
		Digest: "00ff",
	}
	n, err := p.Normalize(CollapseLimits{})
	if err != nil {
		t.Fatal(err)
	}
	want := []Edge{
		{Kind: Transcludes, Target: "Module:Infobox", Scope: ScopePassesOn},
		{Kind: Transcludes, Target: "Template:Box"},
		{Kind: Transcludes, Target: "Template:Documentation", Scope: ScopeOwn},
		{Kind: LinksTo, Target: "Help:Infobox", Scope: ScopeOwn},
		{Kind: UsesEntity, Target: "Q1", Aspects: []Aspect{"C.P31", "L.en"}},
		{Kind: UsesEntity, Target: "Q2", Aspects: []Aspect{"S"}, Scope: ScopePassesOn},
	}
	if got := n.Edges(); !reflect.DeepEqual(got, want) {
		t.Errorf("Edges:\n got %v\nwant %v", got, want)
	}
	if n.Digest != "00ff" || n.PassesOn == nil {
		t.Errorf("Normalize lost the digest or PassesOn: %+v", n)
	}
	back := PageDepsFromEdges(n.Wiki, n.Page, n.RevID, n.Edges())
	back.Digest = n.Digest
	if !reflect.DeepEqual(back, n) {
		t.Errorf("PageDepsFromEdges(Edges()):\n got %+v\nwant %+v", back, n)
	}

	same := PageDeps{Wiki: "enwiki", Page: PageRef{Title: "A"}, RevID: 1, Templates: []string{"Template:X"},
		PassesOn: &Sets{Templates: []string{"Template:X"}}}
	if n, err := same.Normalize(CollapseLimits{}); err != nil || n.PassesOn != nil {
		t.Errorf("Normalize of equal sets = %+v, %v; want PassesOn nil", n.PassesOn, err)
	}
	for _, d := range []string{"00FF", "xyz", string(make([]byte, MaxDigestBytes+1))} {
		bad := same
		bad.Digest = d
		if _, err := bad.Normalize(CollapseLimits{}); !errors.Is(err, ErrInvalid) {
			t.Errorf("digest %q: Normalize = %v, want ErrInvalid", d, err)
		}
	}
}

// TestCarryDigest checks the run of revisions with one digest, and what
// PassesOnUnchanged concludes from it.
func TestCarryDigest(t *testing.T) {
	put := func(prev PageDeps, found bool, rev int64, digest string) PageDeps {
		return CarryDigest(prev, found, PageDeps{RevID: rev, Digest: digest})
	}
	r1 := put(PageDeps{}, false, 10, "aa")
	r2 := put(r1, true, 20, "aa")
	r3 := put(r2, true, 30, "bb")
	r4 := put(r3, true, 40, "")
	for _, c := range []struct {
		name  string
		p     PageDeps
		since int64
	}{{"first", r1, 10}, {"same", r2, 10}, {"changed", r3, 30}, {"none", r4, 0}} {
		if c.p.DigestSince != c.since {
			t.Errorf("%s: DigestSince %d, want %d", c.name, c.p.DigestSince, c.since)
		}
	}
	for _, c := range []struct {
		p    PageDeps
		rev  int64
		want bool
	}{
		{r2, 20, true},  // rev 20 passed on what rev 10 did
		{r1, 10, false}, // the first stored revision: nothing to compare with
		{r1, 20, false}, // rev 20 not stored yet
		{r3, 30, false}, // rev 30 changed it
		{r3, 20, false}, // a later revision changed it: rev 20 cannot be told
		{r4, 40, false}, // no digest
		{r2, 0, false},
	} {
		if got := c.p.PassesOnUnchanged(c.rev); got != c.want {
			t.Errorf("stored rev %d since %d: PassesOnUnchanged(%d) = %v, want %v", c.p.RevID, c.p.DigestSince, c.rev, got, c.want)
		}
	}
}
