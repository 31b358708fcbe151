//go:build integration

package entitychange_test

import (
	"context"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/ripplestream/ripple/deps"
	"github.com/ripplestream/ripple/deps/pebblestore"
	"github.com/ripplestream/ripple/internal/jobtest"
	"github.com/ripplestream/ripple/internal/testenv"
	"github.com/ripplestream/ripple/jobs/changeprop"
	"github.com/ripplestream/ripple/jobs/entitychange"
	"github.com/ripplestream/ripple/processor"
)

// clientPage is a page of a client wiki and what it uses.
type clientPage struct {
	wiki, title string
	ns          int
	uses        []deps.EntityUsage
	links       []string
}

// TestIntegrationEntityFanout runs Wikidata's own streams end to end on
// the real broker: the page_content_change events of two revisions of item
// Q34987 go through the entitychange job into changeprop, whose purges
// reach exactly the client pages whose usage the revision touched. The
// page_change events of the same revisions reach changeprop's page change
// input too, as on Wikimedia, and purge the item's page on Wikidata (and,
// for the creation, the Wikidata pages linking to it), never a client page.
//
// Every topic has one partition, so the purges of a lexeme created after
// the edit come after the edit's: they mark that the edit's are all in.
func TestIntegrationEntityFanout(t *testing.T) {
	kc := testenv.Kafka(t)
	store, err := pebblestore.Open(pebblestore.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	item := func(aspects ...deps.Aspect) []deps.EntityUsage {
		return []deps.EntityUsage{{ID: "Q34987", Aspects: aspects}}
	}
	pages := map[string]clientPage{ // by purge URI
		"https://en.wikipedia.org/wiki/Label_en":         {wiki: "enwiki", title: "Label_en", uses: item("L.en")},
		"https://en.wikipedia.org/wiki/Label_de":         {wiki: "enwiki", title: "Label_de", uses: item("L.de")},
		"https://de.wikipedia.org/wiki/Country":          {wiki: "dewiki", title: "Country", uses: item("C.P17")},
		"https://en.wikipedia.org/wiki/Instance":         {wiki: "enwiki", title: "Instance", uses: item("C.P31")},
		"https://en.wikipedia.org/wiki/Sitelinks":        {wiki: "enwiki", title: "Sitelinks", uses: item("S")},
		"https://en.wikipedia.org/wiki/Everything":       {wiki: "enwiki", title: "Everything", uses: item("X")},
		"https://en.wikipedia.org/wiki/Other_item":       {wiki: "enwiki", title: "Other_item", uses: []deps.EntityUsage{{ID: "Q5", Aspects: []deps.Aspect{"L.en"}}}},
		"https://en.wikipedia.org/wiki/Links_to_Q34987":  {wiki: "enwiki", title: "Links_to_Q34987", links: []string{"Q34987"}},
		"https://www.wikidata.org/wiki/Wikidata:Sandbox": {wiki: "wikidatawiki", title: "Wikidata:Sandbox", ns: 4, links: []string{"Q34987"}},
		"https://en.wiktionary.org/wiki/business":        {wiki: "enwiktionary", title: "business", uses: []deps.EntityUsage{{ID: "L3872", Aspects: []deps.Aspect{"X"}}}},
	}
	id := int64(0)
	for _, p := range pages {
		id++
		pd := deps.PageDeps{Wiki: p.wiki, RevID: 1, Page: deps.PageRef{ID: id, Namespace: deps.Namespace(p.ns), Title: p.title}, Entities: p.uses, Links: p.links}
		if _, err := store.PutPage(context.Background(), pd); err != nil {
			t.Fatal(err)
		}
	}

	cp := changeprop.Config{
		Name: processor.Group(testenv.Name(t, "cp")), Store: store, CoalesceWindow: -1,
		Dependencies: processor.Stream(testenv.Name(t, "deps")), PageChanges: processor.Stream(testenv.Name(t, "pc")),
		EntityChanges: processor.Stream(testenv.Name(t, "ec")), Purges: processor.Stream(testenv.Name(t, "purge")),
		Rerenders: processor.Stream(testenv.Name(t, "rerender")),
	}
	cp = cp.WithDefaults()
	if err := cp.Validate(); err != nil {
		t.Fatal(err)
	}
	ec := entitychange.Config{Name: processor.Group(testenv.Name(t, "entitychange")), Input: processor.Stream(testenv.Name(t, "pcc")), Output: cp.EntityChanges}
	for _, s := range []processor.Stream{ec.Input, cp.Dependencies, cp.PageChanges, cp.EntityChanges} {
		testenv.CreateTopic(t, kc, string(s), 1)
	}
	t.Cleanup(func() {
		testenv.DeleteTopics(t, kc, string(ec.Name)+"-table", string(ec.Name)+".error",
			string(cp.Name)+"-table", string(cp.Name)+"-loop", string(cp.Name)+".error", string(cp.CandidatesStream()),
			string(cp.Purges), string(cp.Rerenders), string(cp.Name)+"-coalesce-table", string(cp.Name)+"-coalesce.error")
	})
	job, err := entitychange.Job(ec)
	if err != nil {
		t.Fatal(err)
	}
	fan, coalesce, err := changeprop.Jobs(cp)
	if err != nil {
		t.Fatal(err)
	}
	jobtest.Start(t, job, processor.Config{Brokers: kc.Brokers, StateDir: t.TempDir()})
	jobtest.Start(t, fan, processor.Config{Brokers: kc.Brokers, StateDir: t.TempDir()})
	jobtest.Start(t, coalesce, processor.Config{Brokers: kc.Brokers, StateDir: t.TempDir()})

	// send produces the page change of one revision to both streams: with
	// its content to the entitychange job, without to changeprop.
	send := func(file, id string, content []byte, rev, parent int64, pageChanges bool) {
		t.Helper()
		ev := withTime(pageChange(t, file, id, content), time.Now())
		if rev != 0 {
			ev = withRevision(ev, rev, parent)
		}
		key := "wikidatawiki:" + id
		testenv.Produce(t, kc, string(ec.Input), []testenv.Record{{Key: []byte(key), Value: encode(t, ev)}})
		if pageChanges {
			delete(at(ev, "revision", "content_slots", "main"), "content_body")
			at(ev, "meta")["stream"] = "mediawiki.page_change.v1"
			testenv.Produce(t, kc, string(cp.PageChanges), []testenv.Record{{Key: []byte(key), Value: encode(t, ev)}})
		}
	}
	const itemPage, sandbox = "https://www.wikidata.org/wiki/Q34987", "https://www.wikidata.org/wiki/Wikidata:Sandbox"

	// Revision 1 creates the item: every user of it, its own page and the
	// Wikidata page linking to it.
	send("item-create.json", "Q34987", entityJSON(t, "item"), 0, 0, true)
	created := []string{"https://en.wikipedia.org/wiki/Label_en", "https://en.wikipedia.org/wiki/Label_de", "https://de.wikipedia.org/wiki/Country",
		"https://en.wikipedia.org/wiki/Instance", "https://en.wikipedia.org/wiki/Sitelinks", "https://en.wikipedia.org/wiki/Everything", itemPage, sandbox}
	first := purged(t, testenv.ReadTopic(t, kc, string(cp.Purges), len(created), 2*time.Minute))
	if want := set(created...); !maps.Equal(first, want) {
		t.Fatalf("the creation purged %v, want %v", keys(first), keys(want))
	}

	// Revision 2 changes the English label and the country (P17): the
	// pages using those, and those using everything. Then the creation of
	// lexeme L3872 marks the end.
	send("item-edit.json", "Q34987", entityJSON(t, "item", relabelEn, recountry), 0, 0, true)
	send("lexeme-create.json", "L3872", entityJSON(t, "lexeme"), 0, 0, false)
	edited := []string{"https://en.wikipedia.org/wiki/Label_en", "https://de.wikipedia.org/wiki/Country", "https://en.wikipedia.org/wiki/Everything",
		itemPage, "https://en.wiktionary.org/wiki/business"}
	all := testenv.ReadTopic(t, kc, string(cp.Purges), len(created)+len(edited), 2*time.Minute)
	if got, want := purged(t, all[len(created):]), set(edited...); !maps.Equal(got, want) {
		t.Fatalf("the edit purged %v, want %v", keys(got), keys(want))
	}
	if n := len(testenv.ReadAll(t, kc, string(cp.Purges))); n != len(created)+len(edited) {
		t.Fatalf("%d purges in all, want %d", n, len(created)+len(edited))
	}
	changes := testenv.ReadAll(t, kc, string(cp.EntityChanges))
	if len(changes) != 3 {
		t.Fatalf("%d entity changes, want 3 (creation, edit, lexeme)", len(changes))
	}
	t.Logf("the edit purged %d of the item's %d users", len(edited)-2, 6)
}

// purged returns the URIs of purge records, failing on a URI purged twice.
func purged(t *testing.T, recs []testenv.Record) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, r := range recs {
		if out[string(r.Key)] {
			t.Fatalf("%s purged twice", r.Key)
		}
		out[string(r.Key)] = true
	}
	return out
}

func set(uris ...string) map[string]bool {
	out := map[string]bool{}
	for _, u := range uris {
		out[u] = true
	}
	return out
}

func keys(m map[string]bool) []string { return slices.Sorted(maps.Keys(m)) }
