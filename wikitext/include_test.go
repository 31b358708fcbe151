package wikitext

import (
	"reflect"
	"strings"
	"testing"
)

// TestIncludeText checks the two readings of a page's text against
// MediaWiki's preprocessor rules: what the page itself renders (view) and
// what a page that transcludes it gets (inclusion).
func TestIncludeText(t *testing.T) {
	for _, c := range []struct {
		name, text, view, incl string
	}{
		{"noinclude", "a<noinclude>b</noinclude>c", "abc", "ac"},
		{"includeonly", "a<includeonly>b</includeonly>c", "ac", "abc"},
		{"onlyinclude", "a<onlyinclude>b</onlyinclude>c<onlyinclude>d</onlyinclude>e", "abcde", "bd"},
		{"all three", "<includeonly>{{A}}</includeonly><noinclude>{{Doc}}</noinclude><onlyinclude>[[B]]</onlyinclude>",
			"{{Doc}}[[B]]", "[[B]]"},
		{"case of names", "<NoInclude>b</NOINCLUDE>c<INCLUDEONLY>d</includeonly >", "bc", "cd"},
		{"attributes", "<noinclude foo=\"bar\">x</noinclude>y<includeonly\n>z</includeonly>", "xy", "yz"},
		{"unclosed noinclude runs to the end", "a<noinclude>b{{Doc}}", "ab{{Doc}}", "a"},
		{"unclosed includeonly runs to the end", "a<includeonly>b", "a", "ab"},
		{"unclosed upper case is text", "a<NOINCLUDE>b", "ab", "a<NOINCLUDE>b"},
		{"unclosed upper case includeonly is text", "a<IncludeOnly>b", "a<IncludeOnly>b", "ab"},
		{"no nesting", "<noinclude>a<noinclude>b</noinclude>c</noinclude>d", "abcd", "c</noinclude>d"},
		{"onlyinclude inside noinclude", "<noinclude>x<onlyinclude>y</onlyinclude></noinclude>z", "xyz", "y"},
		{"onlyinclude without its close", "a<onlyinclude>b", "ab", "a<onlyinclude>b"},
		{"onlyinclude in another case", "<OnlyInclude>b</OnlyInclude>c", "bc", "<OnlyInclude>b</OnlyInclude>c"},
		{"onlyinclude unclosed at the end", "a<onlyinclude>b</onlyinclude>c<onlyinclude>d", "abcd", "bd"},
		{"close before open", "a</onlyinclude>b<onlyinclude>c</onlyinclude>", "abc", "c"},
		{"noinclude inside onlyinclude", "x<onlyinclude>a<noinclude>b</noinclude>c</onlyinclude>", "xabc", "ac"},
		{"comment hides tags", "<!-- <noinclude> -->x<!-- <includeonly>", "<!-- <noinclude> -->x<!-- <includeonly>", "<!-- <noinclude> -->x<!-- <includeonly>"},
		{"comment hides onlyinclude's close", "<onlyinclude>a<!--</onlyinclude>-->b</onlyinclude>c", "a<!--</onlyinclude>-->bc", "a<!--</onlyinclude>-->b"},
		{"nowiki hides tags", "<nowiki><includeonly></nowiki>x<pre><noinclude></pre>", "<nowiki><includeonly></nowiki>x<pre><noinclude></pre>", "<nowiki><includeonly></nowiki>x<pre><noinclude></pre>"},
		{"unclosed nowiki hides nothing", "<nowiki>a<noinclude>b</noinclude>", "<nowiki>ab", "<nowiki>a"},
		{"self-closing", "{{safesubst:<noinclude />#invoke:X}}<includeonly/>", "{{safesubst:#invoke:X}}", "{{safesubst:#invoke:X}}"},
		{"name prefixes are no tags", "<noincludex>y</noincludex><includeonly2>", "<noincludex>y</noincludex><includeonly2>", "<noincludex>y</noincludex><includeonly2>"},
		{"no closing angle", "a<noinclude b", "a<noinclude b", "a<noinclude b"},
		{"name at the end", "a<noinclude", "a<noinclude", "a<noinclude"},
		{"stray closing tags", "</includeonly>a</noinclude>", "</includeonly>a", "a</noinclude>"},
		{"nested templates", "{{A|<noinclude>{{B}}</noinclude>{{C|<includeonly>{{D}}</includeonly>}}}}", "{{A|{{B}}{{C|}}}}", "{{A|{{C|{{D}}}}}}"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := includeText(c.text, viewMode); got != c.view {
				t.Errorf("view of %q = %q, want %q", c.text, got, c.view)
			}
			if got := includeText(c.text, inclusionText); got != c.incl {
				t.Errorf("inclusion of %q = %q, want %q", c.text, got, c.incl)
			}
			if !hasIncludeTags(c.text) && (c.view != c.text || c.incl != c.text) {
				t.Errorf("hasIncludeTags(%q) = false, but the text changes", c.text)
			}
		})
	}
}

