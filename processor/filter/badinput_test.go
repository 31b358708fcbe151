package filter_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/internal/badinput"
	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/processor/filter"
	"github.com/ripplestream/ripple/processor/processortest"
	"github.com/ripplestream/ripple/schemas"
)

// pageChangeDir holds real mediawiki.page_change.v1 events (testdata/SOURCES.md).
const pageChangeDir = "testdata/wmf/wikidata-query-rdf/streaming-updater-producer/src/test/resources/page_change_events/wikibase"

// TestBadInputCorpus sends 10,000 bad (8,750 malformed, 1,250 duplicate
// ids) events mixed among 1,200 real page changes (six captured ones, each
// sent 200 times) through the filter stage matching their
// revision.comment, on the in-memory harness: each malformed one it
// rejects lands in the error topic with its bytes, each valid one is
// matched and emitted, and the stage goes on. Without ValidateSchema the
// stage reads only its field, so an event with the field but no envelope,
// wrong envelope types, another $schema or invalid UTF-8 in a string is
// matched like any JSON object; with it, every malformed kind is rejected.
func TestBadInputCorpus(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(pageChangeDir, "*.json"))
	if err != nil || len(files) != 6 {
		t.Fatalf("fixtures %v (%v), want 6", files, err)
	}
	var valid []badinput.Event
	for i := range 1_200 {
		b, err := os.ReadFile(files[i%len(files)])
		if err != nil {
			t.Fatal(err)
		}
		valid = append(valid, badinput.Event{Key: fmt.Sprint("testwikidatawiki:", i%len(files)), Value: b})
	}
	repo, err := event.OpenRepositoryFS(schemas.FS())
	if err != nil {
		t.Fatal(err)
	}
	const input processor.Stream = "mediawiki.page_change.v1"
	for _, tt := range []struct {
		name     string
		opts     []processor.InputOption
		rejected []badinput.Kind
	}{
		{"field only", nil, []badinput.Kind{badinput.InvalidJSON, badinput.Huge, badinput.DeepNesting}},
		{"ValidateSchema", []processor.InputOption{processor.ValidateSchema()}, badinput.Malformed},
	} {
		t.Run(tt.name, func(t *testing.T) {
			events, err := badinput.Generate(badinput.Config{Seed: 14}, append([]badinput.Event(nil), valid...))
			if err != nil {
				t.Fatal(err)
			}
			job, err := filter.Job(filter.Config{Name: "filter-bad", Input: input, Field: "revision.comment",
				Patterns: []filter.Pattern{{Text: `\S`, Regex: true}}, InputOptions: tt.opts})
			if err != nil {
				t.Fatal(err)
			}
			h := processortest.New(t, job, processor.Config{MaxRecordBytes: 4 << 20, Schemas: repo})
			res := badinput.Run(t, h, "filter-bad", input, events, filter.DefaultOutput)
			res.Want(t, tt.rejected...)
			res.WantEmitted(t)
		})
	}
}
