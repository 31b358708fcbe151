package depstest

import (
	"reflect"
	"slices"
	"testing"

	"github.com/ripplestream/ripple/deps"
)

// template returns the set of a template whose own page renders own and
// which passes on passes (nil: the same), with digest.
func template(title string, rev int64, digest string, own []string, passes []string) deps.PageDeps {
	p := article("enwiki", title, rev, own...)
	p.Page.Namespace = deps.NamespaceTemplate
	p.Digest = digest
	if passes != nil {
		p.PassesOn = &deps.Sets{Templates: passes}
	}
	return p
}

// purges walks the transcluders of target as the propagation engine
// does: a dependent is purged when its own page renders the target, and
// its transcluders are followed when it passes the target on.
func (h *harness) purges(t *testing.T, target string) []string {
	t.Helper()
	var out []string
	seen := map[string]bool{}
	queue := []string{target}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		q := query("enwiki", deps.Transcludes, cur)
		q.Limit = 1
		for _, d := range h.all(t, q) {
			if d.Scope.Own() && !slices.Contains(out, d.Page.Title) {
				out = append(out, d.Page.Title)
			}
			if d.Scope.PassesOn() && d.Page.Namespace.Transcludable() && !seen[d.Page.Title] {
				seen[d.Page.Title] = true
				queue = append(queue, d.Page.Title)
			}
		}
	}
	slices.Sort(out)
	return out
}

// testPassesOn stores a template whose documentation (<noinclude>) uses
// Template:Documentation and which passes on a module only its
// transcluders render (<includeonly>): dependents carry each edge's
// scope, an edit of Template:Documentation purges the template's own page
// but none of its transcluders, and an edit of the module the
// transcluders but not the template's page.
func testPassesOn(t *testing.T, h *harness) {
	infobox := template("Template:Infobox", 1, "aa",
		[]string{"Template:Box", "Template:Documentation"}, []string{"Template:Box", "Module:Infobox"})
	h.put(t, infobox)
	h.put(t, template("Template:Infobox_person", 1, "bb", []string{"Template:Infobox"}, nil))
	h.put(t, article("enwiki", "Douglas_Adams", 1, "Template:Infobox_person"))
	h.put(t, article("enwiki", "Help:Infobox", 1, "Template:Documentation"))

	for _, c := range []struct {
		target string
		scope  deps.Scope
	}{{"Template:Documentation", deps.ScopeOwn}, {"Module:Infobox", deps.ScopePassesOn}, {"Template:Box", deps.ScopeBoth}} {
		ds := h.all(t, query("enwiki", deps.Transcludes, c.target))
		for _, d := range ds {
			if d.Page.Title == "Template:Infobox" && d.Scope != c.scope {
				t.Errorf("dependent Template:Infobox of %s: scope %s, want %s", c.target, d.Scope, c.scope)
			}
		}
	}
	for _, c := range []struct {
		edited string
		want   []string
	}{
		{"Template:Documentation", []string{"Help:Infobox", "Template:Infobox"}},
		{"Module:Infobox", []string{"Douglas_Adams", "Template:Infobox_person"}},
		{"Template:Box", []string{"Douglas_Adams", "Template:Infobox", "Template:Infobox_person"}},
	} {
		if got := h.purges(t, c.edited); !slices.Equal(got, c.want) {
			t.Errorf("an edit of %s purges %q, want %q", c.edited, got, c.want)
		}
	}

	check := func(when string, want deps.PageDeps) {
		t.Helper()
		got, ok := h.page(t, "enwiki", want.Page.Title)
		want, err := want.Normalize(deps.CollapseLimits{})
		if err != nil {
			t.Fatal(err)
		}
		want.DigestSince = 1
		if !ok || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: Page = %+v, %v\nwant %+v", when, got, ok, want)
		}
	}
	check("stored", infobox)
	h.reopen(t)
	check("reopened", infobox)

	// The documentation moves into what is passed on; then a 1.0.0 event
	// passes everything on.
	h.put(t, template("Template:Infobox", 2, "aa", []string{"Template:Box"}, []string{"Template:Box", "Template:Documentation"}))
	if got := h.purges(t, "Template:Documentation"); !slices.Equal(got, []string{"Douglas_Adams", "Help:Infobox", "Template:Infobox_person"}) {
		t.Errorf("after rev 2, an edit of Template:Documentation purges %q", got)
	}
	h.put(t, template("Template:Infobox", 3, "", []string{"Template:Box", "Template:Documentation"}, nil))
	if got := h.purges(t, "Template:Documentation"); !slices.Equal(got, []string{"Douglas_Adams", "Help:Infobox", "Template:Infobox", "Template:Infobox_person"}) {
		t.Errorf("after rev 3 (no PassesOn), an edit of Template:Documentation purges %q", got)
	}
	if p, _ := h.page(t, "enwiki", "Template:Infobox"); p.PassesOn != nil || p.Digest != "" || p.DigestSince != 0 {
		t.Errorf("after rev 3: PassesOn %v, digest %q since %d; want none", p.PassesOn, p.Digest, p.DigestSince)
	}
}

