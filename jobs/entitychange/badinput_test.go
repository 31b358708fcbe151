package entitychange_test

import (
	"fmt"
	"testing"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/internal/badinput"
	"github.com/ripplestream/ripple/jobs/entitychange"
	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/processor/processortest"
	"github.com/ripplestream/ripple/schemas"
)

// TestBadInputCorpus sends 10,000 bad (8,750 malformed, 1,250 duplicate
// ids) page content changes mixed among 500 valid ones through the job on
// the in-memory harness: each malformed one it rejects lands in the error
// topic with its bytes, each valid one (the creation of a lexeme, from the
// real page change and entity JSON of testdata) gives its entity change,
// and the job goes on. Without ValidateSchema the job reads an event that
// decodes as a page change whatever its envelope: one with no envelope,
// another $schema or invalid UTF-8 in a string is read (and, being a valid
// page change of an entity, changes it); with it, every malformed kind is
// rejected.
func TestBadInputCorpus(t *testing.T) {
	var valid []badinput.Event
	for i := range 500 {
		id := fmt.Sprint("L", 1_000+i)
		content := entityJSON(t, "lexeme", func(e map[string]any) { e["id"] = id })
		valid = append(valid, badinput.Event{Key: "wikidatawiki:Lexeme:" + id, Value: encode(t, pageChange(t, "lexeme-create.json", id, content))})
	}
	repo, err := event.OpenRepositoryFS(schemas.FS())
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name     string
		opts     []processor.InputOption
		rejected []badinput.Kind
	}{
		{"decode only", nil, []badinput.Kind{badinput.InvalidJSON, badinput.WrongTypes, badinput.Huge, badinput.DeepNesting}},
		{"ValidateSchema", []processor.InputOption{processor.ValidateSchema()}, badinput.Malformed},
	} {
		t.Run(tt.name, func(t *testing.T) {
			events, err := badinput.Generate(badinput.Config{Seed: 14}, append([]badinput.Event(nil), valid...))
			if err != nil {
				t.Fatal(err)
			}
			cfg := entitychange.Config{Name: "entitychange-bad", InputOptions: tt.opts}.WithDefaults()
			job, err := entitychange.Job(cfg)
			if err != nil {
				t.Fatal(err)
			}
			h := processortest.New(t, job, processor.Config{MaxRecordBytes: 4 << 20, Schemas: repo})
			res := badinput.Run(t, h, cfg.Name, cfg.Input, events, cfg.Output)
			res.Want(t, tt.rejected...)
			res.WantEmitted(t)
		})
	}
}
