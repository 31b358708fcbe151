package wikitext_test

import (
	"fmt"

	"github.com/ripplestream/ripple/wikitext"
)

// Parse finds what a page's rendering depends on: transcluded templates
// and modules, links, files, categories and Wikibase entity aspects.
func ExampleParse() {
	text := `{{Infobox writer
| name       = Douglas Adams
| birth_date = {{birth date|1952|3|11}}
| image      = Douglas adams portrait cropped.jpg
}}
'''Douglas Adams''' wrote ''[[The Hitchhiker's Guide to the Galaxy|HHGTTG]]''.
Born: {{#property:P569}}.<ref>{{cite web |url=https://example.org |title=Obituary}}</ref>
{{#invoke:Navbox|navbox|title=[[Douglas Adams]]}}
<!-- [[Commented out]] --> <nowiki>{{Not a template}}</nowiki>
[[File:Towel Day.jpg|thumb|[[Towel Day]]]]
[[Category:English novelists]]
[[de:Douglas Adams]]`

	deps, err := wikitext.Parse("enwiki", "Douglas_Adams", text, wikitext.Options{ConnectedEntity: "Q42"})
	if err != nil {
		panic(err)
	}
	fmt.Println("templates: ", deps.Templates)
	fmt.Println("links:     ", deps.Links)
	fmt.Println("files:     ", deps.Files)
	fmt.Println("categories:", deps.Categories)
	fmt.Println("entities:  ", deps.Entities)
	// Output:
	// templates:  [Module:Navbox Template:Birth_date Template:Cite_web Template:Infobox_writer]
	// links:      [The_Hitchhiker's_Guide_to_the_Galaxy Towel_Day]
	// files:      [File:Douglas_adams_portrait_cropped.jpg File:Towel_Day.jpg]
	// categories: [Category:English_novelists]
	// entities:   [{Q42 [C.P569 S]}]
}
