package entity_test

import (
	"fmt"
	"time"

	"github.com/ripplestream/ripple/deps/entity"
	"github.com/ripplestream/ripple/event"
)

// ChangedAspects compares two revisions of an entity. Here an edit renamed
// the English label and the English Wikipedia sitelink, and added a
// statement; the German description stayed, though reformatted.
func ExampleChangedAspects() {
	prior := []byte(`{"id": "Q42", "lastrevid": 1,
		"labels": {"en": {"language": "en", "value": "Douglas Adams"}},
		"descriptions": {"de": {"language": "de", "value": "britischer Schriftsteller"}},
		"sitelinks": {"enwiki": {"site": "enwiki", "title": "Douglas Adams", "badges": []}},
		"claims": {}}`)
	next := []byte(`{"id": "Q42", "lastrevid": 2,
		"labels": {"en": {"language": "en", "value": "Douglas Noël Adams"}},
		"descriptions": {"de": {"value": "britischer Schriftsteller", "language": "de"}},
		"sitelinks": {"enwiki": {"site": "enwiki", "title": "Douglas Noël Adams", "badges": []}},
		"claims": {"P31": [{"mainsnak": {"snaktype": "value", "property": "P31",
			"datavalue": {"value": {"entity-type": "item", "id": "Q5"}, "type": "wikibase-entityid"}},
			"type": "statement", "rank": "normal"}]}}`)

	aspects, err := entity.ChangedAspects(prior, next, entity.Options{ClientSite: "enwiki"})
	if err != nil {
		panic(err)
	}
	fmt.Println(aspects)

	created, _ := entity.ChangedAspects(nil, next, entity.Options{})
	fmt.Println(created)
	// Output:
	// [C.P31 L.en S T]
	// [X]
}

// NewChange builds the event that carries the aspects downstream.
func ExampleNewChange() {
	dt := time.Date(2024, 10, 4, 15, 16, 26, 0, time.UTC)
	c := entity.NewChange("ripple.entity_change", dt, "wikidatawiki", "Q42", 2254470001, []string{"C.P31", "L.en"})
	c.Meta.Domain = "www.wikidata.org"
	c.Meta.URI = "https://www.wikidata.org/wiki/Q42"

	data, err := event.JSON[entity.Change]{}.Encode(c)
	if err != nil {
		panic(err)
	}
	env, _ := event.PeekEnvelope(data)
	fmt.Println(env.Schema, env.Meta.Stream, env.DT.Format(time.RFC3339))
	fmt.Println(c.EntityID, c.RevID, c.Aspects)
	// Output:
	// /ripple/entity/change/1.0.0 ripple.entity_change 2024-10-04T15:16:26Z
	// Q42 2254470001 [C.P31 L.en]
}
