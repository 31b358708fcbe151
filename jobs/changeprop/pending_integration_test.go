//go:build integration

package changeprop_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/ripplestream/ripple/deps"
	"github.com/ripplestream/ripple/deps/pebblestore"
	"github.com/ripplestream/ripple/deps/propagate"
	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/internal/jobtest"
	"github.com/ripplestream/ripple/internal/testenv"
	"github.com/ripplestream/ripple/jobs/changeprop"
	"github.com/ripplestream/ripple/processor"
)

// TestIntegrationNewerChangeKeepsOlderWalk sends, in one batch, two
// changes of item Q1 that reach different pages (its English label, then
// its sitelinks) and two of item Q2 where the second reaches all the first
// does (its label, then its label and description), each with a fan-out of
// many steps. The second change of each arrives while the first one's walk
// has barely begun. Every page either change reaches gets a purge
// candidate: the label walk of Q1 goes on, with the sitelink walk waiting
// behind it, while Q2's second walk takes the first one over. (Before
// changeprop.State kept waiting walks, the newer change cut the older walk
// off and the label users of Q1 stayed stale.)
func TestIntegrationNewerChangeKeepsOlderWalk(t *testing.T) {
	const users, batch = 120, 10 // 12 steps per walk
	kc := testenv.Kafka(t)
	store, err := pebblestore.Open(pebblestore.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	ctx := context.Background()
	want := map[string]bool{}
	for i, u := range []struct {
		prefix string
		entity deps.EntityID
		aspect deps.Aspect
	}{{"Label", "Q1", "L.en"}, {"Sitelink", "Q1", "S"}, {"Described", "Q2", "L.en"}} {
		for j := range users {
			title := fmt.Sprintf("%s_%03d", u.prefix, j)
			p := deps.PageDeps{Wiki: "enwiki", RevID: 1, Page: deps.PageRef{ID: int64(i*users + j + 1), Title: title},
				Entities: []deps.EntityUsage{{ID: u.entity, Aspects: []deps.Aspect{u.aspect}}}}
			if _, err := store.PutPage(ctx, p); err != nil {
				t.Fatal(err)
			}
			want["https://en.wikipedia.org/wiki/"+title] = true
		}
	}
	cfg := changeprop.Config{
		Name: processor.Group(testenv.Name(t, "cpw")), Store: store, Engine: propagate.Config{BatchSize: batch},
		Dependencies: processor.Stream(testenv.Name(t, "deps")), PageChanges: processor.Stream(testenv.Name(t, "pc")),
		EntityChanges: processor.Stream(testenv.Name(t, "ec")), Purges: processor.Stream(testenv.Name(t, "purge")),
		Rerenders: processor.Stream(testenv.Name(t, "rerender")),
	}
	for _, s := range []processor.Stream{cfg.Dependencies, cfg.PageChanges, cfg.EntityChanges} {
		testenv.CreateTopic(t, kc, string(s), 2)
	}
	t.Cleanup(func() {
		testenv.DeleteTopics(t, kc, string(cfg.Name)+"-table", string(cfg.Name)+"-loop", string(cfg.CandidatesStream()))
	})
	fan, _, err := changeprop.Jobs(cfg)
	if err != nil {
		t.Fatal(err)
	}

	// Produced before the job starts, so that it reads each pair in one
	// fetch: the second change is processed before the first walk's
	// first step comes back through the loopback.
	dt := time.Now().UTC().Truncate(time.Millisecond)
	var recs []testenv.Record
	for i, c := range []struct {
		entity  string
		aspects []string
	}{{"Q1", []string{"L.en"}}, {"Q1", []string{"S"}}, {"Q2", []string{"L.en"}}, {"Q2", []string{"L.en", "D.en"}}} {
		at := dt.Add(time.Duration(i) * time.Second)
		b, err := json.Marshal(deps.EntityChange{
			Envelope: event.Envelope{Schema: deps.EntityChangeSchema, Meta: event.Meta{Stream: "ripple.entity_change", ID: event.NewID(), DT: at,
				Domain: "www.wikidata.org", URI: "https://www.wikidata.org/wiki/" + c.entity}, DT: at},
			WikiID: "wikidatawiki", EntityID: c.entity, RevID: int64(i + 1), Aspects: c.aspects})
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, testenv.Record{Key: []byte(c.entity), Value: b})
	}
	testenv.Produce(t, kc, string(cfg.EntityChanges), recs)

	cands, stop := collect(t, kc, string(cfg.CandidatesStream()))
	defer stop()
	jobtest.Start(t, fan, processor.Config{Brokers: kc.Brokers, StateDir: t.TempDir()})
	testenv.Eventually(t, 120*time.Second, func() error {
		got := cands()
		var missing []string
		for uri := range want {
			if got[uri] == 0 {
				missing = append(missing, uri)
			}
		}
		if len(missing) > 0 {
			return fmt.Errorf("%d of %d pages without a purge candidate, such as %s", len(missing), len(want), missing[0])
		}
		return nil
	})
	for uri, n := range cands() {
		if !want[uri] {
			t.Errorf("a candidate for %s, which neither item's changes reach", uri)
		}
		if n > 2 {
			t.Errorf("%s had %d candidates; each walk purges a page once", uri, n)
		}
	}
}
