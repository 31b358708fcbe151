package filter_test

import (
	"encoding/json"
	"testing"

	"github.com/ripplestream/ripple/internal/schematest"
	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/processor/filter"
	"github.com/ripplestream/ripple/processor/processortest"
)

// TestEventSchema runs the stage on the in-memory harness and checks that
// the events it emits match ripple/filter/match: 1.0.0, the schema their
// $schema names, and current.yaml alike, whether the input event is a
// Wikimedia event or a bare JSON object without an envelope; and that the
// schema refuses broken events where they are broken.
func TestEventSchema(t *testing.T) {
	repo := schematest.Repository(t)
	current, err := repo.Schema("/ripple/filter/match/current")
	if err != nil {
		t.Fatal(err)
	}
	job, err := filter.Job(filter.Config{
		Input: "mediawiki.recentchange", Field: "revision.comment",
		Patterns: []filter.Pattern{{Text: "vandal"}, {Text: `rv\b`, Regex: true}},
		Options:  filter.Options{CaseInsensitive: true, WholeWord: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	h := processortest.New(t, job, processor.Config{})
	withDomain := recentChange("vandal")
	withDomain["meta"].(map[string]any)["domain"] = "en.wikipedia.org"
	withDomain["meta"].(map[string]any)["request_id"] = "r1"
	h.SendJSON("mediawiki.recentchange", "k1", recentChange("Reverted VANDAL edit (rv)"))
	h.SendJSON("mediawiki.recentchange", "k2", withDomain)
	h.Send("mediawiki.recentchange", "k3", []byte(`{"revision":{"comment":"rv vandal"}}`)) // no envelope at all
	if errs := h.Errors(); len(errs) != 0 {
		t.Fatalf("errors: %+v", errs)
	}
	var emitted [][]byte
	for _, m := range h.Output(filter.DefaultOutput) {
		emitted = append(emitted, m.Value)
	}
	if len(emitted) != 3 {
		t.Fatalf("%d events emitted, want 3", len(emitted))
	}
	for i, b := range emitted {
		if err := repo.Validate(b); err != nil {
			t.Errorf("event %d: %v\n%s", i, err, b)
		}
		if err := current.Validate(b); err != nil {
			t.Errorf("event %d against current.yaml: %v", i, err)
		}
	}
	var carried, bare filter.Event
	if err := json.Unmarshal(emitted[1], &carried); err != nil || carried.Meta.Domain == "" || carried.Meta.RequestID == "" {
		t.Errorf("meta.domain and meta.request_id not carried over (%v): %s", err, emitted[1])
	}
	if err := json.Unmarshal(emitted[2], &bare); err != nil || !bare.DT.IsZero() || bare.RootEvent == nil {
		t.Errorf("the match of an event without an envelope has a dt or no root_event (%v): %s", err, emitted[2])
	}

	matched := emitted[0] // vandal, then rv\b (regex)
	for _, tt := range []struct {
		name   string
		change func(m map[string]any)
		path   string
	}{
		{"no matches", func(m map[string]any) { m["matches"] = []any{} }, "/matches"},
		{"zero count", func(m map[string]any) { m["matches"].([]any)[1].(map[string]any)["count"] = 0 }, "/matches/1/count"},
		{"empty pattern", func(m map[string]any) { m["matches"].([]any)[0].(map[string]any)["pattern"] = "" }, "/matches/0/pattern"},
		{"regex as a string", func(m map[string]any) { m["matches"].([]any)[1].(map[string]any)["regex"] = "true" }, "/matches/1/regex"},
		{"event as a string", func(m map[string]any) { m["event"] = "{}" }, "/event"},
		{"no event", func(m map[string]any) { delete(m, "event") }, "/event"},
		{"empty path name", func(m map[string]any) { m["field"] = "revision..comment" }, "/field"},
		{"no meta.stream", func(m map[string]any) { delete(m["meta"].(map[string]any), "stream") }, "/meta/stream"},
	} {
		schematest.Violation(t, repo, tt.name, schematest.Mutate(t, matched, tt.change), tt.path)
	}
}
