package anomaly_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/internal/badinput"
	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/processor/anomaly"
	"github.com/ripplestream/ripple/processor/processortest"
	"github.com/ripplestream/ripple/schemas"
)

// TestBadInputCorpus sends 10,000 malformed events mixed among 2,000
// valid ones through the anomaly job, validating its input's schema,
// on the in-memory harness: each malformed one lands in the error topic
// with its bytes, no valid one does.
func TestBadInputCorpus(t *testing.T) {
	var valid []badinput.Event
	for i := range 2_000 {
		dt := jobStart.Add(time.Duration(i) * 10 * time.Millisecond).Format(time.RFC3339Nano)
		valid = append(valid, badinput.Event{Key: fmt.Sprint("k", i%20), Value: fmt.Appendf(nil,
			`{"$schema":"/resource_change/1.0.0","meta":{"stream":"client_errors","uri":"https://en.wikipedia.org/wiki/P%d","id":"id-%d","dt":%q},"dt":%q,"tags":["TypeError"]}`, i, i, dt, dt)})
	}
	events, err := badinput.Generate(badinput.Config{Seed: 14}, valid)
	if err != nil {
		t.Fatal(err)
	}
	cfg := anomaly.Config{Name: "anomaly-bad", Input: in, Output: out,
		InputOptions: []processor.InputOption{processor.ValidateSchema()}}
	cfg.Detector.MinHistory = 10
	job, err := anomaly.Job(cfg)
	if err != nil {
		t.Fatal(err)
	}
	repo, err := event.OpenRepositoryFS(schemas.FS())
	if err != nil {
		t.Fatal(err)
	}
	h := processortest.New(t, job, processor.Config{MaxRecordBytes: 4 << 20, Schemas: repo, Now: func() time.Time { return jobStart }})
	res := badinput.Run(t, h, "anomaly-bad", in, events)
	res.Want(t, badinput.Malformed...)
}
