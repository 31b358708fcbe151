// Package jobtest runs ripple jobs in integration tests on the real broker:
// Start a job in the background (processor.Start, failing the test if it
// cannot), Stop it and see how Run ended, and count the events of one
// stream it processed with a Counter hook.
package jobtest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ripplestream/ripple/internal/testenv"
	"github.com/ripplestream/ripple/processor"
)

// stopBound is how long Stop waits for Run to return after the cancel: a
// job that takes longer is stuck, and its test fails with the stacks
// instead of hanging until the package's timeout.
const stopBound = 2 * time.Minute

// Counter is a processor.Hook counting the events of one stream a job
// processed (a job's timers are events too).
type Counter struct {
	Stream processor.Stream
	N      atomic.Int64
}

// OnEvent implements processor.Hook.
func (c *Counter) OnEvent(e processor.EventInfo) {
	if e.Stream == c.Stream {
		c.N.Add(1)
	}
}

// Running is a job that Start runs in the background: its Runner, and Stop
// that returns how Run ended (nil after a clean stop; later calls return
// the same).
type Running[S any] struct {
	*processor.Running[S]
	t    testing.TB
	once sync.Once
	err  error
}

// Start makes a Runner of job with cfg, failing t if it cannot, and runs it
// until Stop (called at the latest when t ends).
func Start[S any](t testing.TB, job processor.Job[S], cfg processor.Config) *Running[S] {
	t.Helper()
	rn, err := processor.Start(context.Background(), job, cfg)
	if err != nil {
		t.Fatal(err)
	}
	r := &Running[S]{Running: rn, t: t}
	t.Cleanup(func() { _ = r.Stop() })
	return r
}

// Stop cancels the job, waits for Run to return and returns what it
// returned. A job that has not returned stopBound after the cancel fails
// the test, naming the file with every goroutine's stack, instead of
// hanging until the package's timeout.
func (r *Running[S]) Stop() error {
	r.once.Do(func() {
		done := make(chan error, 1)
		go func() { done <- r.Running.Stop() }()
		select {
		case r.err = <-done:
		case <-time.After(stopBound):
			r.err = fmt.Errorf("jobtest: the job of %s did not stop within %v of its cancel (goroutines: %s)",
				r.t.Name(), stopBound, testenv.DumpGoroutines(r.t))
			r.t.Error(r.err)
		}
	})
	return r.err
}
