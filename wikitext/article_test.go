package wikitext

import (
	"slices"
	"testing"
)

// The snippets below are written for these tests in the style of real
// pages (an English Wikipedia biography, an infobox template, an archived
// talk page, a German-style city article that reads Wikidata). They are not
// copies of wiki pages.

// biography is the wikitext of an article: maintenance templates, an
// infobox with nested templates, citations, a file, a gallery, notes,
// navigation boxes, categories and language links.
const biography = `{{Short description|English writer and humorist (1952–2001)}}
{{Use British English|date=February 2019}}
{{Use dmy dates|date=February 2020}}
{{Infobox writer <!-- For more information see [[:Template:Infobox Writer/doc]]. -->
| name          = Douglas Adams
| image         = Douglas adams portrait cropped.jpg
| caption       = Adams at a signing in 2000
| birth_name    = Douglas Noël Adams
| birth_date    = {{birth date|1952|3|11|df=yes}}
| birth_place   = [[Cambridge]], England
| death_date    = {{death date and age|2001|5|11|1952|3|11|df=yes}}
| death_place   = [[Santa Barbara, California]], U.S.
| occupation    = {{hlist|Writer|humorist|dramatist}}
| genre         = [[Science fiction]], [[comedy]], [[satire]]
| notableworks  = ''[[The Hitchhiker's Guide to the Galaxy]]''
| spouse        = {{marriage|Jane Belson|1991}}
| website       = {{URL|douglasadams.com}}
}}
'''Douglas Noël Adams''' (11 March 1952&nbsp;– 11 May 2001) was an English author, [[humorist]], and [[screenwriter]], best known for ''[[The Hitchhiker's Guide to the Galaxy]]'' (''HHGTTG'').<ref name="bbc-obit">{{cite news |url=http://news.bbc.co.uk/2/hi/uk_news/1325875.stm |title=Hitchhiker's author Douglas Adams dies |work=[[BBC News]] |date=14 May 2001 |access-date=2 March 2008}}</ref> Originally a [[BBC Radio 4|radio comedy]] broadcast in 1978, it became a "trilogy" of five books.<ref>{{Cite book |last=Simpson |first=M. J. |title=Hitchhiker: A Biography of Douglas Adams |publisher=Justin, Charles & Co. |year=2003 |isbn=978-1-932112-17-2 |page=236}}</ref>

== Early life ==
Adams was born in [[Cambridge]]<!-- not [[Cambridge, Massachusetts]] -->.{{sfn|Webb|2005|p=32}} He attended [[Brentwood School, Essex|Brentwood School]]<ref>{{cite web |url=https://www.brentwoodschool.co.uk/ |title=Brentwood School |archive-url=https://web.archive.org/web/2008/http://www.brentwoodschool.co.uk/prospectus.pdf }}</ref>; see [[#Career|below]].

[[File:Douglas Adams San Francisco.jpg|thumb|upright|Adams in [[San Francisco]] in 2000{{citation needed|date=May 2020}}]]

== Career ==
Fans write the date as <nowiki>{{Towel Day}}</nowiki> in their user pages; Adams used [[Apple Inc.|Apple]] computers.{{#tag:ref|He owned one of the first Macintosh computers sold in Britain.|group=note}}

=== Gallery ===
<gallery mode="packed">
File:Douglas Adams Towel Day.jpg|[[Towel Day]] in [[Innsbruck]]
Image:Adams grave.jpg|His grave in [[Highgate Cemetery]]
</gallery>

== References ==
{{Reflist}}
{{notelist}}

== External links ==
{{Sister project links|d=Q42|wikt=no|voy=no}}
* {{Official website|http://douglasadams.com}}
* {{IMDb name|0010930}}
{{Douglas Adams}}
{{Authority control}}

{{DEFAULTSORT:Adams, Douglas}}
[[Category:1952 births]]
[[Category:2001 deaths]]
[[Category:English humorists|Adams, Douglas]]
<!-- Interlanguage links come from Wikidata; these are leftovers -->
[[de:Douglas Adams]]
[[fr:Douglas Adams]]
`

