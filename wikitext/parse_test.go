package wikitext

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// parseCase is one table entry: text parsed on page title with opts gives
// want. Nil lists in want mean empty.
type parseCase struct {
	name  string
	title string
	text  string
	opts  Options
	want  Deps
}

// allCases returns every table case, for the fuzzer's seeds.
func allCases() []parseCase {
	var all []parseCase
	for _, cases := range [][]parseCase{templateCases(), linkCases(), hiddenContentCases(), galleryCases(), entityCases(), invalidUTF8Cases()} {
		all = append(all, cases...)
	}
	return all
}

// checkParse runs one parseCase. The page's own title and namespace are
// TestParseTitle's.
func checkParse(t *testing.T, tc parseCase) {
	t.Helper()
	got, err := Parse("testwiki", tc.title, tc.text, tc.opts)
	if err != nil {
		t.Fatalf("Parse(%q): %v", tc.text, err)
	}
	got.Title, got.Namespace = "", NamespaceMain
	// Cases without PassesOn check the page's own sets only; the digest
	// has tests of its own.
	if tc.want.PassesOn == nil {
		got.PassesOn = nil
	}
	got.PassesOnDigest = ""
	want := withEmptyLists(tc.want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Parse(%q)\n got  %+v\n want %+v", tc.text, got, want)
	}
}

// withEmptyLists returns d with nil lists replaced by empty ones, as Parse
// returns them.
func withEmptyLists(d Deps) Deps {
	for _, l := range []*[]string{&d.Templates, &d.Links, &d.Files, &d.Categories} {
		if *l == nil {
			*l = []string{}
		}
	}
	if d.Entities == nil {
		d.Entities = []EntityUsage{}
	}
	return d
}

