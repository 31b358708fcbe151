package dedupe_test

import (
	"fmt"
	"testing"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/internal/badinput"
	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/processor/dedupe"
	"github.com/ripplestream/ripple/processor/processortest"
	"github.com/ripplestream/ripple/schemas"
)

// TestBadInputCorpus sends 10,000 malformed events mixed among 2,000 valid
// ones through the dedupe job, validating its input's schema, on the
// in-memory harness: each malformed one
// lands in the error topic with its bytes, each valid one is emitted once.
func TestBadInputCorpus(t *testing.T) {
	var valid []badinput.Event
	for i := range 2_000 {
		valid = append(valid, badinput.Event{Key: fmt.Sprint("k", i%50), Value: fmt.Appendf(nil,
			`{"$schema":"/resource_change/1.0.0","meta":{"stream":"events","dt":"2026-11-01T00:00:00Z","uri":"https://en.wikipedia.org/wiki/P%d","id":"id-%d"},"tags":["t"]}`, i, i)})
	}
	events, err := badinput.Generate(badinput.Config{Seed: 14}, valid)
	if err != nil {
		t.Fatal(err)
	}
	job, err := dedupe.Job(dedupe.Config{Name: "dedupe-bad", Input: in, Output: out,
		InputOptions: []processor.InputOption{processor.ValidateSchema()}})
	if err != nil {
		t.Fatal(err)
	}
	repo, err := event.OpenRepositoryFS(schemas.FS())
	if err != nil {
		t.Fatal(err)
	}
	h := processortest.New(t, job, processor.Config{MaxRecordBytes: 4 << 20, Schemas: repo})
	res := badinput.Run(t, h, "dedupe-bad", in, events)
	res.Want(t, badinput.Malformed...)
	if got := len(h.Output(out)); got != len(valid) {
		t.Errorf("%d events emitted, want the %d valid ones", got, len(valid))
	}
}
