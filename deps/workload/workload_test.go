package workload_test

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ripplestream/ripple/deps"
	"github.com/ripplestream/ripple/deps/workload"
	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/schemas"
)

// TestBaselines holds the oracle and the two broad baselines together:
// for every change, broad purging sends every page the oracle calls for
// and every page kind-aware purging sends, and the oracle's pages are no
// more than kind-aware purging sends.
func TestBaselines(t *testing.T) {
	w, err := workload.Generate(workload.Config{Seed: 4, Pages: 500, Templates: 50, Entities: 100, Changes: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var articleEdits, wider int
	for line, truth := range w.Truth {
		broad := w.BroadPages[line]
		if len(broad) != w.Broad[line] {
			t.Fatalf("line %d: %d broad pages listed, %d counted", line, len(broad), w.Broad[line])
		}
		for _, page := range truth {
			if _, ok := slices.BinarySearch(broad, page); !ok {
				t.Fatalf("line %d (%s): the oracle purges %s, broad purging does not", line, w.Kinds[line], page)
			}
		}
		if k := w.KindAware[line]; k < len(truth) || k > w.Broad[line] {
			t.Fatalf("line %d (%s): kind-aware purging sends %d, the oracle %d, broad %d", line, w.Kinds[line], k, len(truth), w.Broad[line])
		}
		if w.Kinds[line] == workload.ArticleEdit {
			articleEdits++
			if w.Broad[line] > w.KindAware[line] {
				wider++
			}
		}
	}
	if articleEdits == 0 || wider == 0 {
		t.Fatalf("%d article edits, %d with backlinks: broad purging should purge an edited article's backlinks", articleEdits, wider)
	}
}

// TestEntityUsageRoles checks the usage model: sitelinks (S) are used only
// of the item a page is connected to, one at most per page, and the items
// a page names are used for labels (or everything).
func TestEntityUsageRoles(t *testing.T) {
	cfg := workload.Config{Seed: 2, Pages: 300, Templates: 20, Entities: 50, Changes: 100, Items: 3}
	w, err := workload.Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var pages, connected, named int
	for _, l := range w.Lines {
		var ev deps.PageDependencies
		if !strings.Contains(string(l), deps.DependenciesSchema) {
			continue
		}
		if err := json.Unmarshal(l, &ev); err != nil {
			t.Fatal(err)
		}
		pages++
		own := 0
		for _, u := range ev.Entities {
			n, err := strconv.Atoi(strings.TrimPrefix(u.ID, "Q"))
			if err != nil {
				t.Fatalf("%s uses %q", ev.Page.PageTitle, u.ID)
			}
			if n > cfg.Entities { // an item of its own
				own++
				continue
			}
			named++
			for _, a := range u.Aspects {
				if a != "X" && !strings.HasPrefix(a, "L.") {
					t.Errorf("%s uses aspect %s of the item %s it names", ev.Page.PageTitle, a, u.ID)
				}
			}
		}
		if own > 1 {
			t.Errorf("%s is connected to %d items", ev.Page.PageTitle, own)
		}
		connected += own
	}
	if connected < pages/2 || named < pages {
		t.Errorf("%d parses: %d connected to an item, %d named items (want most connected, about %d items each)", pages, connected, named, cfg.Items)
	}
}

// TestEveryLineValidates: every event the generator writes is valid
// against the schema it names in ripple's schema repository, as the
// changeprop job (which validates its inputs) requires.
func TestEveryLineValidates(t *testing.T) {
	w, err := workload.Generate(workload.Config{Seed: 7, Pages: 300, Templates: 30, Entities: 50, Changes: 500, MoveRedirects: 50})
	if err != nil {
		t.Fatal(err)
	}
	repo, err := event.OpenRepositoryFS(schemas.FS())
	if err != nil {
		t.Fatal(err)
	}
	bySchema := map[string]int{}
	for i, line := range w.Lines {
		if err := repo.Validate(line); err != nil {
			t.Fatalf("line %d: %v\n%s", i, err, line)
		}
		env, _ := event.PeekEnvelope(line)
		bySchema[env.SchemaTitle()]++
	}
	for _, title := range []string{"mediawiki/page/change", "ripple/page/dependencies", "ripple/entity/change"} {
		if bySchema[title] == 0 {
			t.Errorf("no %s event among %d lines (%v)", title, len(w.Lines), bySchema)
		}
	}
	t.Logf("%d lines valid: %v", len(w.Lines), bySchema)
}