func templateCases() []parseCase {
	return []parseCase{
		{name: "plain", text: "{{Cite web}}", want: Deps{Templates: []string{"Template:Cite_web"}}},
		{name: "arguments", text: "{{cite web |url=https://example.org |title=Example}}", want: Deps{Templates: []string{"Template:Cite_web"}}},
		{name: "whitespace and underscores", text: "{{  infobox__person \n| name = x }}", want: Deps{Templates: []string{"Template:Infobox_person"}}},
		{name: "duplicates", text: "{{Foo}} {{foo}} {{ Foo }} {{Foo_}}", want: Deps{Templates: []string{"Template:Foo"}}},
		{name: "namespace prefix", text: "{{Template:Foo}} {{template:bar}} {{TEMPLATE : baz}}", want: Deps{Templates: []string{"Template:Bar", "Template:Baz", "Template:Foo"}}},
		{name: "main namespace", text: "{{:Main Page}} {{ : list of things }}", want: Deps{Templates: []string{"List_of_things", "Main_Page"}}},
		{name: "other namespaces", text: "{{User:Example/sig}} {{Wikipedia:Sandbox}} {{project:Sandbox}} {{Help:Contents}}",
			want: Deps{Templates: []string{"Help:Contents", "User:Example/sig", "Wikipedia:Sandbox"}}},
		{name: "unknown prefix stays in the name", text: "{{WP:X}} {{Foo:Bar}}", want: Deps{Templates: []string{"Template:Foo:Bar", "Template:WP:X"}}},
		{name: "namespace alias", text: "{{WP:X}} {{tm:Y}}", opts: Options{NamespaceAliases: map[string]Namespace{"WP": NamespaceProject, "TM": NamespaceTemplate}},
			want: Deps{Templates: []string{"Template:Y", "Wikipedia:X"}}},
		{name: "subst transcludes nothing", text: "{{subst:Foo}} {{SUBST:Bar|x}}"},
		{name: "safesubst transcludes", text: "{{safesubst:Foo}} {{ safesubst: bar }}", want: Deps{Templates: []string{"Template:Bar", "Template:Foo"}}},
		{name: "msgnw msg raw", text: "{{msgnw:Foo}} {{msg:Bar}} {{raw:Baz}} {{MSGNW:qux}}",
			want: Deps{Templates: []string{"Template:Bar", "Template:Baz", "Template:Foo", "Template:Qux"}}},
		{name: "magic words and parser functions", text: "{{PAGENAME}} {{!}} {{=}} {{ CURRENTYEAR }} {{DEFAULTSORT:Adams, Douglas}} " +
			"{{DISPLAYTITLE:''x''}} {{lc:ABC}} {{Lc:ABC}} {{urlencode:a b}} {{#if:a|b|c}} {{#switch:x|a=1|#default=2}} " +
			"{{#time:Y}} {{#tag:span|x}} {{int:lang}} {{ns:0}} {{PAGENAME:Foo}} {{#expr:1+1}} {{#unknown:x}} {{formatnum:1234}}"},
		{name: "magic words are case-sensitive", text: "{{pagename}} {{PAGENAME|x}}", want: Deps{Templates: []string{"Template:PAGENAME", "Template:Pagename"}}},
		{name: "invoke", text: "{{#invoke:Citation/CS1|citation}} {{#invoke: citation/CS1 |citation|x=1}} {{#INVOKE:String|len|abc}}",
			want: Deps{Templates: []string{"Module:Citation/CS1", "Module:String"}}},
		{name: "invoke with namespace", text: "{{#invoke:Module:Foo|main}}", want: Deps{Templates: []string{"Module:Module:Foo"}}},
		{name: "invoke without module", text: "{{#invoke:|main}} {{#invoke:}}"},
		{name: "nested in arguments", text: "{{A|{{B}}|[[C]]}}", want: Deps{Templates: []string{"Template:A", "Template:B"}, Links: []string{"C"}}},
		{name: "deeply nested arguments", text: "{{A|x={{B|y={{C|z=[[D|{{E}}]]}}}}}}",
			want: Deps{Templates: []string{"Template:A", "Template:B", "Template:C", "Template:E"}, Links: []string{"D"}}},
		{name: "computed names are unknown", text: "{{ {{{1}}} }} {{Infobox {{{type}}}|x}} {{{{{name}}}}} {{Foo{{!}}}}", want: Deps{}},
		{name: "template argument default", text: "{{{1|{{Default}}}}} {{{image|}}}", want: Deps{Templates: []string{"Template:Default"}}},
		{name: "brace runs", text: "{{{{Foo}}}} {{{Bar}} {Baz} {{Qux}}}", want: Deps{Templates: []string{"Template:Bar", "Template:Qux"}}},
		{name: "unbalanced", text: "}} {{Foo|{{Bar}} }}{{Baz}}}} {{Unclosed {{Inner}} ]] {{Open|[[Link]]",
			want: Deps{Templates: []string{"Template:Bar", "Template:Baz", "Template:Foo", "Template:Inner"}, Links: []string{"Link"}}},
		{name: "only the top frame closes", text: "{{A|[[B}}]]"},
		{name: "fragment", text: "{{Foo#bar}} {{#bar}}", want: Deps{Templates: []string{"Template:Foo"}}},
		{name: "special and media", text: "{{Special:RecentChanges}} {{Media:X.jpg}}"},
		{name: "relative on a page without subpages", title: "Foo", text: "{{/doc}}", want: Deps{Templates: []string{"Template:/doc"}}},
		{name: "relative on a template", title: "Template:Infobox", text: "{{/doc}} {{../Other}}", want: Deps{Templates: []string{"Template:Infobox/doc"}}},
		{name: "relative up", title: "Template:Infobox/core", text: "{{../doc}}", want: Deps{Templates: []string{"Template:Infobox/doc"}}},
		{name: "invalid names", text: "{{Foo<Bar}} {{a~~~b}} {{Foo%41}} {{&amp;amp;}} {{}} {{ }} {{|x}}"},
		{name: "character references", text: "{{AT&amp;T}} {{Caf&eacute;}} {{A&#32;B}}",
			want: Deps{Templates: []string{"Template:AT&T", "Template:A_B", "Template:Café"}}},
		{name: "templatestyles", text: `<templatestyles src="Infobox/styles.css" /><templatestyles src='Module:Foo/styles.css'/><templatestyles src=Bar.css></templatestyles>`,
			want: Deps{Templates: []string{"Module:Foo/styles.css", "Template:Bar.css", "Template:Infobox/styles.css"}}},
	}
}

func TestParseTemplates(t *testing.T) {
	for _, tc := range templateCases() {
		t.Run(tc.name, func(t *testing.T) { checkParse(t, tc) })
	}
}

