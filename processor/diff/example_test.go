package diff_test

import (
	"fmt"
	"strings"

	"github.com/ripplestream/ripple/processor/diff"
)

func ExampleLines() {
	old := "== Cities ==\n* [[Paris]]\n* [[London]]\n"
	new := "== Cities ==\n* [[Paris]]\n* [[Berlin]]\n* [[London]]\n"
	chunks, exact := diff.Lines(old, new, 100)
	for _, c := range chunks {
		for _, l := range c.Lines {
			fmt.Printf("%s %s\n", c.Op, strings.TrimSuffix(l, "\n"))
		}
	}
	applied, _ := diff.Apply(old, chunks)
	fmt.Println(exact, applied == new)
	// Output:
	// = == Cities ==
	// = * [[Paris]]
	// + * [[Berlin]]
	// = * [[London]]
	// true true
}

// A handler of your own can run the core between State and SetState; here
// the state is kept in a variable.
func ExampleDiffer_Revise() {
	d, err := diff.New(diff.Config{})
	if err != nil {
		panic(err)
	}
	revision := func(kind string, rev int64, text string) diff.PageChange {
		ch := diff.PageChange{WikiID: "enwiki", PageChangeKind: kind, Page: diff.Page{PageID: 7, PageTitle: "Foo"}}
		ch.Revision.RevID = rev
		ch.Revision.ContentSlots = map[string]diff.Slot{"main": {ContentBody: &text}}
		return ch
	}
	var st diff.State
	for _, ch := range []diff.PageChange{
		revision("create", 1, "See [[Paris]].\n{{Stub}}\n"),
		revision("edit", 3, "See [[Berlin]].\n{{Stub}}\n[[Category:Cities]]\n"),
		revision("edit", 2, "A revision that arrived late.\n"),
	} {
		next, res, err := d.Revise(st, ch)
		if err != nil {
			panic(err)
		}
		st = next
		fmt.Println(res.Outcome, res.Deps.Links, res.Deps.Categories.Added, res.Words.Added)
	}
	fmt.Println("stale:", st.Stale)
	// Output:
	// diffed {[Paris] []} [] map[paris:1 see:1 stub:1]
	// diffed {[Berlin] [Paris]} [Category:Cities] map[berlin:1 category:cities:1]
	// stale {[] []} [] map[]
	// stale: 1
}
