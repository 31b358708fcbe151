package diff_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/ripplestream/ripple/internal/schematest"
	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/processor/diff"
	"github.com/ripplestream/ripple/processor/processortest"
)

// TestEventSchema runs the stage on the in-memory harness and checks that
// every event it emits, the optional fields included, matches
// ripple/revision/diff: 1.0.0, the schema its $schema names, and
// current.yaml alike; and that the schema refuses broken events where they
// are broken.
func TestEventSchema(t *testing.T) {
	repo := schematest.Repository(t)
	current, err := repo.Schema("/ripple/revision/diff/current")
	if err != nil {
		t.Fatal(err)
	}
	in := diff.DefaultInput
	var emitted [][]byte
	run := func(cfg diff.Config, send func(h *processortest.Harness[diff.State])) {
		t.Helper()
		job, err := diff.Job(cfg)
		if err != nil {
			t.Fatal(err)
		}
		h := processortest.New(t, job, processor.Config{})
		send(h)
		if errs := h.Errors(); len(errs) != 0 {
			t.Fatalf("errors: %+v", errs)
		}
		for _, m := range h.Output(diff.DefaultOutput) {
			emitted = append(emitted, m.Value)
		}
	}
	// Defaults: a creation, an edit, a stale revision (counted), the same
	// text again (unchanged), and an edit with too many new words.
	run(diff.Config{}, func(h *processortest.Harness[diff.State]) {
		h.SendJSON(in, "enwiki/7", pageChange("create", 1, "Hello [[World]].\n{{Stub}}\n"))
		h.SendJSON(in, "enwiki/7", pageChange("edit", 3, "Hello [[Mars]].\n{{Stub}}\n[[File:Mars.jpg]]\n"))
		h.SendJSON(in, "enwiki/7", pageChange("edit", 2, "a late revision\n"))
		h.SendJSON(in, "enwiki/7", pageChange("edit", 4, "Hello [[Mars]].\n{{Stub}}\n[[File:Mars.jpg]]\n"))
		var many strings.Builder
		for i := range diff.MaxOutputWords + 10 {
			fmt.Fprintf(&many, "w%d\n", i)
		}
		h.SendJSON(in, "enwiki/7", pageChange("edit", 5, many.String()))
	})
	// Tight limits: texts kept as hashes only (skipped), too many
	// dependencies (deps_skipped), truncated lines, and an approximate diff.
	run(diff.Config{MaxTextBytes: 64, MaxEditCost: 1, MaxDeps: 2, MaxOutputBytes: 16},
		func(h *processortest.Harness[diff.State]) {
			long := "[[A]] [[B]] [[C]] and a text longer than sixty-four bytes, kept as a hash\n"
			h.SendJSON(in, "enwiki/7", pageChange("create", 1, long))
			h.SendJSON(in, "enwiki/7", pageChange("edit", 2, "short\n"))
			h.SendJSON(in, "enwiki/7", pageChange("edit", 3, "one\ntwo\nthree\n"))
		})
	if len(emitted) < 6 {
		t.Fatalf("%d events emitted, want at least 6", len(emitted))
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
		if m["lines"].(map[string]any)["truncated"] == true {
			seen["lines.truncated"] = true
		}
	}
	for _, k := range []string{"root_event", "triggered_by", "unchanged", "words_truncated", "approximate",
		"skipped", "deps_skipped", "lines.truncated"} {
		if !seen[k] {
			t.Errorf("no emitted event has %s: the test does not cover it", k)
		}
	}

	edit := emitted[1] // rev 3: mars and file:mars.jpg added, world removed
	for _, tt := range []struct {
		name   string
		change func(m map[string]any)
		path   string
	}{
		{"zero word count", func(m map[string]any) { m["words"].(map[string]any)["added"].(map[string]any)["mars"] = 0 }, "/words/added/mars"},
		{"no removed lines", func(m map[string]any) { delete(m["lines"].(map[string]any), "removed") }, "/lines/removed"},
		{"repeated link", func(m map[string]any) {
			m["deps"].(map[string]any)["links"].(map[string]any)["added"] = []string{"Mars", "Mars"}
		}, "/deps/links/added"},
		{"page id as a string", func(m map[string]any) { m["page_id"] = "7" }, "/page_id"},
		{"negative previous revision", func(m map[string]any) { m["prev_rev_id"] = -1 }, "/prev_rev_id"},
		{"dt not a time", func(m map[string]any) { m["dt"] = "yesterday" }, "/dt"},
		{"unknown field", func(m map[string]any) { m["reason"] = "x" }, "/reason"},
	} {
		schematest.Violation(t, repo, tt.name, schematest.Mutate(t, edit, tt.change), tt.path)
	}
}
