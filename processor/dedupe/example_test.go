package dedupe_test

import (
	"fmt"
	"time"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/processor/dedupe"
)

// A job composes a Window into its own per-key state and consults it in its
// handler: here a page-view counter that counts each view id once.
func Example() {
	type View struct {
		event.Envelope
		Page string `json:"page"`
	}
	type Counts struct {
		Views int           `json:"views"`
		Seen  dedupe.Window `json:"seen"` // encodes as a base64 string
	}
	handle := func(c *processor.Context[Counts], key string, v View) error {
		st, _, err := c.State()
		if err != nil {
			return err
		}
		st.Seen.TTL, st.Seen.Max = 10*time.Minute, 500
		if st.Seen.Seen(v.Meta.ID, v.Meta.DT) {
			return nil // a redelivery: already counted
		}
		st.Views++
		return c.SetState(st)
	}
	job := processor.Job[Counts]{
		Name:   "pageviews",
		State:  event.JSON[Counts]{},
		Inputs: []processor.Input[Counts]{processor.On("views", event.JSON[View]{}, handle)},
	}
	fmt.Println(job.Validate())

	// The core on its own:
	var w dedupe.Window
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	fmt.Println(w.Seen("b0caf18d", now), w.Seen("b0caf18d", now.Add(time.Second)), w.Seen("5e1a", now))
	// Output:
	// <nil>
	// false true false
}

// The sha1 rule: a job created before an identical job last ran is skipped.
func ExampleRedundant() {
	runs := dedupe.Window{TTL: time.Hour}
	sha, _ := dedupe.SHA1(map[string]any{"type": "htmlCacheUpdate", "page": "Template:Cite"})
	created := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)

	run := func(created, now time.Time) string {
		last, _ := runs.LastSeen(sha, now)
		if dedupe.Redundant(last, created, nil) {
			return "skip"
		}
		runs.Touch(sha, now)
		return "run"
	}
	fmt.Println(run(created, created.Add(time.Minute)))                       // first: runs
	fmt.Println(run(created.Add(30*time.Second), created.Add(2*time.Minute))) // created before that run
	fmt.Println(run(created.Add(3*time.Minute), created.Add(4*time.Minute)))  // created after it
	// Output:
	// run
	// skip
	// run
}

// The ready stage, run like any job with processor.NewRunner.
func ExampleJob() {
	job, err := dedupe.Job(dedupe.Config{
		Name:   "client-errors-dedupe",
		Input:  "eventlogging_ClientError",
		Output: "client_error.deduped",
		TTL:    10 * time.Minute,
	})
	fmt.Println(job.Name, err)

	_, err = dedupe.Job(dedupe.Config{Name: "loop", Input: "a", Output: "a"})
	fmt.Println(err)
	// Output:
	// client-errors-dedupe <nil>
	// dedupe: invalid config: job loop: Output is the Input "a" (a loop)
}
