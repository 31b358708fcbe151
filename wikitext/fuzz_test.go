package wikitext

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParse parses arbitrary text on an arbitrary page. Parse must not
// panic nor fail on the text; its output must be sorted, without
// duplicates, made of valid titles that carry their namespace, and stable:
// parsing an output title again gives that title back. The seeds are the
// table cases and the realistic articles, so `go test` runs them every time.
func FuzzParse(f *testing.F) {
	for _, tc := range allCases() {
		f.Add(tc.title, tc.text)
	}
	for _, a := range articles() {
		f.Add(a.title, a.text)
	}
	f.Add("Template:Foo/bar", "{{/doc}} [[../]] {{{{{{x}}}}}} [[[[a]]]] <gallery>\nA.jpg|{{B|[[C]]}}\n</gallery>")
	f.Fuzz(func(t *testing.T, title, text string) {
		opts := Options{ConnectedEntity: "Q42", NamespaceAliases: map[string]Namespace{"WP": NamespaceProject}}
		d, err := Parse("fuzzwiki", title, text, opts)
		if err != nil {
			if !errors.Is(err, ErrBadTitle) {
				t.Fatalf("Parse(%q, %q): %v", title, text, err)
			}
			return
		}
		for name, list := range map[string][]string{"templates": d.Templates, "links": d.Links, "files": d.Files, "categories": d.Categories} {
			checkTitles(t, name, list)
		}
		for _, f := range d.Files {
			requireRoundTrip(t, "[["+f+"]]", opts, f, func(d Deps) []string { return d.Files })
		}
		for _, c := range d.Categories {
			requireRoundTrip(t, "[["+c+"]]", opts, c, func(d Deps) []string { return d.Categories })
		}
		for _, tpl := range d.Templates {
			if strings.HasPrefix(tpl, "Special:") || strings.HasPrefix(tpl, "Media:") {
				t.Errorf("template %q is not a page", tpl)
			}
			requireRoundTrip(t, "{{:"+tpl+"}}", opts, tpl, func(d Deps) []string { return d.Templates })
		}
		for _, l := range d.Links {
			requireRoundTrip(t, "[[:"+l+"]]", opts, l, func(d Deps) []string { return d.Links })
		}
		checkEntities(t, d.Entities)
	})
}

// checkTitles requires list to be sorted without duplicates, of valid
// UTF-8 titles without the characters titles cannot hold; files and
// categories must carry their namespace.
func checkTitles(t *testing.T, name string, list []string) {
	t.Helper()
	if list == nil {
		t.Errorf("%s is nil", name)
	}
	for i, s := range list {
		if i > 0 && list[i-1] >= s {
			t.Errorf("%s not sorted and unique: %q then %q", name, list[i-1], s)
		}
		if s == "" || !utf8.ValidString(s) || strings.ContainsAny(s, "#<>[]{}|\x00\x01\x7f\n\uFFFD") {
			t.Errorf("%s: invalid title %q", name, s)
		}
		switch {
		case name == "files" && !strings.HasPrefix(s, "File:"), name == "categories" && !strings.HasPrefix(s, "Category:"):
			t.Errorf("%s: %q lacks its namespace", name, s)
		}
	}
}

// requireRoundTrip parses text on no page and requires the list field of
// its result to be exactly [want].
func requireRoundTrip(t *testing.T, text string, opts Options, want string, field func(Deps) []string) {
	t.Helper()
	d, err := Parse("fuzzwiki", "", text, opts)
	if err != nil {
		t.Fatalf("Parse(%q): %v", text, err)
	}
	if got := field(d); !slices.Equal(got, []string{want}) {
		t.Errorf("title %q does not round-trip: Parse(%q) gives %q", want, text, got)
	}
}

// checkEntities requires usages sorted by id, ids and aspects valid, and
// aspects sorted, unique and not covered by a broader one.
func checkEntities(t *testing.T, usages []EntityUsage) {
	t.Helper()
	for i, u := range usages {
		if i > 0 && usages[i-1].ID >= u.ID {
			t.Errorf("entities not sorted and unique: %q then %q", usages[i-1].ID, u.ID)
		}
		if normalizeEntityID(u.ID) != u.ID {
			t.Errorf("invalid entity id %q", u.ID)
		}
		if len(u.Aspects) == 0 {
			t.Errorf("entity %s without aspects", u.ID)
		}
		for j, a := range u.Aspects {
			if j > 0 && u.Aspects[j-1] >= a {
				t.Errorf("%s: aspects not sorted and unique: %q", u.ID, u.Aspects)
			}
			base, mod, ok := strings.Cut(a, ".")
			switch {
			case a == "S" || a == "C":
			case base == "C" && ok && normalizeEntityID(mod) == mod && mod[0] == 'P' && !strings.Contains(mod, "-") && !slices.Contains(u.Aspects, "C"):
			default:
				t.Errorf("%s: unexpected aspect %q in %q", u.ID, a, u.Aspects)
			}
		}
	}
}
