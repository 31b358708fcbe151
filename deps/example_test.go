package deps_test

import (
	"fmt"

	"github.com/ripplestream/ripple/deps"
)

// A label change in English touches pages that show the English label, the
// collapsed "any label" usage and pages that use everything, but not pages
// that use statements of P31.
func ExampleAspect_Matches() {
	changed := []deps.Aspect{deps.LabelAspect("en")}
	for _, usage := range []deps.Aspect{"L.en", "L.de", "L", "X", "C.P31"} {
		fmt.Println(usage, usage.Matches(changed))
	}
	// Output:
	// L.en true
	// L.de false
	// L true
	// X true
	// C.P31 false
}

// A page that shows labels in more languages than the limit is stored as
// using labels in every language.
func ExampleCollapse() {
	usage := []deps.Aspect{"S", "L.en", "L.de", "L.fr"}
	fmt.Println(deps.Collapse(usage, deps.CollapseLimits{}))
	fmt.Println(deps.Collapse(usage, deps.CollapseLimits{Labels: 2}))
	// Output:
	// [L.de L.en L.fr S]
	// [L S]
}

// Diff tells what a new parse of a page changed in its dependencies.
func ExampleDiff() {
	limits := deps.CollapseLimits{}
	prev, _ := deps.PageDeps{Wiki: "enwiki", Page: deps.PageRef{Title: "Douglas Adams"}, RevID: 1,
		Templates: []string{"Template:Infobox writer", "Template:Cite web"}}.Normalize(limits)
	next, _ := deps.PageDeps{Wiki: "enwiki", Page: deps.PageRef{Title: "Douglas Adams"}, RevID: 2,
		Templates: []string{"Template:Infobox writer"},
		Entities:  []deps.EntityUsage{{ID: "Q42", Aspects: []deps.Aspect{"S", "L.en"}}}}.Normalize(limits)
	added, removed := deps.Diff(prev, next)
	fmt.Println("added:", added)
	fmt.Println("removed:", removed)
	// Output:
	// added: [{uses_entity Q42 [L.en S]}]
	// removed: [{transcludes Template:Cite_web []}]
}
