//go:build integration

package changeprop_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/ripplestream/ripple/deps/pebblestore"
	"github.com/ripplestream/ripple/internal/badinput"
	"github.com/ripplestream/ripple/internal/testenv"
	"github.com/ripplestream/ripple/jobs/changeprop"
	"github.com/ripplestream/ripple/processor"
)

// TestIntegrationBadInputCorpus runs the changeprop fan job on the real
// broker over the bad-input corpus: 10,000 malformed page changes among
// 1,000 valid edits. Every malformed one is in the error topic with its
// bytes intact, every valid edit (and duplicate) gives a candidate, and
// the job stays healthy. Huge events are 900 KiB here, under the broker's
// 1 MB message limit (the harness test sends 2 MiB).
func TestIntegrationBadInputCorpus(t *testing.T) {
	kc := testenv.Kafka(t)
	store, err := pebblestore.Open(pebblestore.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	cfg := changeprop.Config{
		Name: processor.Group(testenv.Name(t, "cpbad")), Store: store,
		Dependencies: processor.Stream(testenv.Name(t, "deps")), PageChanges: processor.Stream(testenv.Name(t, "pc")),
		EntityChanges: processor.Stream(testenv.Name(t, "ec")), Purges: processor.Stream(testenv.Name(t, "purge")),
		Rerenders: processor.Stream(testenv.Name(t, "rerender")),
	}
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, s := range []processor.Stream{cfg.Dependencies, cfg.PageChanges, cfg.EntityChanges} {
		testenv.CreateTopic(t, kc, string(s), 4)
	}
	t.Cleanup(func() {
		testenv.DeleteTopics(t, kc, string(cfg.Dependencies), string(cfg.PageChanges), string(cfg.EntityChanges),
			string(cfg.Name)+"-table", string(cfg.Name)+"-loop", string(cfg.Name)+".error", string(cfg.CandidatesStream()))
	})
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
	events, err := badinput.Generate(badinput.Config{Seed: 14, HugeBytes: 900 << 10}, valid)
	if err != nil {
		t.Fatal(err)
	}
	badinput.RunBroker(t, kc, fan, processor.Config{StateDir: t.TempDir(), MaxRecordBytes: 1 << 20}, cfg.PageChanges, events,
		badinput.Malformed...)
	var wellFormed int
	for _, e := range events {
		if !e.Bad() {
			wellFormed++
		}
	}
	if got := len(testenv.ReadAll(t, kc, string(cfg.CandidatesStream()))); got != wellFormed {
		t.Errorf("%d candidates, want one for each of the %d valid edits and duplicates", got, wellFormed)
	}
}
