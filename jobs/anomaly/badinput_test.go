package anomaly_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/internal/badinput"
	"github.com/ripplestream/ripple/jobs/anomaly"
	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/processor/processortest"
	"github.com/ripplestream/ripple/schemas"
)

// pageChangeDir holds real mediawiki.page_change.v1 events (testdata/SOURCES.md).
const pageChangeDir = "testdata/wmf/wikidata-query-rdf/streaming-updater-producer/src/test/resources/page_change_events/wikibase"

// TestBadInputCorpus sends 10,000 bad (8,750 malformed, 1,250 duplicate
// ids) page changes mixed among 1,000 real ones (ten captured events, each
// sent 100 times) through the edits watch of the anomaly job on the
// in-memory harness: each malformed one it rejects lands in the error
// topic with its bytes, every event that passes is counted in its wiki and
// namespace's window, and the job goes on. Without ValidateSchema the
// watch reads only wiki_id, page.namespace_id and dt (and refuses invalid
// UTF-8), so an event with those but no envelope, wrong envelope types or
// another $schema is counted; with it, every malformed kind is rejected.
func TestBadInputCorpus(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(pageChangeDir, "*.json"))
	if err != nil || len(files) != 10 {
		t.Fatalf("fixtures %v (%v), want 10", files, err)
	}
	var valid []badinput.Event
	for i := range 1_000 {
		b, err := os.ReadFile(files[i%len(files)])
		if err != nil {
			t.Fatal(err)
		}
		key, err := anomaly.WikiNamespace(b)
		if err != nil {
			t.Fatal(err)
		}
		valid = append(valid, badinput.Event{Key: key, Value: b})
	}
	repo, err := event.OpenRepositoryFS(schemas.FS())
	if err != nil {
		t.Fatal(err)
	}
	// The fixtures span four days of October 2024: with a week of
	// lateness, no window of a day closes.
	now := time.Date(2024, 10, 9, 0, 0, 0, 0, time.UTC)
	const input processor.Stream = "mediawiki.page_change.v1"
	for _, tt := range []struct {
		name     string
		opts     []processor.InputOption
		rejected []badinput.Kind
	}{
		{"fields only", nil, []badinput.Kind{badinput.InvalidJSON, badinput.Huge, badinput.DeepNesting, badinput.InvalidUTF8}},
		{"ValidateSchema", []processor.InputOption{processor.ValidateSchema()}, badinput.Malformed},
	} {
		t.Run(tt.name, func(t *testing.T) {
			events, err := badinput.Generate(badinput.Config{Seed: 14}, append([]badinput.Event(nil), valid...))
			if err != nil {
				t.Fatal(err)
			}
			cfg := anomaly.Config{Name: "anomaly-bad", Alerts: "anomaly-bad.alerts", PageChanges: input, InputOptions: tt.opts}
			cfg.Detector.Bucket, cfg.Detector.Lateness = 24*time.Hour, 7*24*time.Hour
			jobs, err := anomaly.Jobs(cfg)
			if err != nil {
				t.Fatal(err)
			}
			h := processortest.New(t, jobs[0], processor.Config{MaxRecordBytes: 4 << 20, Schemas: repo, Now: func() time.Time { return now }})
			res := badinput.Run(t, h, jobs[0].Name, input, events)
			res.Want(t, tt.rejected...)
			var passed, counted int
			for _, n := range res.Passed {
				passed += n
			}
			for _, k := range h.Keys() {
				st, _ := h.State(k)
				for _, n := range st.Open {
					counted += int(n)
				}
			}
			if counted != passed {
				b, _ := json.Marshal(res.Passed)
				t.Errorf("%d events counted in the open windows, want the %d that passed (%s)", counted, passed, b)
			}
			if passed < len(valid) {
				t.Errorf("%d passed, fewer than the %d valid events", passed, len(valid))
			}
		})
	}
}
