package diff_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/processor/diff"
	"github.com/ripplestream/ripple/processor/processortest"
)

func pageChange(kind string, rev int64, text string) map[string]any {
	return map[string]any{
		"$schema": "/mediawiki/page/change/1.2.0",
		"meta":    map[string]any{"stream": "mediawiki.page_content_change.v1", "id": "1", "dt": "2026-01-01T00:00:00Z", "uri": "https://en.wikipedia.org/wiki/Foo"},
		"dt":      "2026-01-01T00:00:00Z", "wiki_id": "enwiki", "page_change_kind": kind,
		"page":     map[string]any{"page_id": 7, "page_title": "Foo", "namespace_id": 0},
		"revision": map[string]any{"rev_id": rev, "content_slots": map[string]any{"main": map[string]any{"content_model": "wikitext", "content_body": text}}},
	}
}

func events(t *testing.T, h *processortest.Harness[diff.State]) []diff.Event {
	t.Helper()
	var evs []diff.Event
	for _, m := range h.Output(diff.DefaultOutput) {
		var ev diff.Event
		if err := json.Unmarshal(m.Value, &ev); err != nil {
			t.Fatal(err)
		}
		evs = append(evs, ev)
	}
	return evs
}

func TestStage(t *testing.T) {
	counters := &diff.Counters{}
	job, err := diff.Job(diff.Config{Counters: counters})
	if err != nil {
		t.Fatal(err)
	}
	h := processortest.New(t, job, processor.Config{})
	in := diff.DefaultInput
	h.SendJSON(in, "enwiki/7", pageChange("create", 1, "Hello [[World]].\n{{Stub}}\n"))
	h.SendJSON(in, "enwiki/7", pageChange("edit", 3, "Hello [[Mars]].\n{{Stub}}\n"))
	h.SendJSON(in, "enwiki/7", pageChange("edit", 2, "a late revision\n"))
	h.SendJSON(in, "enwiki/7", pageChange("edit", 3, "Hello [[Mars]].\n{{Stub}}\n"))
	h.SendJSON(in, "enwiki/9", pageChange("edit", 4, "first seen, not new")) // baseline: no event

	evs := events(t, h)
	if len(evs) != 2 {
		t.Fatalf("%d events: %+v", len(evs), evs)
	}
	if e := evs[0]; e.PrevRevID != 0 || !slices.Equal(e.Lines.Added, []string{"Hello [[World]].", "{{Stub}}"}) ||
		!slices.Equal(e.Deps.Templates.Added, []string{"Template:Stub"}) {
		t.Fatalf("create event %+v", e)
	}
	e := evs[1]
	if e.PrevRevID != 1 || !slices.Equal(e.Lines.Removed, []string{"Hello [[World]]."}) || !slices.Equal(e.Lines.Added, []string{"Hello [[Mars]]."}) ||
		e.Words.Added["mars"] != 1 || e.Words.Removed["world"] != 1 ||
		!slices.Equal(e.Deps.Links.Added, []string{"Mars"}) || !slices.Equal(e.Deps.Links.Removed, []string{"World"}) ||
		e.Schema != diff.EventSchema || e.RootEvent == nil || e.StaleIgnored != 0 {
		t.Fatalf("edit event %+v", e)
	}
	if counters.Stale.Load() != 1 || counters.Duplicate.Load() != 1 || counters.Baseline.Load() != 1 {
		t.Fatalf("counters stale %d duplicate %d baseline %d", counters.Stale.Load(), counters.Duplicate.Load(), counters.Baseline.Load())
	}
	h.SendJSON(in, "enwiki/7", pageChange("edit", 5, "Bye\n"))
	if evs := events(t, h); len(evs) != 1 || evs[0].StaleIgnored != 1 {
		t.Fatalf("after stale: %+v", evs)
	}
	if st, ok := h.State("enwiki/7"); !ok || st.RevID != 5 || st.Text != "Bye\n" || st.Stale != 1 {
		t.Fatalf("state %+v", st)
	}
	if errs := h.Errors(); len(errs) != 0 {
		t.Fatalf("errors %+v", errs)
	}
}

func TestStageBadInput(t *testing.T) {
	job, err := diff.Job(diff.Config{MaxTextBytes: 1 << 10, MaxDiffBytes: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	h := processortest.New(t, job, processor.Config{})
	in := diff.DefaultInput
	noBody := pageChange("edit", 1, "")
	noBody["revision"] = map[string]any{"rev_id": 1}
	wrongType := pageChange("edit", 1, "")
	wrongType["revision"] = map[string]any{"rev_id": "one"}
	h.Send(in, "a", []byte("\x00not json"))
	h.SendJSON(in, "b", noBody)
	h.SendJSON(in, "c", wrongType)
	// A 10 MB text is a documented fallback, not an error: hashed, not
	// diffed.
	h.SendJSON(in, "d", pageChange("create", 1, strings.Repeat("line of text\n", 10<<20/13)))
	h.SendJSON(in, "d", pageChange("edit", 2, "small\n"))
	errs := h.Errors()
	want := []string{"", "content_body", "rev_id"}
	if len(errs) != len(want) {
		t.Fatalf("%d errors: %+v", len(errs), errs)
	}
	for i, e := range errs {
		if !strings.Contains(e.Message, want[i]) {
			t.Errorf("error %d: %q, want %q", i, e.Message, want[i])
		}
	}
	evs := events(t, h)
	if len(evs) != 2 || !strings.Contains(evs[0].Skipped, "MaxDiffBytes") || !strings.Contains(evs[1].Skipped, "MaxTextBytes") {
		t.Fatalf("events %+v", evs)
	}
}
