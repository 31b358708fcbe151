package tokens_test

import (
	"encoding/json"
	"testing"

	"github.com/ripplestream/ripple/internal/schematest"
	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/processor/processortest"
	"github.com/ripplestream/ripple/processor/tokens"
)

// TestEventSchema runs the stage on the in-memory harness and checks that
// every event it emits, the optional fields included, matches
// ripple/revision/tokens: 1.0.0, the schema its $schema names, and
// current.yaml alike; and that the schema refuses broken events where they
// are broken.
func TestEventSchema(t *testing.T) {
	repo := schematest.Repository(t)
	current, err := repo.Schema("/ripple/revision/tokens/current")
	if err != nil {
		t.Fatal(err)
	}
	// Small limits, so that the truncation flags show.
	job, err := tokens.Job(tokens.Config{MaxStateTokens: 3, MaxOutputTokens: 4})
	if err != nil {
		t.Fatal(err)
	}
	h := processortest.New(t, job, processor.Config{})
	in := tokens.DefaultInput
	h.SendJSON(in, "enwiki/7", pageChange(7, 10, "The cat sat."))
	h.SendJSON(in, "enwiki/7", pageChange(7, 12, "The cat ran, the dog sat on a mat.")) // 9 tokens, 7 distinct
	h.SendJSON(in, "enwiki/7", pageChange(7, 11, "Stale text"))                         // ignored
	h.SendJSON(in, "enwiki/7", pageChange(7, 13, "A dog."))                             // against truncated counts
	if errs := h.Errors(); len(errs) != 0 {
		t.Fatalf("errors: %+v", errs)
	}
	var emitted [][]byte
	for _, m := range h.Output(tokens.DefaultOutput) {
		emitted = append(emitted, m.Value)
	}
	if len(emitted) != 3 {
		t.Fatalf("%d events emitted, want 3", len(emitted))
	}

	seen := map[string]bool{}
	for i, b := range emitted {
		if err := repo.Validate(b); err != nil {
			t.Errorf("event %d: %v\n%s", i, err, b)
		}
		if err := current.Validate(b); err != nil {
			t.Errorf("event %d against current.yaml: %v", i, err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		for k := range m {
			seen[k] = true
		}
	}
	for _, k := range []string{"root_event", "triggered_by", "tokens_truncated", "delta_truncated", "approximate"} {
		if !seen[k] {
			t.Errorf("no emitted event has %s: the test does not cover it", k)
		}
	}

	first := emitted[0] // the, cat, sat: all added
	for _, tt := range []struct {
		name   string
		change func(m map[string]any)
		path   string
	}{
		{"empty token", func(m map[string]any) { m["tokens"] = []string{"the", ""} }, "/tokens/1"},
		{"zero count", func(m map[string]any) { m["added"].(map[string]any)["cat"] = 0 }, "/added/cat"},
		{"fractional count", func(m map[string]any) { m["added"].(map[string]any)["cat"] = 1.5 }, "/added/cat"},
		{"no removed", func(m map[string]any) { delete(m, "removed") }, "/removed"},
		{"negative token count", func(m map[string]any) { m["token_count"] = -1 }, "/token_count"},
		{"flag as a string", func(m map[string]any) { m["tokens_truncated"] = "yes" }, "/tokens_truncated"},
		{"no rev_id", func(m map[string]any) { delete(m, "rev_id") }, "/rev_id"},
	} {
		schematest.Violation(t, repo, tt.name, schematest.Mutate(t, first, tt.change), tt.path)
	}
}
