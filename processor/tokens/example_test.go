package tokens_test

import (
	"fmt"

	"github.com/ripplestream/ripple/processor/tokens"
)

func ExampleTokenize() {
	fmt.Printf("%q\n", tokens.Tokenize("Can't stop: 3.14, 1,000 ＦＵＬＬ Straße! 東京 カタカナ 👍🏽", 0))
	// Output:
	// ["can't" "stop" "3.14" "1,000" "full" "strasse" "東" "京" "カタカナ" "👍🏽"]
}

// A handler of your own can run the core between State and SetState; here
// the state is kept in a variable.
func ExampleTokenizer_Revise() {
	tk, err := tokens.New(tokens.Config{})
	if err != nil {
		panic(err)
	}
	revision := func(rev int64, text string) tokens.PageChange {
		ch := tokens.PageChange{WikiID: "enwiki", Page: tokens.Page{PageID: 7}}
		ch.Revision.RevID = rev
		ch.Revision.ContentSlots = map[string]tokens.Slot{"main": {ContentBody: &text}}
		return ch
	}
	var st tokens.State
	for _, ch := range []tokens.PageChange{
		revision(1, "The cat sat on the mat."),
		revision(2, "The dog sat on the mat."),
		revision(1, "An old revision, delivered late."),
	} {
		next, res, err := tk.Revise(st, ch)
		if err != nil {
			panic(err)
		}
		st = next
		fmt.Println(res.Outcome, res.Delta.Added, res.Delta.Removed)
	}
	fmt.Println("ignored:", st.Ignored)
	// Output:
	// tokenized map[cat:1 mat:1 on:1 sat:1 the:2] map[]
	// tokenized map[dog:1] map[cat:1]
	// stale map[] map[]
	// ignored: 1
}
