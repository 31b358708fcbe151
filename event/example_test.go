package event_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/schemas"
)

// Validate picks the schema from the event's $schema. An invalid event's
// error names the field and the rule it broke, ready for an error topic.
func ExampleRepository_Validate() {
	repo, err := event.OpenRepositoryFS(schemas.FS())
	if err != nil {
		panic(err)
	}

	good := []byte(`{
		"$schema": "/resource_change/1.0.0",
		"meta": {"stream": "purge", "dt": "2020-04-30T11:37:53Z", "uri": "https://it.wikipedia.org/wiki/Francesco_Totti"},
		"tags": ["changeprop"]
	}`)
	fmt.Println(repo.Validate(good))

	bad := []byte(`{
		"$schema": "/ripple/entity/change/1.0.0",
		"meta": {"stream": "ripple.entity_change"},
		"dt": "yesterday",
		"wiki_id": "wikidatawiki", "entity_id": "Q42", "rev_id": 7,
		"aspects": ["L.en"]
	}`)
	err = repo.Validate(bad)
	var ve *event.ValidationError
	if errors.As(err, &ve) {
		fmt.Println(ve.Path, ve.Rule)
	}
	fmt.Println(errors.Is(err, event.ErrInvalid))
	// Output:
	// <nil>
	// /dt format
	// true
}

// Derived events carry the root of their cascade and the chain that led to
// them.
func ExampleDerive() {
	edit := event.New("/mediawiki/page/change/1.2.0", "mediawiki.page_change.v1", time.Date(2024, 10, 4, 15, 16, 26, 0, time.UTC))
	edit.Meta.URI = "https://en.wikipedia.org/wiki/Template:Infobox"

	purge := event.Derive(edit, "/resource_change/1.0.0", "purge", time.Now())
	fmt.Println(purge.RootEvent.Signature, purge.RootEvent.DT.Format(time.RFC3339))
	fmt.Println(purge.TriggeredBy)
	// Output:
	// https://en.wikipedia.org/wiki/Template:Infobox 2024-10-04T15:16:26Z
	// mediawiki.page_change.v1:https://en.wikipedia.org/wiki/Template:Infobox
}

// PeekEnvelope reads the envelope of any event without knowing its type.
func ExamplePeekEnvelope() {
	env, err := event.PeekEnvelope([]byte(`{"$schema": "/mediawiki/page/change/1.2.0", "meta": {"stream": "mediawiki.page_change.v1", "domain": "canary"}, "page": {"page_id": 1}}`))
	if err != nil {
		panic(err)
	}
	fmt.Println(env.SchemaTitle(), env.SchemaVersion(), env.IsCanary())
	// Output: mediawiki/page/change 1.2.0 true
}
