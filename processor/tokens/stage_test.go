package tokens_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/processor/processortest"
	"github.com/ripplestream/ripple/processor/tokens"
)

// pageChange returns a mediawiki/page/change event with content, as JSON.
func pageChange(page, rev int64, text string) map[string]any {
	return map[string]any{
		"$schema": "/mediawiki/page/change/1.2.0",
		"meta":    map[string]any{"stream": "mediawiki.page_content_change.v1", "id": "1", "dt": "2026-01-01T00:00:00Z", "uri": "https://en.wikipedia.org/wiki/Foo"},
		"dt":      "2026-01-01T00:00:00Z", "wiki_id": "enwiki", "page_change_kind": "edit",
		"page":     map[string]any{"page_id": page, "page_title": "Foo", "namespace_id": 0},
		"revision": map[string]any{"rev_id": rev, "content_slots": map[string]any{"main": map[string]any{"content_model": "wikitext", "content_body": text}}},
	}
}

func outputs(t *testing.T, h *processortest.Harness[tokens.State]) []tokens.Event {
	t.Helper()
	var evs []tokens.Event
	for _, m := range h.Output(tokens.DefaultOutput) {
		var ev tokens.Event
		if err := json.Unmarshal(m.Value, &ev); err != nil {
			t.Fatal(err)
		}
		evs = append(evs, ev)
	}
	return evs
}

func TestStage(t *testing.T) {
	counters := &tokens.Counters{}
	job, err := tokens.Job(tokens.Config{Counters: counters, MaxTextBytes: 1000})
	if err != nil {
		t.Fatal(err)
	}
	h := processortest.New(t, job, processor.Config{})
	in := tokens.DefaultInput

	h.SendJSON(in, "enwiki/7", pageChange(7, 10, "The cat sat."))
	h.SendJSON(in, "enwiki/7", pageChange(7, 12, "The cat ran, the dog sat."))
	h.SendJSON(in, "enwiki/7", pageChange(7, 11, "Stale text")) // older: ignored
	h.SendJSON(in, "enwiki/7", pageChange(7, 12, "Again"))      // repeated: ignored
	evs := outputs(t, h)
	if len(evs) != 2 {
		t.Fatalf("emitted %d events, want 2: %+v", len(evs), evs)
	}
	if got := strings.Join(evs[0].Tokens, " "); got != "the cat sat" || evs[0].PrevRevID != 0 {
		t.Fatalf("first event %+v", evs[0])
	}
	second := evs[1]
	if second.RevID != 12 || second.PrevRevID != 10 || second.Added["the"] != 1 || second.Added["dog"] != 1 ||
		second.Added["ran"] != 1 || len(second.Removed) != 0 || second.Schema != tokens.EventSchema {
		t.Fatalf("second event %+v", second)
	}
	if second.Meta.Stream != string(tokens.DefaultOutput) || second.RootEvent == nil {
		t.Fatalf("envelope %+v", second.Envelope)
	}
	if counters.Stale.Load() != 1 || counters.Duplicate.Load() != 1 {
		t.Fatalf("stale %d duplicate %d", counters.Stale.Load(), counters.Duplicate.Load())
	}
	st, ok := h.State("enwiki/7")
	if !ok || st.RevID != 12 || st.Counts["the"] != 2 || st.Ignored != 2 {
		t.Fatalf("state %+v", st)
	}
	if errs := h.Errors(); len(errs) != 0 {
		t.Fatalf("errors %+v", errs)
	}

	// A deletion drops the page's state.
	del := pageChange(7, 12, "")
	del["page_change_kind"] = "delete"
	h.SendJSON(in, "enwiki/7", del)
	if _, ok := h.State("enwiki/7"); ok {
		t.Fatal("state survived the page's deletion")
	}
}

func TestStageBadInput(t *testing.T) {
	job, err := tokens.Job(tokens.Config{MaxTextBytes: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	h := processortest.New(t, job, processor.Config{})
	in := tokens.DefaultInput
	noBody := pageChange(1, 1, "")
	noBody["revision"] = map[string]any{"rev_id": 1}
	wrongType := pageChange(1, 1, "x")
	wrongType["page"] = map[string]any{"page_id": "seven"}
	noRev := pageChange(1, 0, "x")
	h.Send(in, "k1", []byte(`{"truncated`))
	h.SendJSON(in, "k2", noBody)
	h.SendJSON(in, "k3", wrongType)
	h.SendJSON(in, "k4", noRev)
	h.SendJSON(in, "k5", pageChange(1, 1, strings.Repeat("word ", 1<<20/4))) // 1.25 MiB
	h.Send(in, "k6", []byte("{\"wiki_id\":\"x\xff\"}"))
	h.SendJSON(in, "k7", pageChange(1, 1, "fine\xff text"))
	h.SendJSON(in, "k7", pageChange(2, 2, "another page under the same key"))
	errs := h.Errors()
	want := []string{"json", "content_body", "page_id", "rev_id", "MaxTextBytes", "page_id", "key the input by page"}
	if len(errs) != len(want) {
		t.Fatalf("%d errors, want %d: %+v", len(errs), len(want), errs)
	}
	for i, e := range errs {
		if !strings.Contains(e.Message, want[i]) {
			t.Errorf("error %d = %q, want it to mention %q", i, e.Message, want[i])
		}
	}
	if evs := outputs(t, h); len(evs) != 1 || strings.Join(evs[0].Tokens, " ") != "fine\ufffd text" && strings.Join(evs[0].Tokens, " ") != "fine text" {
		t.Fatalf("outputs %+v", evs)
	}
}
