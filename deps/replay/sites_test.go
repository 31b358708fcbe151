package replay_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/ripplestream/ripple/deps"
	"github.com/ripplestream/ripple/deps/pebblestore"
	"github.com/ripplestream/ripple/deps/propagate"
	"github.com/ripplestream/ripple/deps/replay"
	"github.com/ripplestream/ripple/event"
)

// TestReplaySites: purge URIs come from the site table, with mobile URLs
// when asked, and a line on a wiki the table lacks is a bad line that
// names the wiki, never a guessed domain.
func TestReplaySites(t *testing.T) {
	var in strings.Builder
	line := func(v any) {
		j, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		in.Write(append(j, '\n'))
	}
	deps1 := func(wiki, title string) deps.PageDependencies {
		return deps.PageDependencies{
			Envelope: event.Envelope{Schema: deps.DependenciesSchema, Meta: event.Meta{Stream: "deps", DT: start}, DT: start},
			WikiID:   wiki, Page: deps.EventPage{PageID: 1, PageTitle: title, NamespaceID: 0}, RevID: 1,
			Templates: []string{"Template:Q&A"}, Links: []string{}, Files: []string{}, Entities: []deps.EventEntityUsage{},
		}
	}
	edit := func(wiki, title string, ns int) map[string]any {
		return map[string]any{"$schema": "/mediawiki/page/change/1.2.0", "dt": start,
			"meta":    map[string]any{"stream": "mediawiki.page_change.v1", "dt": start},
			"wiki_id": wiki, "page_change_kind": "edit", "page": map[string]any{"page_id": 2, "page_title": title, "namespace_id": ns}}
	}
	line(deps1("enwiki", "Wow!"))
	line(deps1("foundationwiki", "Donate")) // bad: unknown wiki
	line(edit("enwiki", "Template:Q&A", 10))
	line(edit("foundationwiki", "Template:Q&A", 10)) // bad: unknown wiki

	store, err := pebblestore.Open(pebblestore.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	var got []string
	var out, errs bytes.Buffer
	cfg := replay.Config{Window: -1, MobilePurges: true, Batch: 1,
		Emitted: func(rc propagate.ResourceChange, _ time.Time) { got = append(got, rc.Meta.URI) }}
	sum, err := replay.Run(context.Background(), store, strings.NewReader(in.String()), &out, &errs, cfg)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"https://en.wikipedia.org/wiki/Template:Q%26A", "https://en.m.wikipedia.org/wiki/Template:Q%26A",
		"https://en.wikipedia.org/wiki/Wow!", "https://en.m.wikipedia.org/wiki/Wow!",
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("purged %q, want %q", got, want)
	}
	if sum.Bad != 2 || strings.Count(errs.String(), `unknown wiki "foundationwiki"`) != 2 {
		t.Fatalf("summary %v, messages:\n%s\nwant the two foundationwiki lines bad, naming the wiki", sum, errs.String())
	}
	if _, ok, err := store.Page(context.Background(), "foundationwiki", "Donate"); err != nil || ok {
		t.Fatalf("the dependency set of an unknown wiki was stored (%v)", err)
	}
}
