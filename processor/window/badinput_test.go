package window_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/internal/badinput"
	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/processor/processortest"
	"github.com/ripplestream/ripple/processor/window"
	"github.com/ripplestream/ripple/schemas"
)

// TestBadInputCorpus sends 10,000 malformed events mixed among 2,000 valid
// ones through a tumbling count, validating its input's schema, on the
// in-memory harness: each malformed one lands in the error topic with its
// bytes, no valid one does.
func TestBadInputCorpus(t *testing.T) {
	var valid []badinput.Event
	for i := range 2_000 {
		valid = append(valid, badinput.Event{Key: fmt.Sprint("k", i%50), Value: fmt.Appendf(nil,
			`{"$schema":"/resource_change/1.0.0","meta":{"stream":"edits","dt":%q,"uri":"https://en.wikipedia.org/wiki/P%d","id":"id-%d"},"dt":%q,"tags":["t"]}`,
			t0.Format(time.RFC3339), i, i, t0.Add(time.Duration(i)*time.Millisecond).Format(time.RFC3339Nano))})
	}
	events, err := badinput.Generate(badinput.Config{Seed: 14}, valid)
	if err != nil {
		t.Fatal(err)
	}
	cfg := counting(window.Tumbling(time.Minute), 10*time.Second)
	cfg.Name, cfg.Input, cfg.Output = "window-bad", in, out
	cfg.InputOptions = []processor.InputOption{processor.ValidateSchema()}
	job, err := window.Job(cfg)
	if err != nil {
		t.Fatal(err)
	}
	repo, err := event.OpenRepositoryFS(schemas.FS())
	if err != nil {
		t.Fatal(err)
	}
	h := processortest.New(t, job, processor.Config{MaxRecordBytes: 4 << 20, Schemas: repo, Now: func() time.Time { return t0 }})
	res := badinput.Run(t, h, "window-bad", in, events)
	res.Want(t, badinput.Malformed...)
}
