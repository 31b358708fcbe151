package entitychange_test

import (
	"context"
	"slices"
	"testing"

	"github.com/ripplestream/ripple/deps"
	"github.com/ripplestream/ripple/deps/pebblestore"
	"github.com/ripplestream/ripple/jobs/changeprop"
	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/processor/processortest"
)

// TestChangepropReadsAnItemPageChangeAsAPage: the page_change events of an
// item on wikidatawiki, which changeprop's page change input reads with
// every other wiki's, purge the item's page on www.wikidata.org (and, for
// a creation or deletion, the Wikidata pages linking to it), never a
// client page: neither the users of the entity nor a client page linking
// to a page of the same title. Those are purged by the entity change.
func TestChangepropReadsAnItemPageChangeAsAPage(t *testing.T) {
	store, err := pebblestore.Open(pebblestore.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	for i, p := range []deps.PageDeps{
		{Wiki: "enwiki", Page: deps.PageRef{Title: "Uses_Q34987"}, Entities: []deps.EntityUsage{{ID: "Q34987", Aspects: []deps.Aspect{"X"}}}},
		{Wiki: "enwiki", Page: deps.PageRef{Title: "Links_to_Q34987"}, Links: []string{"Q34987"}},
		{Wiki: "enwiki", Page: deps.PageRef{Title: "Transcludes_Q34987"}, Templates: []string{"Q34987"}},
		{Wiki: "wikidatawiki", Page: deps.PageRef{Title: "Wikidata:Sandbox", Namespace: 4}, Links: []string{"Q34987"}},
	} {
		p.RevID, p.Page.ID = 1, int64(i+1)
		if _, err := store.PutPage(context.Background(), p); err != nil {
			t.Fatal(err)
		}
	}
	cfg := changeprop.Config{Store: store, Purges: "purges"}
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	fan, _, err := changeprop.Jobs(cfg)
	if err != nil {
		t.Fatal(err)
	}
	h := processortest.New(t, fan, processor.Config{})
	for _, tc := range []struct {
		file string
		want []string
	}{
		{"item-edit.json", []string{"https://www.wikidata.org/wiki/Q34987"}},
		{"item-delete.json", []string{"https://www.wikidata.org/wiki/Q34987", "https://www.wikidata.org/wiki/Wikidata:Sandbox"}},
	} {
		ev := pageChange(t, tc.file, "Q34987", nil)
		at(ev, "meta")["stream"] = "mediawiki.page_change.v1"
		h.SendJSON(cfg.PageChanges, "wikidatawiki:Q34987", ev)
		var got []string
		for _, m := range h.Output(cfg.CandidatesStream()) {
			got = append(got, m.Key)
		}
		slices.Sort(got)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: changeprop purged %v, want %v", tc.file, got, tc.want)
		}
	}
	if errs := h.Errors(); len(errs) != 0 {
		t.Fatalf("error records %+v", errs)
	}
}