// TestParsePassesOn checks the two sets Parse gives a template: its own
// page's and what it passes on.
func TestParsePassesOn(t *testing.T) {
	for _, c := range []struct {
		name, title, text string
		opts              Options
		own               Sets
		passes            *Sets // nil: the same as own
	}{
		{name: "documentation", title: "Template:Infobox", text: "{{Box}}<noinclude>{{Documentation}}</noinclude>",
			own: Sets{Templates: []string{"Template:Box", "Template:Documentation"}}, passes: &Sets{Templates: []string{"Template:Box"}}},
		{name: "includeonly category", title: "Template:Stub", text: "Stub.<includeonly>[[Category:Stubs]]{{Tracking}}</includeonly>",
			own: Sets{}, passes: &Sets{Templates: []string{"Template:Tracking"}, Categories: []string{"Category:Stubs"}}},
		{name: "onlyinclude", title: "Template:List", text: "Intro {{Doc}}<onlyinclude>{{Row|[[A]]}}</onlyinclude>[[B]]",
			own:    Sets{Templates: []string{"Template:Doc", "Template:Row"}, Links: []string{"A", "B"}},
			passes: &Sets{Templates: []string{"Template:Row"}, Links: []string{"A"}}},
		{name: "nested templates", title: "Template:Outer", text: "{{A|x=<noinclude>{{B}}</noinclude>{{C|<includeonly>{{#invoke:D|f}}</includeonly>}}}}",
			own:    Sets{Templates: []string{"Template:A", "Template:B", "Template:C"}},
			passes: &Sets{Templates: []string{"Module:D", "Template:A", "Template:C"}}},
		{name: "unclosed noinclude", title: "Template:X", text: "{{A}}<noinclude>{{Documentation}}",
			own: Sets{Templates: []string{"Template:A", "Template:Documentation"}}, passes: &Sets{Templates: []string{"Template:A"}}},
		{name: "upper case unclosed is text", title: "Template:X", text: "{{A}}<NOINCLUDE>{{Documentation}}",
			own: Sets{Templates: []string{"Template:A", "Template:Documentation"}}},
		{name: "self-link is the transcluder's link", title: "Template:Nav", text: "[[Template:Nav|v]] [[Foo]]",
			own: Sets{Links: []string{"Foo"}}, passes: &Sets{Links: []string{"Foo", "Template:Nav"}}},
		{name: "connected entity is the transcluder's", title: "Template:Born", text: "{{#property:P569}}", opts: Options{ConnectedEntity: "Q5"},
			own: Sets{Entities: []EntityUsage{{ID: "Q5", Aspects: []string{"C.P569", "S"}}}}, passes: &Sets{}},
		{name: "plain template", title: "Template:Plain", text: "{{A}} [[B]]", own: Sets{Templates: []string{"Template:A"}, Links: []string{"B"}}},
		{name: "article drops includeonly, passes nothing", title: "Foo", text: "<includeonly>{{A}}</includeonly>{{B}}",
			own: Sets{Templates: []string{"Template:B"}}},
		{name: "module passes on its text", title: "Module:M", text: "<noinclude>{{A}}</noinclude>",
			own: Sets{Templates: []string{"Template:A"}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			d, err := Parse("testwiki", c.title, c.text, c.opts)
			if err != nil {
				t.Fatal(err)
			}
			norm := func(s Sets) Sets {
				w := withEmptyLists(Deps{Templates: s.Templates, Links: s.Links, Files: s.Files, Categories: s.Categories, Entities: s.Entities})
				return w.sets()
			}
			if got, want := d.sets(), norm(c.own); !reflect.DeepEqual(got, want) {
				t.Errorf("own sets\n got %+v\nwant %+v", got, want)
			}
			switch {
			case c.passes == nil && d.PassesOn != nil:
				t.Errorf("PassesOn = %+v, want nil (the own sets)", *d.PassesOn)
			case c.passes != nil && d.PassesOn == nil:
				t.Errorf("PassesOn = nil, want %+v", *c.passes)
			case c.passes != nil && !reflect.DeepEqual(*d.PassesOn, norm(*c.passes)):
				t.Errorf("PassesOn\n got %+v\nwant %+v", *d.PassesOn, norm(*c.passes))
			}
			if hasDigest := d.PassesOnDigest != ""; hasDigest != (d.Namespace == NamespaceTemplate || d.Namespace == NamespaceModule) {
				t.Errorf("PassesOnDigest %q on a page of namespace %d", d.PassesOnDigest, d.Namespace)
			}
		})
	}
}

