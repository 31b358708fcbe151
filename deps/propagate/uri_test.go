package propagate_test

import (
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ripplestream/ripple/deps"
	"github.com/ripplestream/ripple/deps/pebblestore"
	"github.com/ripplestream/ripple/deps/propagate"
	"github.com/ripplestream/ripple/event"
)

// TestURIsMatchMediaWiki checks the purge URI ripple builds from an
// event's wiki id and page title against the event's own meta.uri, which
// MediaWiki built, for every such event in Wikimedia's captured events and
// schema examples (testdata/SOURCES.md). The page_change events go the
// whole way a change goes: FromPageChange, Engine.Begin, Fanout.Events.
func TestURIsMatchMediaWiki(t *testing.T) {
	examples, err := propagate.LoadSites("testdata/example_sites.yaml")
	if err != nil {
		t.Fatal(err)
	}
	targets := propagate.Targets{Sites: propagate.WikimediaSites().Merge(examples)}
	store, err := pebblestore.Open(pebblestore.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	engine, err := propagate.New(store, propagate.Config{})
	if err != nil {
		t.Fatal(err)
	}
	checked, pageChanges := 0, 0
	err = filepath.WalkDir("testdata/wmf", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".json") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var doc any
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		for _, ev := range withMetaURI(doc) {
			wiki, title, want, domain := fields(ev)
			if wiki == "" || title == "" {
				continue
			}
			var got, gotDomain string
			if ev["page_change_kind"] != nil {
				got, gotDomain = pageChangeURI(t, engine, targets, path, ev)
				pageChanges++
				if gotDomain != domain {
					t.Errorf("%s: meta.domain %q, ripple's %q", path, domain, gotDomain)
				}
			} else {
				key, err := deps.NormalizeTitle(title)
				if err != nil {
					t.Fatalf("%s: %v", path, err)
				}
				site, err := targets.Sites.Site(wiki)
				if err != nil {
					t.Fatalf("%s: %v", path, err)
				}
				got = site.URL(key)
			}
			if got != want {
				t.Errorf("%s: %s:%s\n  MediaWiki's meta.uri %s\n  ripple's             %s", path, wiki, title, want, got)
			}
			checked++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Every event of testdata/wmf that has meta.uri, a wiki id and a title.
	if checked != 25 || pageChanges != 13 {
		t.Fatalf("checked %d events (%d page changes), want 25 (13): were testdata files added or removed?", checked, pageChanges)
	}
}

// withMetaURI returns every JSON object in doc with a string meta.uri.
func withMetaURI(doc any) []map[string]any {
	var out []map[string]any
	switch v := doc.(type) {
	case map[string]any:
		if meta, ok := v["meta"].(map[string]any); ok {
			if _, ok := meta["uri"].(string); ok {
				out = append(out, v)
			}
		}
		for _, c := range v {
			out = append(out, withMetaURI(c)...)
		}
	case []any:
		for _, c := range v {
			out = append(out, withMetaURI(c)...)
		}
	}
	return out
}

// fields returns an event's wiki id (wiki_id, or database in older
// schemas), page title (page_title, or page.page_title in page_change),
// meta.uri and meta.domain.
func fields(ev map[string]any) (wiki, title, uri, domain string) {
	str := func(m map[string]any, k string) string { s, _ := m[k].(string); return s }
	wiki = str(ev, "wiki_id")
	if wiki == "" {
		wiki = str(ev, "database")
	}
	title = str(ev, "page_title")
	if page, ok := ev["page"].(map[string]any); ok && title == "" {
		title = str(page, "page_title")
	}
	meta := ev["meta"].(map[string]any)
	return wiki, title, str(meta, "uri"), str(meta, "domain")
}

// pageChangeURI returns the URI and domain of the purge of the page a
// page_change event changed, as ripple emits it.
func pageChangeURI(t *testing.T, e *propagate.Engine, targets propagate.Targets, path string, ev map[string]any) (string, string) {
	t.Helper()
	b, _ := json.Marshal(ev)
	pc, err := event.JSON[propagate.PageChangeEvent]{}.Decode(b)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	c, err := propagate.FromPageChange(pc)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	now, f, err := e.Begin(context.Background(), c)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	for _, p := range now {
		if p.Page.Title != c.Page.Title {
			continue // a move's old title
		}
		rcs, _, err := f.Events(p, targets, time.Now())
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		return rcs[0].Meta.URI, rcs[0].Meta.Domain
	}
	t.Fatalf("%s: %s of %s purged no page of that title", path, c.Kind, c.Page.Title)
	return "", ""
}
