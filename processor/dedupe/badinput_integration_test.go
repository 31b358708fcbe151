//go:build integration

package dedupe_test

import (
	"fmt"
	"testing"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/internal/badinput"
	"github.com/ripplestream/ripple/internal/testenv"
	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/processor/dedupe"
	"github.com/ripplestream/ripple/schemas"
)

// TestIntegrationBadInputCorpus runs the dedupe job, validating its input,
// on the real broker over the bad-input corpus: 10,000 malformed events
// among 2,000 valid ones. Every malformed one is in the error topic with
// its bytes intact, every valid one is emitted, and the job stays healthy.
// Huge events are 900 KiB here, under the broker's 1 MB message limit
// (the harness test sends 2 MiB).
func TestIntegrationBadInputCorpus(t *testing.T) {
	kc := testenv.Kafka(t)
	name := processor.Group(testenv.Name(t, "dedupe-bad"))
	input, output := testenv.Name(t, "in"), testenv.Name(t, "out")
	testenv.CreateTopic(t, kc, input, 4)
	t.Cleanup(func() { deleteTopics(t, kc, name, output); testenv.DeleteTopics(t, kc, input) })

	var valid []badinput.Event
	for i := range 2_000 {
		valid = append(valid, badinput.Event{Key: fmt.Sprint("k", i%50), Value: fmt.Appendf(nil,
			`{"$schema":"/resource_change/1.0.0","meta":{"stream":"events","dt":"2026-11-01T00:00:00Z","uri":"https://en.wikipedia.org/wiki/P%d","id":"id-%d"},"tags":["t"]}`, i, i)})
	}
	events, err := badinput.Generate(badinput.Config{Seed: 14, HugeBytes: 900 << 10}, valid)
	if err != nil {
		t.Fatal(err)
	}
	repo, err := event.OpenRepositoryFS(schemas.FS())
	if err != nil {
		t.Fatal(err)
	}
	job, err := dedupe.Job(dedupe.Config{Name: name, Input: processor.Stream(input), Output: processor.Stream(output),
		InputOptions: []processor.InputOption{processor.ValidateSchema()}})
	if err != nil {
		t.Fatal(err)
	}
	badinput.RunBroker(t, kc, job, processor.Config{StateDir: t.TempDir(), Schemas: repo, MaxRecordBytes: 1 << 20}, processor.Stream(input), events,
		badinput.Malformed...)
	if got := len(testenv.ReadAll(t, kc, output)); got != len(valid) {
		t.Errorf("%d events emitted, want the %d valid ones (duplicates dropped)", got, len(valid))
	}
}
