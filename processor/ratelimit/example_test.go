package ratelimit_test

import (
	"fmt"
	"time"

	"github.com/ripplestream/ripple/processor/ratelimit"
)

// The core on its own: 2 events per second per key, bursts of 2, every
// 3rd event over the limit sampled, and a summary of what was held back.
func Example() {
	l := ratelimit.Limiter{
		Limit:           ratelimit.Limit{Rate: 2, Burst: 2},
		Policy:          ratelimit.Sample,
		SampleEvery:     3,
		SummaryInterval: 10 * time.Second,
	}
	l = l.WithDefaults()
	if err := l.Validate(); err != nil {
		fmt.Println(err)
		return
	}
	var st ratelimit.State // one key's state; a job keeps it per key
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	var outcomes []ratelimit.Outcome
	for i := range 8 {
		d := l.Decide(&st, now.Add(time.Duration(i)*10*time.Millisecond))
		outcomes = append(outcomes, d.Outcome)
	}
	fmt.Println(outcomes)
	d := l.Decide(&st, now.Add(time.Minute))
	fmt.Printf("%v; summary: %d suppressed since %s\n", d.Outcome, d.Summary.Suppressed, d.Summary.Since.Format(time.StampMilli))
	// Output:
	// [pass pass dropped dropped sampled dropped dropped sampled]
	// pass; summary: 4 suppressed since Nov  1 12:00:00.020
}

// The ready stage for client error logs: at most 10 errors a minute per
// key, delayed rather than dropped, with summaries, and a tenfold tighter
// limit for keys whose events report an error rate above 20%. Delayed
// events and the summaries of keys that went quiet come from the job's
// timers, so it has a Timer handler.
func ExampleJob() {
	job, err := ratelimit.Job(ratelimit.Config{
		Name:          "client-errors-ratelimit",
		Input:         "client_error.deduped",
		Output:        "client_error.limited",
		SummaryOutput: "client_error.suppressed",
		ErrorRate:     ratelimit.Field("error_rate"),
		Limiter: ratelimit.Limiter{
			Limit:    ratelimit.Limit{Rate: 10, Per: time.Minute},
			Policy:   ratelimit.Delay,
			Adaptive: &ratelimit.Adaptive{Threshold: 0.2},
		},
	})
	fmt.Println(job.Name, len(job.Outputs), job.Timer != nil, err)
	// Output:
	// client-errors-ratelimit 2 true <nil>
}
