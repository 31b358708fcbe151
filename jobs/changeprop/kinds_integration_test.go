//go:build integration

package changeprop_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/ripplestream/ripple/deps"
	"github.com/ripplestream/ripple/deps/propagate"
	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/internal/jobtest"
	"github.com/ripplestream/ripple/internal/storetest"
	"github.com/ripplestream/ripple/internal/testenv"
	"github.com/ripplestream/ripple/jobs/changeprop"
	"github.com/ripplestream/ripple/processor"
)

// TestIntegrationEveryPageChangeKind sends captured page changes of every
// kind, and an edit of a Commons file used on several wikis, to the
// changeprop jobs on the real broker, on each store, and checks the purge
// candidates and the purges: the users of the Commons file on wikis
// without a file of that name are purged, dewiki's (which has its own)
// not; a move that leaves a redirect purges both titles but not the old
// title's linkers and users; a suppressed delete, its undelete and a
// visibility change of the current revision purge the page (and for the
// first two its linker).
func TestIntegrationEveryPageChangeKind(t *testing.T) {
	storetest.Each(t, "cpkinds_", false, everyKind)
}

func everyKind(t *testing.T, store deps.Store) {
	kc := testenv.Kafka(t)
	cfg := changeprop.Config{
		Name: processor.Group(testenv.Name(t, "cpk")), Store: store,
		Dependencies: processor.Stream(testenv.Name(t, "deps")), PageChanges: processor.Stream(testenv.Name(t, "pc")),
		EntityChanges: processor.Stream(testenv.Name(t, "ec")), Purges: processor.Stream(testenv.Name(t, "purge")),
		Rerenders: processor.Stream(testenv.Name(t, "rerender")),
	}
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, s := range []processor.Stream{cfg.Dependencies, cfg.PageChanges, cfg.EntityChanges} {
		testenv.CreateTopic(t, kc, string(s), 4)
	}
	t.Cleanup(func() {
		testenv.DeleteTopics(t, kc, string(cfg.Name)+"-table", string(cfg.Name)+"-loop", string(cfg.CandidatesStream()),
			string(cfg.Purges), string(cfg.Rerenders), string(cfg.Name)+"-coalesce-table")
	})
	fan, coalesce, err := changeprop.Jobs(cfg)
	if err != nil {
		t.Fatal(err)
	}

	const iris, ragwort = "File:Iris_foetidissima_fruit_(05).jpg", "File:Jakobs-Kreuzkraut.jpg"
	pages := []struct {
		wiki, title string
		ns          int
		links       []string
		files       []string
	}{
		{"testwikidatawiki", "Q235989", 0, []string{"P31"}, nil},
		{"testwikidatawiki", "Q1", 0, []string{"Q235989"}, nil},
		{"commonswiki", "Category:Iris_foetidissima", 14, nil, []string{iris}},
		{"commonswiki", "Category:Jacobaea_vulgaris", 14, []string{ragwort}, []string{ragwort}},
		{"enwiki", "Iris_foetidissima", 0, nil, []string{iris}},
		{"frwiki", "Iris_fétide", 0, nil, []string{iris}},
		{"dewiki", "Stinkende_Schwertlilie", 0, nil, []string{iris}},
		{"dewiki", iris, 6, nil, nil},
		{"enwiki", "Jacobaea_vulgaris", 0, nil, []string{ragwort}},
	}
	// Parsed before the captured changes happened (valid events: with dt).
	parsed := time.Date(2024, 9, 1, 0, 0, 0, 0, time.UTC)
	var recs []testenv.Record
	for i, p := range pages {
		ev := deps.PageDependencies{
			Envelope: event.Envelope{Schema: deps.DependenciesSchema, Meta: event.Meta{Stream: "ripple.page_dependencies", DT: parsed}, DT: parsed},
			WikiID:   p.wiki, Page: deps.EventPage{PageID: int64(i + 1), PageTitle: p.title, NamespaceID: p.ns}, RevID: 1,
			Templates: []string{}, Links: orEmpty(p.links), Files: orEmpty(p.files), Entities: []deps.EventEntityUsage{},
		}
		b, err := json.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, testenv.Record{Key: []byte(p.wiki + ":" + p.title), Value: b})
	}
	testenv.Produce(t, kc, string(cfg.Dependencies), recs)

	pcfg := processor.Config{Brokers: kc.Brokers, StateDir: t.TempDir()}
	jobtest.Start(t, fan, pcfg)
	jobtest.Start(t, coalesce, processor.Config{Brokers: kc.Brokers, StateDir: t.TempDir()})
	testenv.Eventually(t, 60*time.Second, func() error {
		for _, p := range pages {
			if _, ok, err := store.Page(context.Background(), p.wiki, p.title); err != nil || !ok {
				return fmt.Errorf("%s:%s not stored yet (%v)", p.wiki, p.title, err)
			}
		}
		return nil
	})

	q235989, q1 := "https://test.wikidata.org/wiki/Q235989", "https://test.wikidata.org/wiki/Q1"
	cands, stopCands := collect(t, kc, string(cfg.CandidatesStream()))
	defer stopCands()
	want := map[string]int{}
	// In the order they happened, each after the purges of the one
	// before, so that the candidates can be counted per change.
	for _, step := range []struct {
		event string
		uris  []string
	}{
		// The Commons file's edit: the file, its users on Commons and
		// on the wikis that lack a file of that name.
		{"mediainfo/edit-mediainfo-item.json", []string{
			"https://commons.wikimedia.org/wiki/File:Iris_foetidissima_fruit_(05).jpg",
			"https://commons.wikimedia.org/wiki/Category:Iris_foetidissima",
			"https://en.wikipedia.org/wiki/Iris_foetidissima",
			"https://fr.wikipedia.org/wiki/Iris_f%C3%A9tide"}},
		// The move that left a redirect: both titles only.
		{"mediainfo/move-mediainfo-item.json", []string{
			"https://commons.wikimedia.org/wiki/File:Jakobs-Kreuzkraut.jpg",
			"https://commons.wikimedia.org/wiki/File:Jacobaea_vulgaris_-_Jakobs-Kreuzkraut.jpg"}},
		{"wikibase/item-page-suppress.json", []string{q235989, q1}},
		{"wikibase/item-undelete-suppressed.json", []string{q235989, q1}},
		{"wikibase/item-visibility-change.json", []string{q235989}},
	} {
		b, err := os.ReadFile(filepath.Join("testdata/page_change_events", step.event))
		if err != nil {
			t.Fatal(err)
		}
		var ev propagate.PageChangeEvent
		if err := json.Unmarshal(b, &ev); err != nil {
			t.Fatal(err)
		}
		testenv.Produce(t, kc, string(cfg.PageChanges), []testenv.Record{{Key: []byte(ev.WikiID + ":" + ev.Page.PageTitle), Value: b}})
		for _, uri := range step.uris {
			want[uri]++
		}
		testenv.Eventually(t, 60*time.Second, func() error {
			if got := cands(); sum(got) < sum(want) {
				return fmt.Errorf("after %s: %d of %d candidates: %v", step.event, sum(got), sum(want), got)
			}
			return nil
		})
		if got := cands(); !maps.Equal(got, want) {
			t.Fatalf("after %s, candidates per URI:\n got  %v\n want %v", step.event, got, want)
		}
	}
	purged, stopPurges := collect(t, kc, string(cfg.Purges))
	defer stopPurges()
	testenv.Eventually(t, 60*time.Second, func() error {
		got := purged()
		for uri := range want {
			if got[uri] == 0 {
				return fmt.Errorf("%s not purged; purged %v", uri, slices.Sorted(maps.Keys(got)))
			}
		}
		return nil
	})
	for uri := range purged() {
		if want[uri] == 0 {
			t.Errorf("%s purged, want not", uri)
		}
	}
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
