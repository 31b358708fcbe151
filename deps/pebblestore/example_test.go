package pebblestore_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/ripplestream/ripple/deps"
	"github.com/ripplestream/ripple/deps/pebblestore"
)

// Store the dependencies of two pages, then page through the transcluders of
// a template the way the propagation engine does, keeping the cursor.
func Example() {
	dir, err := os.MkdirTemp("", "deps")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	s, err := pebblestore.Open(pebblestore.Config{Dir: dir})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()

	for i, title := range []string{"Douglas Adams", "Terry Pratchett", "Neil Gaiman"} {
		_, err := s.PutPage(ctx, deps.PageDeps{
			Wiki:      "enwiki",
			Page:      deps.PageRef{ID: int64(i + 1), Title: title},
			RevID:     100,
			Templates: []string{"Template:Infobox writer"},
		})
		if err != nil {
			log.Fatal(err)
		}
	}

	q := deps.Query{Wiki: "enwiki", Edge: deps.Transcludes, Target: "Template:Infobox_writer", Limit: 2}
	for {
		page, next, err := s.Dependents(ctx, q)
		if err != nil {
			log.Fatal(err)
		}
		for _, d := range page {
			fmt.Println(d.Page.Title)
		}
		if next == "" {
			break
		}
		fmt.Println("-- resume later from the cursor")
		q.After = next
	}
	// Output:
	// Douglas_Adams
	// Neil_Gaiman
	// -- resume later from the cursor
	// Terry_Pratchett
}
