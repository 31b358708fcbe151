package entitychange_test

import (
	"context"
	"fmt"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/jobs/entitychange"
)

// Two revisions of an item, as mediawiki.page_content_change.v1 carries
// them, through the job's pure core.
func ExampleDeriver_Apply() {
	d, err := entitychange.NewDeriver(entitychange.Config{})
	if err != nil {
		panic(err)
	}
	revision := func(kind string, rev int64, entity string) entitychange.PageChange {
		ev, err := event.JSON[entitychange.PageChange]{}.Decode([]byte(fmt.Sprintf(`{
			"$schema": "/mediawiki/page/change/1.2.0", "dt": "2024-10-04T15:16:26Z",
			"meta": {"stream": "mediawiki.page_content_change.v1", "uri": "https://www.wikidata.org/wiki/Q42"},
			"wiki_id": "wikidatawiki", "page_change_kind": %q,
			"page": {"page_id": 138, "page_title": "Q42", "namespace_id": 0},
			"revision": {"rev_id": %d, "content_slots": {"main": {"content_model": "wikibase-item", "content_body": %q}}}}`,
			kind, rev, entity)))
		if err != nil {
			panic(err)
		}
		return ev
	}
	ctx := context.Background()
	st, res, _ := d.Apply(ctx, entitychange.State{}, false, revision("create", 1,
		`{"type":"item","id":"Q42","labels":{"en":{"language":"en","value":"Douglas Adams"}},"claims":{}}`))
	fmt.Println(res.Outcome, res.EntityID, res.Aspects)
	_, res, _ = d.Apply(ctx, st, true, revision("edit", 2,
		`{"type":"item","id":"Q42","labels":{"en":{"language":"en","value":"Douglas Noël Adams"}},"claims":{}}`))
	fmt.Println(res.Outcome, res.EntityID, res.Aspects)
	// Output:
	// changed Q42 [X]
	// changed Q42 [L.en]
}
