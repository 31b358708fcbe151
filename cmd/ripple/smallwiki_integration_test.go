//go:build integration

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/ripplestream/ripple/deps"
	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/event/mediawiki"
	"github.com/ripplestream/ripple/internal/jobtest"
	"github.com/ripplestream/ripple/internal/kafkaclient"
	"github.com/ripplestream/ripple/internal/storetest"
	"github.com/ripplestream/ripple/internal/testenv"
	"github.com/ripplestream/ripple/jobs/changeprop"
	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/schemas"
)

// smallWiki is the wiki of testdata/smallwiki: each page's file, title,
// page id and connected Wikidata item.
var smallWiki = []struct {
	file, title string
	id          int64
	entity      string
}{
	{"infobox", "Template:Infobox", 1, ""},
	{"infobox-row", "Template:Infobox/row", 2, ""},
	{"documentation", "Template:Documentation", 3, ""},
	{"coordinates", "Module:Coordinates", 4, ""},
	{"paris", "Paris", 5, "Q90"},
	{"france", "France", 6, "Q142"},
	{"lyon", "Lyon", 7, "Q456"},
	{"flag", "File:Flag_of_France.svg", 8, ""},
	{"help-infobox", "Help:Infobox", 9, ""},
}

// TestIntegrationSmallWiki is issue 13's acceptance test: a small wiki
// written as wikitext (testdata/smallwiki: templates with <noinclude>
// documentation, <includeonly> and <onlyinclude> parts, nested templates,
// a module, a file, Wikidata usage) goes through `ripple deps parse` and
// the changeprop jobs on the real broker, on Dgraph and on Pebble, and is
// edited; after each change the purges are exactly the URLs MediaWiki
// would purge, written here by hand from MediaWiki's rules, and nothing
// else.
func TestIntegrationSmallWiki(t *testing.T) {
	storetest.Each(t, "smallwiki_", true, smallWikiRun)
}

