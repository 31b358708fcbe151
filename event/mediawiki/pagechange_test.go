package mediawiki_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/event/mediawiki"
)

// TestCapturedEvents decodes the mediawiki.page_change.v1 events captured on
// test.wikidata.org and commons.wikimedia.org, kept in the event package's
// test data (../testdata/SOURCES.md says where they come from).
func TestCapturedEvents(t *testing.T) {
	files, err := filepath.Glob("../testdata/wmf/wikidata-query-rdf/streaming-updater-producer/src/test/resources/page_change_events/*/*.json")
	if err != nil || len(files) < 5 {
		t.Fatalf("captured events not found in ../testdata (%v, %d files)", err, len(files))
	}
	kinds := map[string]int{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		ev, err := event.JSON[mediawiki.PageChange]{}.Decode(b)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if err := ev.Check(); err != nil {
			t.Errorf("%s: %v", f, err)
		}
		if ev.Page.PageTitle == "" || ev.EventTime().IsZero() {
			t.Errorf("%s: decoded without title or time: %+v", f, ev)
		}
		if ev.PageChangeKind == "move" && (ev.PriorState == nil || ev.PriorState.Page == nil || ev.PriorState.Page.PageTitle == "") {
			t.Errorf("%s: move without prior_state.page.page_title", f)
		}
		var changelog struct {
			Kind string `json:"changelog_kind"`
		}
		if err := json.Unmarshal(b, &changelog); err != nil || changelog.Kind != mediawiki.ChangelogKind(ev.PageChangeKind) {
			t.Errorf("%s: changelog_kind %q, ChangelogKind(%q) = %q", f, changelog.Kind, ev.PageChangeKind, mediawiki.ChangelogKind(ev.PageChangeKind))
		}
		kinds[ev.PageChangeKind]++
	}
	if len(kinds) < 3 {
		t.Errorf("expected several change kinds among the captured events, got %v", kinds)
	}
}

func TestTextNeedsContent(t *testing.T) {
	var ev mediawiki.PageChange
	if _, err := ev.Text(); !errors.Is(err, mediawiki.ErrBadEvent) {
		t.Fatalf("Text() of an event without content = %v, want ErrBadEvent", err)
	}
	body := "hello"
	ev.Revision.ContentSlots = map[string]mediawiki.Slot{"main": {ContentBody: &body}}
	if got, err := ev.Text(); err != nil || got != body {
		t.Fatalf("Text() = %q, %v", got, err)
	}
}