func linkCases() []parseCase {
	return []parseCase{
		{name: "forms", text: "[[Link]] [[link|text]] [[Link#Section]] [[link#s|t]] [[ Link ]]", want: Deps{Links: []string{"Link"}}},
		{name: "bare fragment", text: "[[#Early life]] [[#]]"},
		{name: "self links", title: "Douglas Adams", text: "[[Douglas Adams]] [[douglas_Adams#Life]] [[Other]]", want: Deps{Links: []string{"Other"}}},
		{name: "interwiki and language links", text: "[[en:Foo]] [[wikt:foo]] [[:de:Bar]] [[commons:File:X.jpg]] [[d:Q42]] [[W:Foo]] [[zh-min-nan:X]] [[Local]]",
			want: Deps{Links: []string{"Local"}}},
		{name: "own interwiki list", text: "[[en:Foo]] [[mywiki:X]] [[MyWiki:Y]]", opts: Options{InterwikiPrefixes: []string{"mywiki"}},
			want: Deps{Links: []string{"En:Foo"}}},
		{name: "no interwiki at all", text: "[[en:Foo]]", opts: Options{InterwikiPrefixes: []string{}}, want: Deps{Links: []string{"En:Foo"}}},
		{name: "categories", text: "[[Category:English writers|Adams]] [[category:foo]] [[:Category:Bar]] [[ Category : Baz ]]",
			want: Deps{Links: []string{"Category:Bar"}, Categories: []string{"Category:Baz", "Category:English_writers", "Category:Foo"}}},
		{name: "files", text: "[[File:X.jpg|thumb|Cap]] [[Image:Y.png]] [[Media:Z.ogg]] [[:File:W.jpg]] [[:Media:V.ogg]] [[file:u.svg]]",
			want: Deps{Links: []string{"File:W.jpg"}, Files: []string{"File:U.svg", "File:V.ogg", "File:X.jpg", "File:Y.png", "File:Z.ogg"}}},
		{name: "file link option", text: "[[File:X.jpg|link=Target page]] [[File:Y.jpg|link=https://example.org]] [[File:Z.jpg|link=]] [[File:W.jpg|link={{{1}}}]]",
			want: Deps{Links: []string{"Target_page"}, Files: []string{"File:W.jpg", "File:X.jpg", "File:Y.jpg", "File:Z.jpg"}}},
		{name: "file caption", text: "[[File:X.jpg|thumb|A [[B]] and {{C}} [[File:Inner.png|20px]]]]",
			want: Deps{Templates: []string{"Template:C"}, Links: []string{"B"}, Files: []string{"File:Inner.png", "File:X.jpg"}}},
		{name: "percent escapes", text: "[[Foo%20bar]] [[100%]] [[%E2%82%AC]]", want: Deps{Links: []string{"100%", "Foo_bar", "€"}}},
		{name: "character references", text: "[[AT&amp;T]] [[Caf&eacute;]] [[&#x41;B]]", want: Deps{Links: []string{"AB", "AT&T", "Café"}}},
		{name: "urls", text: "[[http://example.com]] [[//example.com]] [[mailto:a@b.c]] [[Https://x]] [[HTTP]]", want: Deps{Links: []string{"HTTP"}}},
		{name: "special", text: "[[Special:Search]] [[special:RecentChanges|changes]]"},
		{name: "namespaces", text: "[[talk:Foo]] [[User talk:Foo]] [[Project:Foo]] [[wikipedia talk:X]] [[Help:Contents]] " +
			"[[Portal:Science]] [[Draft:Foo]] [[module:Foo]] [[Template_talk:X]] [[MediaWiki:Common.css]] [[Image talk:X.jpg]]",
			want: Deps{Links: []string{"Draft:Foo", "File_talk:X.jpg", "Help:Contents", "MediaWiki:Common.css", "Module:Foo", "Portal:Science",
				"Talk:Foo", "Template_talk:X", "User_talk:Foo", "Wikipedia:Foo", "Wikipedia_talk:X"}}},
		{name: "project namespace", text: "[[Project:Foo]] [[Wikidata:Bar]] [[Wikidata talk:Baz]] [[Wikipedia:Qux]]", opts: Options{ProjectNamespace: "Wikidata"},
			want: Deps{Links: []string{"Wikidata:Bar", "Wikidata:Foo", "Wikidata_talk:Baz"}}},
		{name: "invalid titles", text: "[[<Foo>]] [[Foo{Bar]] [[../x]] [[a~~~b]] [[ ]] [[Category:]] [[:]] [[Talk:]] [[Foo\nBar]]"},
		{name: "empty text", text: "[[Foo|]] [[Bar||x]]", want: Deps{Links: []string{"Bar", "Foo"}}},
		{name: "subpages", title: "Talk:Foo/Archive 2", text: "[[/Archive 3]] [[../]] [[../Archive 1|older]] [[../../../x]] [[/]]",
			want: Deps{Links: []string{"Talk:Foo", "Talk:Foo/Archive_1", "Talk:Foo/Archive_2/", "Talk:Foo/Archive_2/Archive_3"}}},
		{name: "first letter", text: "[[ébène]] [[über]] [[ǆ]]", want: Deps{Links: []string{"Ébène", "Über", "Ǆ"}}},
		{name: "bracket runs", text: "[[Foo]]] [[[Bar]]] [Baz] [[Qux", want: Deps{Links: []string{"Bar", "Foo"}}},
		{name: "computed target", text: "[[{{PAGENAME}}/x]] [[Foo|{{Bar}}]]", want: Deps{Templates: []string{"Template:Bar"}, Links: []string{"Foo"}}},
		{name: "spaces", text: "[[Foo\u00a0bar]] [[Foo\u200e]] [[ foo _ baz ]] [[Foo\u3000Qux]]", want: Deps{Links: []string{"Foo", "Foo_Qux", "Foo_bar", "Foo_baz"}}},
		{name: "long title", text: "[[" + strings.Repeat("a", 255) + "]] [[" + strings.Repeat("b", 256) + "]]",
			want: Deps{Links: []string{"A" + strings.Repeat("a", 254)}}},
	}
}