func smallWikiRun(t *testing.T, store deps.Store) {
	kc := testenv.Kafka(t)
	cfg := changeprop.Config{
		Name: processor.Group(testenv.Name(t, "smallwiki")), Store: store,
		Dependencies: processor.Stream(testenv.Name(t, "deps")), PageChanges: processor.Stream(testenv.Name(t, "pc")),
		EntityChanges: processor.Stream(testenv.Name(t, "ec")), Purges: processor.Stream(testenv.Name(t, "purge")),
		Rerenders: processor.Stream(testenv.Name(t, "rerender")),
		// Purges are not merged in a window: each step's are sent at once.
		CoalesceWindow: -1,
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, s := range []processor.Stream{cfg.Dependencies, cfg.PageChanges, cfg.EntityChanges} {
		testenv.CreateTopic(t, kc, string(s), 4)
	}
	t.Cleanup(func() {
		testenv.DeleteTopics(t, kc, string(cfg.Name)+"-table", string(cfg.Name)+"-loop", string(cfg.CandidatesStream()),
			string(cfg.Purges), string(cfg.Rerenders), string(cfg.Name)+"-coalesce-table", string(cfg.Name)+".error",
			string(cfg.Name)+"-coalesce.error")
	})
	fan, coalesce, err := changeprop.Jobs(cfg)
	if err != nil {
		t.Fatal(err)
	}
	repo, err := event.OpenRepositoryFS(schemas.FS())
	if err != nil {
		t.Fatal(err)
	}

	// parse runs `ripple deps parse` on a page's file.
	parse := func(file string, rev int64) []byte {
		t.Helper()
		for _, p := range smallWiki {
			if p.file != file {
				continue
			}
			name := p.file
			if rev > 1 {
				name += fmt.Sprintf(".v%d", rev)
			}
			args := []string{"--title", p.title, "--rev", fmt.Sprint(rev), "--page-id", fmt.Sprint(p.id),
				"--in", filepath.Join("testdata", "smallwiki", name+".wikitext")}
			if p.entity != "" {
				args = append(args, "--entity", p.entity)
			}
			var out, errs bytes.Buffer
			if err := run(context.Background(), append([]string{"deps", "parse"}, args...), &out, &errs); err != nil {
				t.Fatalf("ripple deps parse %v: %v\n%s", args, err, errs.String())
			}
			return bytes.TrimSpace(out.Bytes())
		}
		t.Fatalf("no page %s in the small wiki", file)
		return nil
	}
	page := func(file string) (string, int64) {
		for _, p := range smallWiki {
			if p.file == file {
				return p.title, p.id
			}
		}
		t.Fatalf("no page %s", file)
		return "", 0
	}
	send := func(stream processor.Stream, key string, v []byte) {
		t.Helper()
		if err := repo.Validate(v); err != nil {
			t.Fatalf("the test's own event %s: %v", v, err)
		}
		testenv.Produce(t, kc, string(stream), []testenv.Record{{Key: []byte(key), Value: v}})
	}
	stored := func(file string, rev int64) {
		t.Helper()
		title, _ := page(file)
		testenv.Eventually(t, time.Minute, func() error {
			p, ok, err := store.Page(context.Background(), "enwiki", title)
			if err != nil || !ok || p.RevID < rev {
				return fmt.Errorf("%s rev %d not stored yet (%v, %v, rev %d)", title, rev, ok, err, p.RevID)
			}
			return nil
		})
	}
	change := func(kind, file string, rev int64) []byte {
		title, id := page(file)
		ns := map[string]int{"Template": 10, "Module": 828, "File": 6, "Help": 12}[prefix(title)]
		dt := time.Now().UTC().Truncate(time.Millisecond)
		b, err := json.Marshal(map[string]any{
			"$schema": "/mediawiki/page/change/1.2.0", "dt": dt,
			"meta": map[string]any{"stream": "mediawiki.page_change.v1", "dt": dt, "domain": "en.wikipedia.org",
				"uri": "https://en.wikipedia.org/wiki/" + url.PathEscape(title)},
			"wiki_id": "enwiki", "page_change_kind": kind, "changelog_kind": mediawiki.ChangelogKind(kind),
			"page":     map[string]any{"page_id": id, "page_title": title, "namespace_id": ns},
			"revision": map[string]any{"rev_id": rev, "rev_dt": dt},
		})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}

	// The wiki as it stands: every page's dependencies at revision 1 (the
	// help page does not exist yet).
	for _, p := range smallWiki {
		if p.file != "help-infobox" {
			send(cfg.Dependencies, "enwiki:"+p.title, parse(p.file, 1))
		}
	}
	jobtest.Start(t, fan, processor.Config{Brokers: kc.Brokers, StateDir: t.TempDir()})
	jobtest.Start(t, coalesce, processor.Config{Brokers: kc.Brokers, StateDir: t.TempDir()})
	for _, p := range smallWiki {
		if p.file != "help-infobox" {
			stored(p.file, 1)
		}
	}

	const wiki = "https://en.wikipedia.org/wiki/"
	want := map[string]int{}
	for _, step := range []struct {
		what string
		do   func()
		uris []string // what MediaWiki purges, by hand
	}{
		{"an edit of the documentation, used only in the infobox's <noinclude>: the documentation and the infobox's own page, no article",
			func() {
				send(cfg.Dependencies, "enwiki:Template:Documentation", parse("documentation", 2))
				stored("documentation", 2)
				send(cfg.PageChanges, "enwiki:Template:Documentation", change("edit", "documentation", 2))
			},
			[]string{wiki + "Template:Documentation", wiki + "Template:Infobox"}},
		{"an edit of the infobox's <noinclude> part only: its own page alone (what it passes on is unchanged)",
			func() {
				send(cfg.Dependencies, "enwiki:Template:Infobox", parse("infobox", 2))
				stored("infobox", 2)
				send(cfg.PageChanges, "enwiki:Template:Infobox", change("edit", "infobox", 2))
			},
			[]string{wiki + "Template:Infobox"}},
		{"an edit of the row's <onlyinclude> part: the row's page and the articles through the infobox's <includeonly>, not the infobox's own page",
			func() {
				send(cfg.Dependencies, "enwiki:Template:Infobox/row", parse("infobox-row", 2))
				stored("infobox-row", 2)
				send(cfg.PageChanges, "enwiki:Template:Infobox/row", change("edit", "infobox-row", 2))
			},
			[]string{wiki + "Template:Infobox/row", wiki + "Paris", wiki + "France"}},
		{"an edit of the module the infobox invokes: the module's page and the articles",
			func() {
				send(cfg.Dependencies, "enwiki:Module:Coordinates", parse("coordinates", 2))
				stored("coordinates", 2)
				send(cfg.PageChanges, "enwiki:Module:Coordinates", change("edit", "coordinates", 2))
			},
			[]string{wiki + "Module:Coordinates", wiki + "Paris", wiki + "France"}},
		{"the creation of the help page the row links to outside <onlyinclude>: the help page and the row's page, not the articles",
			func() {
				send(cfg.Dependencies, "enwiki:Help:Infobox", parse("help-infobox", 1))
				stored("help-infobox", 1)
				send(cfg.PageChanges, "enwiki:Help:Infobox", change("create", "help-infobox", 1))
			},
			[]string{wiki + "Help:Infobox", wiki + "Template:Infobox/row"}},
		{"an edit of the file's page: the file's page and the article that shows it",
			func() { send(cfg.PageChanges, "enwiki:File:Flag_of_France.svg", change("edit", "flag", 2)) },
			[]string{wiki + "File:Flag_of_France.svg", wiki + "France"}},
		{"a change of the population statement (C.P1082) of Q90: the article that shows it",
			func() {
				dt := time.Now().UTC().Truncate(time.Millisecond)
				b, err := json.Marshal(deps.EntityChange{
					Envelope: event.Envelope{Schema: deps.EntityChangeSchema, Meta: event.Meta{Stream: "ripple.entity_change", ID: event.NewID(), DT: dt,
						Domain: "www.wikidata.org", URI: "https://www.wikidata.org/wiki/Q90"}, DT: dt},
					WikiID: "wikidatawiki", EntityID: "Q90", RevID: 7, Aspects: []string{"C.P1082"}})
				if err != nil {
					t.Fatal(err)
				}
				send(cfg.EntityChanges, "Q90", b)
			},
			[]string{wiki + "Paris"}},
		{"an edit of an article nothing uses: the article alone",
			func() { send(cfg.PageChanges, "enwiki:Lyon", change("edit", "lyon", 2)) },
			[]string{wiki + "Lyon"}},
	} {
		step.do()
		for _, uri := range step.uris {
			want[uri]++
		}
		testenv.Eventually(t, time.Minute, func() error {
			if got := keyCounts(t, kc, string(cfg.CandidatesStream())); sumCounts(got) < sumCounts(want) {
				return fmt.Errorf("after %s: %d of %d purge candidates: %v", step.what, sumCounts(got), sumCounts(want), got)
			}
			return nil
		})
		if got := keyCounts(t, kc, string(cfg.CandidatesStream())); !maps.Equal(got, want) {
			t.Fatalf("after %s, purge candidates per URL:\n got  %v\n want %v", step.what, got, want)
		}
	}
	testenv.Eventually(t, time.Minute, func() error {
		got := keyCounts(t, kc, string(cfg.Purges))
		for uri := range want {
			if got[uri] == 0 {
				return fmt.Errorf("%s not purged; purged %v", uri, slices.Sorted(maps.Keys(got)))
			}
		}
		return nil
	})
	for uri := range keyCounts(t, kc, string(cfg.Purges)) {
		if want[uri] == 0 {
			t.Errorf("%s purged, want not", uri)
		}
	}
	for _, topic := range []string{string(cfg.Name) + ".error", string(cfg.Name) + "-coalesce.error"} {
		if n := len(readIfAny(t, kc, topic)); n != 0 {
			t.Errorf("%d records in %s", n, topic)
		}
	}
}

// prefix returns the namespace prefix of a title ("" for the main one).
func prefix(title string) string {
	for i, r := range title {
		if r == ':' {
			return title[:i]
		}
	}
	return ""
}

// keyCounts counts the records of topic by key.
func keyCounts(t *testing.T, kc kafkaclient.Config, topic string) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, r := range readIfAny(t, kc, topic) {
		out[string(r.Key)]++
	}
	return out
}

func sumCounts(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// readIfAny returns the records of topic, none if it does not exist yet (a
// job creates its outputs when it first needs them).
func readIfAny(t *testing.T, kc kafkaclient.Config, topic string) []testenv.Record {
	t.Helper()
	client, err := sarama.NewClient(kc.Brokers, kc.Sarama())
	if err != nil {
		t.Fatal(err)
	}
	topics, err := client.Topics()
	client.Close()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(topics, topic) {
		return nil
	}
	return testenv.ReadAll(t, kc, topic)
}
