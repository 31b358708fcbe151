package entitychange_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/ripplestream/ripple/deps/entity"
	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/jobs/entitychange"
	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/processor/processortest"
	"github.com/ripplestream/ripple/schemas"
)

// harness runs the job in memory with cfg.
func harness(t *testing.T, cfg entitychange.Config) (*processortest.Harness[entitychange.State], entitychange.Config) {
	t.Helper()
	job, err := entitychange.Job(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return processortest.New(t, job, processor.Config{}), cfg.WithDefaults()
}

// changes returns the entity changes emitted since the last call, checked
// against their schema and keyed by their entity id.
func changes(t *testing.T, h *processortest.Harness[entitychange.State], cfg entitychange.Config) []entity.Change {
	t.Helper()
	repo, err := event.OpenRepositoryFS(schemas.FS())
	if err != nil {
		t.Fatal(err)
	}
	var out []entity.Change
	for _, m := range h.Output(cfg.Output) {
		if err := repo.Validate(m.Value); err != nil {
			t.Fatalf("entity change does not validate: %v\n%s", err, m.Value)
		}
		c, err := event.JSON[entity.Change]{}.Decode(m.Value)
		if err != nil {
			t.Fatal(err)
		}
		if m.Key != c.EntityID {
			t.Fatalf("entity change of %s keyed %q, want the entity id", c.EntityID, m.Key)
		}
		out = append(out, c)
	}
	return out
}

// wantAspects checks that got is one change of id in revision rev with
// the aspects want.
func wantAspects(t *testing.T, got []entity.Change, id string, rev int64, want ...string) {
	t.Helper()
	if len(got) != 1 || got[0].EntityID != id || got[0].RevID != rev || !slices.Equal(got[0].Aspects, want) {
		t.Fatalf("got changes %+v, want one of %s revision %d with aspects %v", got, id, rev, want)
	}
}

// TestItemRevisions feeds an item's creation and edits: the creation
// changes X, an edit exactly what it touched, a null edit nothing; a
// redelivered or late revision is ignored.
func TestItemRevisions(t *testing.T) {
	counters := &entitychange.Counters{}
	h, cfg := harness(t, entitychange.Config{Counters: counters})
	const key = "wikidatawiki:Q34987"
	create := pageChange(t, "item-create.json", "Q34987", entityJSON(t, "item"))
	h.SendJSON(cfg.Input, key, create)
	got := changes(t, h, cfg)
	wantAspects(t, got, "Q34987", 686138, "X")
	c := got[0]
	if c.WikiID != "wikidatawiki" || c.Meta.URI != "https://www.wikidata.org/wiki/Q34987" || c.Meta.Stream != string(cfg.Output) {
		t.Errorf("change envelope %+v: want wikidatawiki, the item's URI, stream %s", c, cfg.Output)
	}
	if c.RootEvent == nil || c.RootEvent.Signature != "https://www.wikidata.org/wiki/Q34987" || c.RootEvent.DT.Format("2006-01-02T15:04:05Z") != "2024-10-04T15:09:55Z" ||
		c.TriggeredBy != "mediawiki.page_content_change.v1:https://www.wikidata.org/wiki/Q34987" {
		t.Errorf("root_event %+v, triggered_by %q: want the page change's", c.RootEvent, c.TriggeredBy)
	}

	edit := pageChange(t, "item-edit.json", "Q34987", entityJSON(t, "item", relabelEn, recountry, retitleEnwiki))
	h.SendJSON(cfg.Input, key, edit)
	wantAspects(t, changes(t, h, cfg), "Q34987", 686139, "C.P17", "L.en", "S", "T")
	st, ok := h.State(key)
	if !ok || st.RevID != 686139 || st.EntityID != "Q34987" || st.Entity == nil {
		t.Fatalf("state after the edit = %+v (exists %v), want revision 686139 with its JSON", st, ok)
	}

	h.SendJSON(cfg.Input, key, edit)   // redelivered
	h.SendJSON(cfg.Input, key, create) // late
	if got := changes(t, h, cfg); len(got) != 0 {
		t.Fatalf("a redelivered and a late revision gave %+v, want nothing", got)
	}
	// A null edit (the same entity, formatted anew) changes nothing.
	null := withRevision(pageChange(t, "item-edit.json", "Q34987", entityJSON(t, "item", retitleEnwiki, recountry, relabelEn)), 686140, 686139)
	h.SendJSON(cfg.Input, key, null)
	if got := changes(t, h, cfg); len(got) != 0 {
		t.Fatalf("a null edit gave %+v, want nothing", got)
	}
	if st, _ := h.State(key); st.RevID != 686140 {
		t.Fatalf("state after a null edit is of revision %d, want 686140", st.RevID)
	}
	if c := counters; c.Changed.Load() != 2 || c.Duplicate.Load() != 1 || c.Stale.Load() != 1 || c.Unchanged.Load() != 1 {
		t.Errorf("counters changed %d, duplicate %d, stale %d, unchanged %d; want 2, 1, 1, 1",
			c.Changed.Load(), c.Duplicate.Load(), c.Stale.Load(), c.Unchanged.Load())
	}
	if errs := h.Errors(); len(errs) != 0 {
		t.Fatalf("error records %+v", errs)
	}
}

// TestPropertyAndLexeme: properties and lexemes are entities too. Their
// first revision seen, of an entity that existed before, changes X
// without a Source.
func TestPropertyAndLexeme(t *testing.T) {
	counters := &entitychange.Counters{}
	h, cfg := harness(t, entitychange.Config{Counters: counters})
	h.SendJSON(cfg.Input, "P3467", pageChange(t, "property-edit.json", "P3467", entityJSON(t, "property")))
	wantAspects(t, changes(t, h, cfg), "P3467", 686147, "X")
	if n := counters.UnknownPrior.Load(); n != 1 {
		t.Fatalf("UnknownPrior = %d, want 1", n)
	}
	redescribe := func(e map[string]any) { at(e, "descriptions", "fr")["value"] = "identifiant" }
	h.SendJSON(cfg.Input, "P3467", withRevision(pageChange(t, "property-edit.json", "P3467", entityJSON(t, "property", redescribe)), 686148, 686147))
	wantAspects(t, changes(t, h, cfg), "P3467", 686148, "D.fr")

	h.SendJSON(cfg.Input, "L3872", pageChange(t, "lexeme-create.json", "L3872", entityJSON(t, "lexeme")))
	wantAspects(t, changes(t, h, cfg), "L3872", 686857, "X")
	regloss := func(e map[string]any) { at(e, "senses", 0, "glosses", "en")["value"] = "commercial activity" }
	h.SendJSON(cfg.Input, "L3872", withRevision(pageChange(t, "lexeme-create.json", "L3872", entityJSON(t, "lexeme", regloss)), 686858, 686857))
	wantAspects(t, changes(t, h, cfg), "L3872", 686858, "O")
}

// TestSourceFetchesRevisions: an event without content has its revision
// fetched, and the first revision seen of an existing entity is compared
// with the fetched revision before it.
func TestSourceFetchesRevisions(t *testing.T) {
	relabel := func(e map[string]any) { at(e, "labels", "de")["value"] = "Inventario Sculture" }
	revisions := map[int64][]byte{686146: entityJSON(t, "property"), 686147: entityJSON(t, "property", relabel)}
	var asked []string
	source := entitychange.SourceFunc(func(_ context.Context, wiki, id string, rev int64) ([]byte, error) {
		asked = append(asked, fmt.Sprintf("%s %s %d", wiki, id, rev))
		if b, ok := revisions[rev]; ok {
			return b, nil
		}
		return nil, fmt.Errorf("revision %d: %w", rev, entitychange.ErrNoRevision)
	})
	counters := &entitychange.Counters{}
	h, cfg := harness(t, entitychange.Config{Source: source, Counters: counters})
	ev := pageChange(t, "property-edit.json", "P3467", nil) // a mediawiki.page_change.v1 event: no content
	h.SendJSON(cfg.Input, "P3467", ev)
	wantAspects(t, changes(t, h, cfg), "P3467", 686147, "L.de")
	if want := []string{"wikidatawiki P3467 686147", "wikidatawiki P3467 686146"}; !slices.Equal(asked, want) {
		t.Fatalf("fetched %q, want %q", asked, want)
	}
	if counters.Fetched.Load() != 2 || counters.UnknownPrior.Load() != 0 {
		t.Fatalf("Fetched %d, UnknownPrior %d; want 2, 0", counters.Fetched.Load(), counters.UnknownPrior.Load())
	}
	// A revision the source lacks goes to the error topic.
	h.SendJSON(cfg.Input, "P3467", withRevision(pageChange(t, "property-edit.json", "P3467", nil), 686150, 686147))
	if errs := h.Errors(); len(errs) != 1 || errs[0].Attempts != 1 || !strings.Contains(errs[0].Message, "no such revision") {
		t.Fatalf("error records %+v, want one for the missing revision, after one attempt", errs)
	}
}

// TestDeletion: a deletion changes X and drops the state, also when its
// event carries no content slot (a suppression).
func TestDeletion(t *testing.T) {
	h, cfg := harness(t, entitychange.Config{})
	const key = "wikidatawiki:Q34987"
	h.SendJSON(cfg.Input, key, pageChange(t, "item-create.json", "Q34987", entityJSON(t, "item")))
	changes(t, h, cfg)
	h.SendJSON(cfg.Input, key, pageChange(t, "item-delete.json", "Q34987", nil))
	wantAspects(t, changes(t, h, cfg), "Q34987", 686140, "X")
	if _, ok := h.State(key); ok {
		t.Fatal("state kept after the deletion")
	}
	h.SendJSON(cfg.Input, "wikidatawiki:Q235989", pageChange(t, "item-page-suppress.json", "Q235989", nil))
	wantAspects(t, changes(t, h, cfg), "Q235989", 686140, "X")
}

// TestIgnoredPages: other wikis, non-entity pages and visibility changes
// give nothing and keep nothing.
func TestIgnoredPages(t *testing.T) {
	counters := &entitychange.Counters{}
	h, cfg := harness(t, entitychange.Config{Counters: counters})
	talk := pageChange(t, "non-item-create.json", "Q1", []byte("A test"))
	at(talk, "page")["page_title"] = "User:DCausse_(WMF)/Test"
	h.SendJSON(cfg.Input, "a", talk)
	other := pageChange(t, "item-create.json", "Q34987", entityJSON(t, "item"))
	other["wiki_id"] = "testwikidatawiki"
	h.SendJSON(cfg.Input, "b", other)
	h.SendJSON(cfg.Input, "c", pageChange(t, "item-visibility-change.json", "Q34987", nil))
	if got := changes(t, h, cfg); len(got) != 0 || len(h.Keys()) != 0 || len(h.Errors()) != 0 {
		t.Fatalf("ignored pages gave changes %+v, state keys %v, errors %+v", got, h.Keys(), h.Errors())
	}
	if n := counters.Ignored.Load(); n != 3 {
		t.Fatalf("Ignored = %d, want 3", n)
	}
}

// TestBadInputGoesToTheErrorTopic: what can never be read goes to the
// error topic with its reason, and the job goes on.
func TestBadInputGoesToTheErrorTopic(t *testing.T) {
	h, cfg := harness(t, entitychange.Config{})
	h.SendJSON(cfg.Input, "a", pageChange(t, "item-create.json", "Q34987", []byte(`{"id": "Q34987", "labels": `)))
	h.SendJSON(cfg.Input, "b", pageChange(t, "item-create.json", "Q34987", nil))
	h.SendJSON(cfg.Input, "c", pageChange(t, "item-create.json", "Q34987", entityJSON(t, "item")))
	h.SendJSON(cfg.Input, "c", withRevision(pageChange(t, "item-edit.json", "Q34987", entityJSON(t, "property")), 686139, 686138))
	h.SendJSON(cfg.Input, "d", pageChange(t, "item-create.json", "Main_Page", entityJSON(t, "item")))
	reasons := []string{"invalid entity JSON", "content_body", "different entities", "names no entity"}
	errs := h.Errors()
	if len(errs) != len(reasons) {
		t.Fatalf("got %d error records, want %d: %+v", len(errs), len(reasons), errs)
	}
	for i, e := range errs {
		if e.Attempts != 1 || !strings.Contains(e.Message, reasons[i]) {
			t.Errorf("error record %d: %q after %d attempts, want %q after one", i, e.Message, e.Attempts, reasons[i])
		}
	}
	if got := changes(t, h, cfg); len(got) != 1 {
		t.Fatalf("got %d changes, want the good creation's", len(got))
	}
}

// TestOversizedEntity: an entity over MaxEntityBytes is kept as its hash:
// the same JSON again changes nothing, a different one X.
func TestOversizedEntity(t *testing.T) {
	h, cfg := harness(t, entitychange.Config{MaxEntityBytes: 1000})
	const key = "wikidatawiki:Q34987"
	h.SendJSON(cfg.Input, key, pageChange(t, "item-create.json", "Q34987", entityJSON(t, "item")))
	changes(t, h, cfg)
	if st, _ := h.State(key); st.Entity != nil || len(st.SHA256) != 64 {
		t.Fatalf("state %+v: want the hash only", st)
	}
	h.SendJSON(cfg.Input, key, pageChange(t, "item-edit.json", "Q34987", entityJSON(t, "item")))
	if got := changes(t, h, cfg); len(got) != 0 {
		t.Fatalf("the same JSON gave %+v, want nothing", got)
	}
	h.SendJSON(cfg.Input, key, withRevision(pageChange(t, "item-edit.json", "Q34987", entityJSON(t, "item", relabelDe)), 686140, 686139))
	wantAspects(t, changes(t, h, cfg), "Q34987", 686140, "X")
}

// TestStateIsJSON: the state's entity JSON is stored as JSON, not as an
// escaped string, so a state record costs about the entity's size.
func TestStateIsJSON(t *testing.T) {
	item := entityJSON(t, "item")
	b, err := event.JSON[entitychange.State]{}.Encode(entitychange.State{Entity: json.RawMessage(item)})
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > len(item)+200 {
		t.Fatalf("state of a %d-byte entity takes %d bytes", len(item), len(b))
	}
}

// TestMergeRedirects: a merge turns the item into a redirect, which
// changes X; the redirect saved again changes nothing.
func TestMergeRedirects(t *testing.T) {
	h, cfg := harness(t, entitychange.Config{})
	const key = "wikidatawiki:Q34987"
	h.SendJSON(cfg.Input, key, pageChange(t, "item-create.json", "Q34987", entityJSON(t, "item")))
	changes(t, h, cfg)
	redirect := []byte(`{"entity":"Q34987","redirect":"Q56668"}`)
	h.SendJSON(cfg.Input, key, pageChange(t, "item-edit.json", "Q34987", redirect))
	wantAspects(t, changes(t, h, cfg), "Q34987", 686139, "X")
	h.SendJSON(cfg.Input, key, withRevision(pageChange(t, "item-edit.json", "Q34987", redirect), 686140, 686139))
	if got := changes(t, h, cfg); len(got) != 0 {
		t.Fatalf("the redirect saved again gave %+v, want nothing", got)
	}
}