func TestParseLinks(t *testing.T) {
	for _, tc := range linkCases() {
		t.Run(tc.name, func(t *testing.T) { checkParse(t, tc) })
	}
}

func hiddenContentCases() []parseCase {
	return []parseCase{
		{name: "nowiki", text: "<nowiki>{{A}} [[B]]</nowiki><NOWIKI>{{C}}</NoWiki > {{D}}", want: Deps{Templates: []string{"Template:D"}}},
		{name: "comments", text: "<!-- {{A}} [[B]] -->{{C}}<!-- unclosed {{D}}", want: Deps{Templates: []string{"Template:C"}}},
		{name: "code and math", text: "<pre>{{A}}</pre><syntaxhighlight lang=\"wikitext\">{{B}}</syntaxhighlight><source>[[C]]</source><math>\\{\\{x\\}\\}</math><score>{{E}}</score>"},
		{name: "unclosed tag is text", text: "<nowiki>{{A}} <pre>[[B]]", want: Deps{Templates: []string{"Template:A"}, Links: []string{"B"}}},
		{name: "self-closing", text: "<nowiki/>{{A}} {{B<nowiki/>}} <nowiki />[[C]]", want: Deps{Templates: []string{"Template:A"}, Links: []string{"C"}}},
		{name: "stray closing tag", text: "</nowiki>{{A}}", want: Deps{Templates: []string{"Template:A"}}},
		{name: "comment inside a name", text: "{{Infobox <!-- see the documentation --> person\n| x = 1}} [[Foo<!-- x -->bar]]",
			want: Deps{Templates: []string{"Template:Infobox_person"}, Links: []string{"Foobar"}}},
		{name: "comment splits braces", text: "{<!-- -->{A}} [<!-- -->[B]]"},
		{name: "include control", text: "<includeonly>{{A}}</includeonly><noinclude>{{Documentation}}</noinclude><onlyinclude>[[B]]</onlyinclude>",
			want: Deps{Templates: []string{"Template:Documentation"}, Links: []string{"B"}}},
		{name: "safesubst idiom", text: "{{safesubst:<noinclude />#invoke:Unsubst||$B={{Foo}}}}", want: Deps{Templates: []string{"Module:Unsubst", "Template:Foo"}}},
		{name: "references", text: `Text.<ref name="a">{{cite book |title=T}}</ref><ref name="a" /> <references />`, want: Deps{Templates: []string{"Template:Cite_book"}}},
		{name: "tag name prefixes", text: "<nowikix>{{A}}</nowikix><pre-x>{{B}}", want: Deps{Templates: []string{"Template:A", "Template:B"}}},
		{name: "control bytes are not comments", text: "{{Fo\x01o}} [[Ba\x01r]]"},
	}
}

func TestParseHiddenContent(t *testing.T) {
	for _, tc := range hiddenContentCases() {
		t.Run(tc.name, func(t *testing.T) { checkParse(t, tc) })
	}
}

