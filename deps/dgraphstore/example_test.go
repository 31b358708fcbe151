package dgraphstore_test

import (
	"context"
	"fmt"
	"log"

	"github.com/ripplestream/ripple/deps"
	"github.com/ripplestream/ripple/deps/dgraphstore"
)

// Open a store on a Dgraph alpha and find the pages that show the English
// label of Q42. (Not run: it needs a Dgraph server.)
func ExampleOpen() {
	ctx := context.Background()
	s, err := dgraphstore.Open(ctx, dgraphstore.Config{Addrs: []string{"127.0.0.1:9080"}})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	q := deps.Query{Edge: deps.UsesEntity, Target: "Q42", Aspects: []deps.Aspect{deps.LabelAspect("en")}}
	for {
		page, next, err := s.Dependents(ctx, q)
		if err != nil {
			log.Fatal(err)
		}
		for _, d := range page {
			fmt.Println(d.Wiki, d.Page.Title, d.Aspects)
		}
		if next == "" {
			break
		}
		q.After = next
	}
}