// TestPassesOnDigest checks that the digest changes with what
// transcluders get and only with it.
func TestPassesOnDigest(t *testing.T) {
	base := "{{Box|a=1}}<noinclude>{{Documentation}}</noinclude><!-- note -->"
	for _, c := range []struct {
		name, text string
		ns         Namespace
		same       bool
	}{
		{"documentation edited", "{{Box|a=1}}<noinclude>{{Documentation|reason=x}}\n[[Category:Infoboxes]]</noinclude><!-- note -->", NamespaceTemplate, true},
		{"comment edited", "{{Box|a=1}}<noinclude>{{Documentation}}</noinclude><!-- another note -->", NamespaceTemplate, true},
		{"noinclude tag case", "{{Box|a=1}}<NOINCLUDE>{{Documentation}}</noinclude><!-- note -->", NamespaceTemplate, true},
		{"transcluded part edited", "{{Box|a=2}}<noinclude>{{Documentation}}</noinclude><!-- note -->", NamespaceTemplate, false},
		{"includeonly added", "{{Box|a=1}}<includeonly>x</includeonly><noinclude>{{Documentation}}</noinclude><!-- note -->", NamespaceTemplate, false},
		{"comment removed", "{{Box|a=1}}<noinclude>{{Documentation}}</noinclude>", NamespaceTemplate, false},
		{"module: every byte counts", "{{Box|a=1}}<noinclude>{{Documentation|x}}</noinclude><!-- note -->", NamespaceModule, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, b := PassesOnDigest(base, c.ns), PassesOnDigest(c.text, c.ns)
			if len(a) != 64 {
				t.Fatalf("digest %q: want 64 hex digits", a)
			}
			if (a == b) != c.same {
				t.Errorf("digest of %q vs %q: equal %v, want %v", base, c.text, a == b, c.same)
			}
		})
	}
}

// FuzzIncludeText checks that the include pass never grows the text, that
// a text without include tags reads the same in both renderings, and that
// the digest ignores what only the page itself renders.
func FuzzIncludeText(f *testing.F) {
	for _, s := range []string{"a<noinclude>b</noinclude>c", "<onlyinclude>x</onlyinclude>", "<includeonly>", "<!--<noinclude>-->", "<nowiki><noinclude></nowiki>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		view, incl := includeText(text, viewMode), includeText(text, inclusionText)
		if len(view) > len(text) || len(incl) > len(text) {
			t.Fatalf("include pass grew %q: view %q, inclusion %q", text, view, incl)
		}
		if !hasIncludeTags(text) && (view != text || incl != text) {
			t.Fatalf("%q has no include tag but reads %q / %q", text, view, incl)
		}
		if !strings.Contains(text, "noinclude") && !strings.Contains(text, "<!--") {
			doc := text + "<noinclude>{{Documentation}}</noinclude>"
			if PassesOnDigest(doc, NamespaceTemplate) != PassesOnDigest(text, NamespaceTemplate) && !strings.Contains(text, "onlyinclude") && !strings.Contains(strings.ToLower(text), "<") {
				t.Fatalf("a noinclude part appended to %q changed the digest", text)
			}
		}
	})
}