func galleryCases() []parseCase {
	return []parseCase{
		{name: "gallery", text: "<gallery mode=\"packed\" heights=\"150\">\nFile:A.jpg|Caption with [[L]] and {{Small|x}}\nImage:B.png\n c.svg |alt=x|link=Target\n" +
			"<!-- File:Hidden.jpg -->\n\nCategory:Not a file.jpg\n%E2%82%AC.png\n</gallery>",
			want: Deps{Templates: []string{"Template:Small"}, Links: []string{"L", "Target"}, Files: []string{"File:A.jpg", "File:B.png", "File:C.svg", "File:€.png"}}},
		{name: "gallery in a template argument", text: "{{Box|content=<gallery>\nA.jpg|x|y\n</gallery>}}",
			want: Deps{Templates: []string{"Template:Box"}, Files: []string{"File:A.jpg"}}},
		{name: "unclosed gallery", text: "<gallery>\nA.jpg\n"},
		{name: "imagemap", text: "<imagemap>\nImage:Map.png|300px|alt\nrect 0 0 10 10 [[Region A]]\n# [[Not this]]\ndefault [[Whole|map]]\ndesc bottom-left\n</imagemap>",
			want: Deps{Links: []string{"Region_A", "Whole"}, Files: []string{"File:Map.png"}}},
		{name: "imagemap without a file", text: "<imagemap>\nMap.png\nrect 0 0 1 1 [[A]]\n</imagemap>", want: Deps{Links: []string{"A"}}},
		{name: "file arguments", text: "{{Infobox person|image=Douglas adams portrait.jpg|caption=Adams in 2000}} {{cite web|url=https://x.org/a.pdf|title=A.pdf}} " +
			"{{Multiple image|image1=File:A.jpg|image2=B.PNG <!-- x -->|width=100}} {{{image|Default.svg}}} {{Foo|{{{1|}}}.jpg}}",
			want: Deps{Templates: []string{"Template:Cite_web", "Template:Foo", "Template:Infobox_person", "Template:Multiple_image"},
				Files: []string{"File:A.jpg", "File:A.pdf", "File:B.PNG", "File:Default.svg", "File:Douglas_adams_portrait.jpg"}}},
	}
}

func TestParseGalleries(t *testing.T) {
	for _, tc := range galleryCases() {
		t.Run(tc.name, func(t *testing.T) { checkParse(t, tc) })
	}
}

func entityCases() []parseCase {
	q42 := Options{ConnectedEntity: "Q42"}
	return []parseCase{
		{name: "connected page", text: "Text.", opts: q42, want: Deps{Entities: []EntityUsage{{ID: "Q42", Aspects: []string{"S"}}}}},
		{name: "property", text: "{{#property:P31}} {{#statements:P18}}", opts: q42,
			want: Deps{Entities: []EntityUsage{{ID: "Q42", Aspects: []string{"C.P18", "C.P31", "S"}}}}},
		{name: "not connected", text: "{{#property:P31}}"},
		{name: "from", text: "{{#property:p31|from=q42}} {{#statements:P18|from = Q1 }} {{#property:P2|from=L7-F1}}",
			want: Deps{Entities: []EntityUsage{{ID: "L7-F1", Aspects: []string{"C.P2"}}, {ID: "Q1", Aspects: []string{"C.P18"}}, {ID: "Q42", Aspects: []string{"C.P31"}}}}},
		{name: "label instead of id", text: "{{#property:instance of|from=Q5}} {{#property:P31|from=Q5}}",
			want: Deps{Entities: []EntityUsage{{ID: "Q5", Aspects: []string{"C"}}}}},
		{name: "computed from", text: "{{#property:P31|from={{{qid|}}}}}", opts: q42, want: Deps{Entities: []EntityUsage{{ID: "Q42", Aspects: []string{"S"}}}}},
		{name: "empty from", text: "{{#property:P31|from=}}", opts: q42, want: Deps{Entities: []EntityUsage{{ID: "Q42", Aspects: []string{"C.P31", "S"}}}}},
		{name: "invalid from", text: "{{#property:P31|from=Berlin}} {{#property:P31|from=Q0}} {{#property:}}"},
		{name: "last from wins", text: "{{#property:P31|from=Q1|from=Q2}}", want: Deps{Entities: []EntityUsage{{ID: "Q2", Aspects: []string{"C.P31"}}}}},
		{name: "nested in a template", text: "{{Infobox|birth={{#property:P569}}|other={{#property:P570|from=Q1}}}}", opts: Options{ConnectedEntity: "q42"},
			want: Deps{Templates: []string{"Template:Infobox"}, Entities: []EntityUsage{{ID: "Q1", Aspects: []string{"C.P570"}}, {ID: "Q42", Aspects: []string{"C.P569", "S"}}}}},
	}
}

