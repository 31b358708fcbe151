package changeprop_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/ripplestream/ripple/deps/pebblestore"
	"github.com/ripplestream/ripple/internal/badinput"
	"github.com/ripplestream/ripple/jobs/changeprop"
	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/processor/processortest"
)

// TestBadInputCorpus sends 10,000 malformed page changes mixed among 1,000
// valid edits through the changeprop fan job on the in-memory harness:
// each malformed one lands in the error topic with its bytes, each valid
// one (and each duplicate) gives its candidate, and the job goes on.
func TestBadInputCorpus(t *testing.T) {
	store, err := pebblestore.Open(pebblestore.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	cfg := changeprop.Config{Store: store, Purges: "purges"}
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	fan, _, err := changeprop.Jobs(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var valid []badinput.Event
	dt := time.Date(2026, 11, 22, 11, 0, 0, 0, time.UTC)
	for i := range 1_000 {
		b, err := json.Marshal(pageChange("edit", fmt.Sprint("Page_", i), 0, dt))
		if err != nil {
			t.Fatal(err)
		}
		valid = append(valid, badinput.Event{Key: fmt.Sprint("enwiki:Page_", i), Value: b})
	}
	events, err := badinput.Generate(badinput.Config{Seed: 14}, valid)
	if err != nil {
		t.Fatal(err)
	}
	h := processortest.New(t, fan, processor.Config{MaxRecordBytes: 4 << 20})
	res := badinput.Run(t, h, fan.Name, cfg.PageChanges, events)
	res.Want(t, badinput.Malformed...)
	if got, want := len(h.Output(cfg.CandidatesStream())), res.Passed[badinput.Valid]+res.Passed[badinput.DuplicateID]; got != want {
		t.Errorf("%d candidates, want one for each of the %d valid events and duplicates", got, want)
	}
}
