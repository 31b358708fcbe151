package window_test

import (
	"fmt"
	"time"

	"github.com/ripplestream/ripple/processor/window"
)

// The core on its own: edits per minute with 10 s of allowed lateness.
// Time is what the caller passes; Add counts an event or reports it late,
// Advance returns the windows that closed.
func Example() {
	w := window.Windower[int64, struct{}]{
		Assigner:   window.Tumbling(time.Minute),
		Lateness:   10 * time.Second,
		Aggregator: window.Count[struct{}](),
	}
	w = w.WithDefaults()
	if err := w.Validate(); err != nil {
		fmt.Println(err)
		return
	}
	var st window.State[int64] // one key's state; a job keeps it per key
	t0 := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	for _, sec := range []int{5, 42, 61, 58, 75, 30} {
		out := w.Add(&st, t0.Add(time.Duration(sec)*time.Second), struct{}{})
		for _, r := range w.Advance(&st, time.Time{}) {
			fmt.Printf("[%s, %s): %d events, %d late\n", r.Start.Format("15:04:05"), r.End.Format("15:04:05"), r.Count, r.Late)
		}
		if out.Late {
			fmt.Printf("event at %ds is late\n", sec)
		}
	}
	// A timer, or the key's next events, close the rest.
	for _, r := range w.Advance(&st, t0.Add(2*time.Minute)) {
		fmt.Printf("[%s, %s): %d events, %d late\n", r.Start.Format("15:04:05"), r.End.Format("15:04:05"), r.Count, r.Late)
	}
	// Output:
	// [12:00:00, 12:01:00): 3 events, 0 late
	// event at 30s is late
	// [12:01:00, 12:02:00): 2 events, 1 late
}

// The ready stage: bytes changed per wiki in sessions of activity, where a
// session ends after five quiet minutes, events may be a minute late, and
// late events go to page_change.bytes.late.
func ExampleJob() {
	job, err := window.Job(window.Config[int64, int64]{
		Name:   "bytes-per-session",
		Input:  "mediawiki.page_change.v1",
		Output: "page_change.bytes",
		Windower: window.Windower[int64, int64]{
			Assigner:   window.Session(5 * time.Minute),
			Lateness:   time.Minute,
			Aggregator: window.Sum[int64](),
		},
		Value: func(raw []byte) (int64, error) { return int64(len(raw)), nil },
	})
	fmt.Println(job.Name, err)
	for _, o := range job.Outputs {
		fmt.Println(o.Stream())
	}
	// Output:
	// bytes-per-session <nil>
	// page_change.bytes
	// page_change.bytes.late
}
