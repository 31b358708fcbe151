// Package jobtest runs ripple jobs in integration tests on the real broker:
// Start a job in the background, Stop it and see how Run ended, and count
// the events of one stream it processed with a Counter hook.
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

// Running is a job that Start runs in the background.
type Running[S any] struct {
	*processor.Runner[S]
	t      testing.TB
	cancel context.CancelFunc
	done   chan error
	once   sync.Once
	err    error
}

// Start makes a Runner of job with cfg, failing t if it cannot, and runs it
// until Stop (called at the latest when t ends).
func Start[S any](t testing.TB, job processor.Job[S], cfg processor.Config) *Running[S] {
	t.Helper()
	r, err := processor.NewRunner(job, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	rn := &Running[S]{Runner: r, t: t, cancel: cancel, done: make(chan error, 1)}
	go func() { rn.done <- r.Run(ctx) }()
	t.Cleanup(func() { _ = rn.Stop() })
	return rn
}

// Stop cancels the job, which flushes its producer, waits for Run to return
// and returns what it returned: nil after a clean stop. Later calls return
// the same. A job that has not returned stopBound after the cancel fails
// the test, naming the file with every goroutine's stack.
func (rn *Running[S]) Stop() error {
	rn.once.Do(func() {
		rn.cancel()
		select {
		case rn.err = <-rn.done:
		case <-time.After(stopBound):
			rn.err = fmt.Errorf("jobtest: the job of %s did not stop within %v of its cancel (goroutines: %s)",
				rn.t.Name(), stopBound, testenv.DumpGoroutines(rn.t))
			rn.t.Error(rn.err)
		}
	})
	return rn.err
}
