package entity

import (
	"testing"
	"time"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/schemas"
)

// TestChangeFitsTheEventSchema builds change events, root and derived,
// from real aspects, and validates them against the project's schema.
func TestChangeFitsTheEventSchema(t *testing.T) {
	repo, err := event.OpenRepositoryFS(schemas.FS())
	if err != nil {
		t.Fatal(err)
	}
	q42 := readQ42(t)
	next := edit(t, q42, func(e map[string]any) {
		obj(e, "labels", "en")["value"] = "Douglas N. Adams"
		obj(e, "sitelinks", "enwiki")["title"] = "Douglas N. Adams"
		obj(e, "claims")["P800"] = []any{statement("P800", "Q25169")}
	})
	aspects, err := ChangedAspects(q42, next, Options{ClientSite: "enwiki"})
	if err != nil {
		t.Fatal(err)
	}
	dt := time.Date(2024, 10, 4, 15, 16, 26, 0, time.UTC)
	pageChange := event.New("/mediawiki/page/change/1.2.0", "mediawiki.page_change.v1", dt)
	pageChange.Meta.URI = "https://www.wikidata.org/wiki/Q42"
	derived := NewChange("ripple.entity_change", dt, "wikidatawiki", "Q42", 2254470002, aspects)
	derived.Envelope = event.Derive(pageChange, ChangeSchema, "ripple.entity_change", dt)
	for name, c := range map[string]Change{
		"root":       NewChange("ripple.entity_change", dt, "wikidatawiki", "Q42", 2254470002, aspects),
		"derived":    derived,
		"no aspects": NewChange("ripple.entity_change", dt, "wikidatawiki", "Q42", 2254470002, nil),
		"created":    NewChange("ripple.entity_change", dt, "wikidatawiki", "Q42", 1, []string{"X"}),
	} {
		t.Run(name, func(t *testing.T) {
			data, err := event.JSON[Change]{}.Encode(c)
			if err != nil {
				t.Fatal(err)
			}
			if err := repo.Validate(data); err != nil {
				t.Fatalf("%v\n%s", err, data)
			}
		})
	}
}

func TestNewChangeCopiesAspects(t *testing.T) {
	aspects := []string{"L.en"}
	c := NewChange("s", time.Now(), "wikidatawiki", "Q42", 1, aspects)
	aspects[0] = "X"
	if c.Aspects[0] != "L.en" {
		t.Error("NewChange shares the caller's slice")
	}
	if c.Schema != ChangeSchema || c.Meta.ID == "" || c.Meta.Stream != "s" {
		t.Errorf("envelope %+v", c.Envelope)
	}
}
