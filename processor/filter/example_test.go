package filter_test

import (
	"fmt"

	"github.com/ripplestream/ripple/processor/filter"
)

func ExampleMatcher_Match() {
	m, err := filter.Compile([]filter.Pattern{
		{Text: "cat"},
		{Text: "straße"},
		{Text: `\bv[a4]nd[a4]l`, Regex: true},
	}, filter.Options{CaseInsensitive: true, WholeWord: true})
	if err != nil {
		panic(err)
	}
	for _, m := range m.Match("The CAT sat on the STRASSE; concatenate; V4ND4L!") {
		fmt.Println(m.Pattern, m.Count)
	}
	// Output:
	// cat 1
	// straße 1
	// re:\bv[a4]nd[a4]l 1
}

// A Filter's patterns can be replaced while its stage runs; Watch does the
// same from a file.
func ExampleFilter_Reload() {
	f, err := filter.New(filter.Config{Field: "comment", Patterns: filter.Keywords("spam")})
	if err != nil {
		panic(err)
	}
	ev := []byte(`{"meta":{"stream":"edits"},"comment":"eggs and spam"}`)
	_, matched, _ := f.Apply(ev)
	fmt.Println(matched)
	_ = f.Reload(filter.Keywords("ham"))
	_, matched, _ = f.Apply(ev)
	fmt.Println(matched)
	// Output:
	// true
	// false
}