func TestParseEntities(t *testing.T) {
	for _, tc := range entityCases() {
		t.Run(tc.name, func(t *testing.T) { checkParse(t, tc) })
	}
}

func invalidUTF8Cases() []parseCase {
	return []parseCase{
		{name: "in a name", text: "{{Fo\xffo}} {{Bar}} [[B\xc3]] [[\xed\xa0\x80]]", want: Deps{Templates: []string{"Template:Bar"}}},
		{name: "replacement character", text: "{{Fo\uFFFDo}} [[A&#xFFFD;]] [[B&#0;]]"},
		{name: "around names", text: "\xff{{Foo}}\xfe[[Bar]]\xc3", want: Deps{Templates: []string{"Template:Foo"}, Links: []string{"Bar"}}},
	}
}

func TestParseInvalidUTF8(t *testing.T) {
	for _, tc := range invalidUTF8Cases() {
		t.Run(tc.name, func(t *testing.T) { checkParse(t, tc) })
	}
}

func TestParseTitle(t *testing.T) {
	for _, tc := range []struct {
		title, want string
		ns          Namespace
	}{
		{"", "", NamespaceMain},
		{"douglas  adams", "Douglas_adams", NamespaceMain},
		{"template:infobox person", "Template:Infobox_person", NamespaceTemplate},
		{"MODULE:Citation/CS1", "Module:Citation/CS1", NamespaceModule},
		{"Image:Towel.jpg", "File:Towel.jpg", NamespaceFile},
	} {
		d, err := Parse("enwiki", tc.title, "[[X]]", Options{})
		if err != nil || d.Title != tc.want || d.Namespace != tc.ns {
			t.Errorf("Parse of %q: title %q, namespace %d, %v; want %q, %d", tc.title, d.Title, d.Namespace, err, tc.want, tc.ns)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		title string
		text  string
		opts  Options
		want  error
	}{
		{name: "too large", text: "{{12345678}}", opts: Options{MaxBytes: 11}, want: ErrTooLarge},
		{name: "interwiki title", title: "en:Foo", want: ErrBadTitle},
		{name: "title with fragment", title: "Foo#bar", want: ErrBadTitle},
		{name: "title with brackets", title: "[[Foo]]", want: ErrBadTitle},
		{name: "special title", title: "Special:Search", want: ErrBadTitle},
		{name: "negative MaxBytes", opts: Options{MaxBytes: -1}, want: ErrBadOptions},
		{name: "bad connected entity", opts: Options{ConnectedEntity: "Douglas Adams"}, want: ErrBadOptions},
		{name: "bad interwiki prefix", opts: Options{InterwikiPrefixes: []string{"a b"}}, want: ErrBadOptions},
		{name: "alias to unknown namespace", opts: Options{NamespaceAliases: map[string]Namespace{"X": 7777}}, want: ErrBadOptions},
		{name: "alias to main namespace", opts: Options{NamespaceAliases: map[string]Namespace{"X": NamespaceMain}}, want: ErrBadOptions},
		{name: "project named like another namespace", opts: Options{ProjectNamespace: "Template"}, want: ErrBadOptions},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("testwiki", tc.title, tc.text, tc.opts)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Parse: error %v, want %v", err, tc.want)
			}
			if !strings.HasPrefix(err.Error(), "wikitext: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
		})
	}
	if _, err := Parse("testwiki", "", "12345678901", Options{MaxBytes: 11}); err != nil {
		t.Errorf("text of exactly MaxBytes: %v", err)
	}
}

func TestDefaultInterwikiPrefixes(t *testing.T) {
	prefixes := DefaultInterwikiPrefixes()
	if len(prefixes) < 300 {
		t.Fatalf("only %d default prefixes", len(prefixes))
	}
	r := newRun(&Options{})
	for _, p := range prefixes {
		if !r.isInterwiki(p) || !r.isInterwiki(strings.ToUpper(p)) {
			t.Errorf("isInterwiki(%q) = false", p)
		}
	}
	for _, p := range []string{"e", "n e", "wikt\nn", "template", "fr\nfrp", ""} {
		if r.isInterwiki(p) {
			t.Errorf("isInterwiki(%q) = true", p)
		}
	}
	prefixes[0] = "changed"
	if DefaultInterwikiPrefixes()[0] == "changed" {
		t.Error("DefaultInterwikiPrefixes shares its slice")
	}
}