// testDigest checks that the store keeps each page's digest and the
// oldest revision of the run of revisions that carried it, so that
// PassesOnUnchanged tells an edit that changed nothing transcluders see.
func testDigest(t *testing.T, h *harness) {
	steps := []struct {
		rev       int64
		digest    string
		since     int64
		unchanged bool // PassesOnUnchanged(rev) after the put
	}{
		{10, "aa", 10, false}, // first revision: nothing to compare with
		{20, "aa", 10, true},
		{30, "bb", 30, false},
		{40, "bb", 30, true},
		{50, "", 0, false}, // a 1.0.0 event: unknown
		{60, "bb", 60, false},
	}
	for _, s := range steps {
		h.put(t, template("Template:T", s.rev, s.digest, []string{"Template:A"}, nil))
		p, ok := h.page(t, "enwiki", "Template:T")
		if !ok || p.Digest != s.digest || p.DigestSince != s.since || p.PassesOnUnchanged(s.rev) != s.unchanged {
			t.Errorf("rev %d: digest %q since %d, unchanged %v; want %q since %d, %v",
				s.rev, p.Digest, p.DigestSince, p.PassesOnUnchanged(s.rev), s.digest, s.since, s.unchanged)
		}
	}
	h.reopen(t)
	if p, _ := h.page(t, "enwiki", "Template:T"); p.Digest != "bb" || p.DigestSince != 60 {
		t.Errorf("reopened: digest %q since %d; want bb since 60", p.Digest, p.DigestSince)
	}
	// An older revision changes nothing, a delete forgets the run.
	h.put(t, template("Template:T", 55, "bb", []string{"Template:A"}, nil))
	if _, err := h.store.DeletePage(h.ctx, "enwiki", "Template:T"); err != nil {
		t.Fatal(err)
	}
	h.put(t, template("Template:T", 70, "bb", []string{"Template:A"}, nil))
	if p, _ := h.page(t, "enwiki", "Template:T"); p.DigestSince != 70 {
		t.Errorf("after a delete: since %d, want 70", p.DigestSince)
	}
	// A batch carries the digest from page to page as PutPage does.
	if _, err := deps.PutPages(h.ctx, h.store, []deps.PageDeps{
		template("Template:B", 1, "cc", []string{"Template:A"}, nil),
		template("Template:B", 2, "cc", []string{"Template:A"}, nil),
		template("Template:B", 3, "cc", nil, []string{"Template:A"}),
	}); err != nil {
		t.Fatal(err)
	}
	if p, _ := h.page(t, "enwiki", "Template:B"); p.DigestSince != 1 || !p.PassesOnUnchanged(3) || p.PassesOn == nil {
		t.Errorf("batch: since %d, PassesOn %v; want since 1 and a PassesOn", p.DigestSince, p.PassesOn)
	}
}