// infoboxTemplate is the source of an infobox template built on
// Module:Infobox, with parameter defaults read from Wikidata, a parameter
// check, tracking categories and its documentation.
const infoboxTemplate = `{{#invoke:Infobox|infobox
| child = {{{child|{{{embed|}}}}}}
| bodyclass = vcard
| templatestyles = Infobox writer/styles.css
| above = {{#if:{{{name|}}}|{{{name}}}|{{PAGENAMEBASE}}}}
| image = {{#invoke:InfoboxImage|InfoboxImage|image={{{image|}}}|size={{{image_size|}}}|alt={{{alt|}}}}}
| caption = {{{caption|}}}
| label1 = Born
| data1 = {{br separated entries|{{{birth_name|}}}|{{{birth_date|}}}|{{{birth_place|}}}}}
| label2 = Occupation
| data2 = {{{occupation|{{#property:P106}}}}}
| label3 = Notable awards
| data3 = {{{awards|{{#statements:P166|from={{{qid|}}}}}}}}
}}{{#invoke:Check for unknown parameters|check|unknown={{main other|[[Category:Pages using infobox writer with unknown parameters|_VALUE_{{PAGENAME}}]]}}|preview=Page using [[Template:Infobox writer]] with unknown parameter "_VALUE_"| alt | awards | birth_date }}<includeonly>{{#if:{{{image|}}}||{{main other|[[Category:Writers without images]]}}}}</includeonly><noinclude>
{{Documentation}}
<templatestyles src="Infobox writer/styles.css" />
</noinclude>`

// talkArchive is an archived talk page: relative links to its sibling
// archives, signatures and reply templates.
const talkArchive = `{{Talk archive}}
{{Archives|search=yes}}
== Birth place ==
Was he born in [[Cambridge]] or in [[Cambridge, Massachusetts|Cambridge, MA]]? See [[/Archive 3#Birthplace]] and [[../Archive 1]]. [[User:Example|Example]] ([[User talk:Example|talk]]) 12:00, 1 May 2008 (UTC)
:It is [[Cambridge]]: {{tq|born in Cambridge}} per [[WP:RS]]. [[User:Other]] ([[User talk:Other#top|talk]]) 13:05, 1 May 2008 (UTC)
::{{ping|Example}} {{done}} <small>—&nbsp;[[Special:Contributions/192.0.2.1|192.0.2.1]]</small>
{{reflist-talk}}
[[:Category:English humorists]] may help.`

// cityArticle is a city article on a wiki whose infobox reads Wikidata
// directly, with a clickable map and a localized category namespace.
const cityArticle = `{{Infobox Stadt
| Einwohner = {{#property:P1082}}
| Bürgermeister = {{#property:P6|from=Q64}}
| Karte = {{#invoke:Mapframe|main|id={{#property:P402}}}}
}}
'''Berlin''' ist die Hauptstadt der [[Deutschland|Bundesrepublik Deutschland]].
<imagemap>
File:Berlin Bezirke.svg|300px|Bezirke
poly 10 10 20 20 30 10 [[Mitte (Bezirk)|Mitte]]
rect 40 40 60 60 [[Berlin-Pankow|Pankow]]
desc none
</imagemap>
Das Brandenburger Tor: {{#statements:P18|from=Q82425}}
<math>\frac{a}{b}</math> <syntaxhighlight lang="lua">local x = "{{not a template}}"</syntaxhighlight>
[[Kategorie:Berlin]]
[[Kategorie:Hauptstadt in Europa| ]]
[[en:Berlin]] [[:en:Berlin]]`

// articleCase is a realistic page with what Parse must find in it.
type articleCase struct {
	name  string
	title string
	text  string
	opts  Options
	want  Deps
}

