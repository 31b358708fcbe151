package workload_test

import (
	"strings"
	"testing"

	"github.com/ripplestream/ripple/deps/propagate"
	"github.com/ripplestream/ripple/deps/workload"
)

// transclusionWorkload has few templates, so that Template:Documentation
// and noinclude-only edits come up often.
func transclusionWorkload(t *testing.T, parseAfterEdit bool) *workload.Workload {
	t.Helper()
	cfg := workload.Config{Seed: 5, Pages: 300, Templates: 4, Entities: 50, Changes: 1500, NoincludeEdits: 40,
		ParseAfterEdit: parseAfterEdit}
	cfg.Sessions.Template.Edits = 6 // more template edits, to see every kind of them
	w, err := workload.Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// TestTransclusionOracle checks the oracle's MediaWiki semantics: an edit
// of Template:Documentation, which documented templates use only in
// <noinclude>, purges those templates' own pages and none of their
// transcluders (which broad purging sends); a noinclude-only edit purges
// the template alone (MediaWiki purges every transcluder); and the engine
// matches the oracle exactly.
func TestTransclusionOracle(t *testing.T) {
	w := transclusionWorkload(t, false)
	var docEdits, noinclude int
	for line, k := range w.Kinds {
		truth := w.Truth[line]
		switch {
		case k == workload.NoincludeEdit:
			noinclude++
			if len(truth) != 1 || !strings.HasPrefix(truth[0], "enwiki:Template:") {
				t.Fatalf("line %d: a noinclude-only edit purges %q, want the template alone", line, truth)
			}
			if w.KindAware[line] <= 1 {
				t.Errorf("line %d: MediaWiki would purge %d pages for a noinclude-only edit of a used template", line, w.KindAware[line])
			}
		case k == workload.TemplateEdit && len(truth) > 0 && strings.Contains(strings.Join(truth, " "), "enwiki:Template:Documentation"):
			docEdits++
			for _, page := range truth {
				if !strings.HasPrefix(page, "enwiki:Template:") {
					t.Fatalf("line %d: an edit of Template:Documentation purges %s", line, page)
				}
			}
			if w.Broad[line] <= len(truth) {
				t.Errorf("line %d: broad purging sends %d for an edit of Template:Documentation, the oracle %d", line, w.Broad[line], len(truth))
			}
		}
	}
	if docEdits == 0 || noinclude == 0 {
		t.Fatalf("%d edits of Template:Documentation, %d noinclude-only edits: the workload should have both", docEdits, noinclude)
	}
	exact(t, "transclusion workload", evaluate(t, w, propagate.DefaultWindow))
}

// TestParseAfterEdit checks what happens when a template's dependencies
// event comes after its page change: the engine cannot tell a
// noinclude-only edit, so it purges transcluders it need not (precision
// drops), and misses nothing.
func TestParseAfterEdit(t *testing.T) {
	s := evaluate(t, transclusionWorkload(t, true), 0)
	if s.FalseNegatives != 0 || s.Missed != 0 || s.FalsePositives == 0 || s.Precision() >= 1 {
		t.Fatalf("parses after edits: want recall 1 and some false positives, got %v", s)
	}
}