// articles returns the realistic cases. Lists in want are in any order.
func articles() []articleCase {
	return []articleCase{{
		name: "biography", title: "Douglas Adams", text: biography, opts: Options{ConnectedEntity: "Q42"},
		want: Deps{
			Templates: []string{"Template:Short_description", "Template:Use_British_English", "Template:Use_dmy_dates",
				"Template:Infobox_writer", "Template:Birth_date", "Template:Death_date_and_age", "Template:Hlist",
				"Template:Marriage", "Template:URL", "Template:Cite_news", "Template:Cite_book", "Template:Sfn",
				"Template:Cite_web", "Template:Citation_needed", "Template:Reflist", "Template:Notelist",
				"Template:Sister_project_links", "Template:Official_website", "Template:IMDb_name",
				"Template:Douglas_Adams", "Template:Authority_control"},
			Links: []string{"Cambridge", "Santa_Barbara,_California", "Science_fiction", "Comedy", "Satire",
				"The_Hitchhiker's_Guide_to_the_Galaxy", "Humorist", "Screenwriter", "BBC_News", "BBC_Radio_4",
				"Brentwood_School,_Essex", "San_Francisco", "Apple_Inc.", "Towel_Day", "Innsbruck", "Highgate_Cemetery"},
			Files: []string{"File:Douglas_adams_portrait_cropped.jpg", "File:Douglas_Adams_San_Francisco.jpg",
				"File:Douglas_Adams_Towel_Day.jpg", "File:Adams_grave.jpg"},
			Categories: []string{"Category:1952_births", "Category:2001_deaths", "Category:English_humorists"},
			Entities:   []EntityUsage{{ID: "Q42", Aspects: []string{"S"}}},
		},
	}, {
		name: "infobox template", title: "Template:Infobox writer", text: infoboxTemplate,
		want: Deps{
			Templates: []string{"Module:Infobox", "Module:InfoboxImage", "Module:Check_for_unknown_parameters",
				"Template:PAGENAMEBASE", "Template:Br_separated_entries", "Template:Main_other",
				"Template:Documentation", "Template:Infobox_writer/styles.css"},
			Categories: []string{"Category:Pages_using_infobox_writer_with_unknown_parameters"},
			// Transcluders get neither the documentation nor the style
			// sheet, but the includeonly category and the link to the
			// template, which is no self-link on their page.
			PassesOn: &Sets{
				Templates: []string{"Module:Infobox", "Module:InfoboxImage", "Module:Check_for_unknown_parameters",
					"Template:PAGENAMEBASE", "Template:Br_separated_entries", "Template:Main_other"},
				Links:      []string{"Template:Infobox_writer"},
				Files:      []string{},
				Categories: []string{"Category:Pages_using_infobox_writer_with_unknown_parameters", "Category:Writers_without_images"},
				Entities:   []EntityUsage{},
			},
		},
	}, {
		name: "talk archive", title: "Talk:Douglas Adams/Archive 2", text: talkArchive,
		opts: Options{NamespaceAliases: map[string]Namespace{"WP": NamespaceProject}},
		want: Deps{
			Templates: []string{"Template:Talk_archive", "Template:Archives", "Template:Tq", "Template:Ping",
				"Template:Done", "Template:Reflist-talk"},
			Links: []string{"Cambridge", "Cambridge,_Massachusetts", "Talk:Douglas_Adams/Archive_2/Archive_3",
				"Talk:Douglas_Adams/Archive_1", "User:Example", "User_talk:Example", "Wikipedia:RS", "User:Other",
				"User_talk:Other", "Category:English_humorists"},
		},
	}, {
		name: "city reading Wikidata", title: "Berlin", text: cityArticle,
		opts: Options{ConnectedEntity: "Q64", ProjectNamespace: "Wikipedia", NamespaceAliases: map[string]Namespace{"Kategorie": NamespaceCategory}},
		want: Deps{
			Templates:  []string{"Template:Infobox_Stadt", "Module:Mapframe"},
			Links:      []string{"Deutschland", "Mitte_(Bezirk)", "Berlin-Pankow"},
			Files:      []string{"File:Berlin_Bezirke.svg"},
			Categories: []string{"Category:Berlin", "Category:Hauptstadt_in_Europa"},
			Entities: []EntityUsage{
				{ID: "Q64", Aspects: []string{"C.P1082", "C.P402", "C.P6", "S"}},
				{ID: "Q82425", Aspects: []string{"C.P18"}},
			},
		},
	}}
}

func TestParseArticles(t *testing.T) {
	for _, tc := range articles() {
		t.Run(tc.name, func(t *testing.T) {
			want := withEmptyLists(tc.want)
			for _, l := range [][]string{want.Templates, want.Links, want.Files, want.Categories} {
				slices.Sort(l)
			}
			if p := want.PassesOn; p != nil {
				for _, l := range [][]string{p.Templates, p.Links, p.Files, p.Categories} {
					slices.Sort(l)
				}
			}
			checkParse(t, parseCase{name: tc.name, title: tc.title, text: tc.text, opts: tc.opts, want: want})
		})
	}
}
