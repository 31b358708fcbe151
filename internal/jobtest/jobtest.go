// Package jobtest runs ripple jobs in integration tests on the real broker:
// Start a job in the background (processor.Start, failing the test if it
// cannot), or StartReady to also wait until it is ready, Stop it and see
// how Run ended, and count the events of one stream it processed with a
// Counter hook. It is processor.Start bound to a test; it adds no way of
// running a job of its own.
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

// readyBound is how long StartReady waits for a job to join its group and
// recover its state on the shared, loaded broker.
const readyBound = 2 * time.Minute

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
	t       testing.TB
	once    sync.Once
	err     error
	stopped atomic.Bool // Stop was called by the test
}

// Start makes a Runner of job with cfg, failing t if it cannot, and runs it
// until Stop. When t ends, a job the test did not Stop is stopped, and
// fails t if it stops with an error.
func Start[S any](t testing.TB, job processor.Job[S], cfg processor.Config) *Running[S] {
	t.Helper()
	rn, err := processor.Start(context.Background(), job, cfg)
	if err != nil {
		t.Fatal(err)
	}
	r := &Running[S]{Running: rn, t: t}
	t.Cleanup(func() {
		if r.stopped.Load() {
			return // the test saw how it ended
		}
		if err := r.stop(); err != nil {
			t.Errorf("jobtest: job %s stopped with: %v", job.Name, err)
		}
	})
	return r
}

// StartReady is Start, then waits until the job is ready (joined, its
// state recovered), failing t with what the job waits for if it is not
// within readyBound.
func StartReady[S any](t testing.TB, job processor.Job[S], cfg processor.Config) *Running[S] {
	t.Helper()
	r := Start(t, job, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), readyBound)
	defer cancel()
	if err := r.WaitReady(ctx); err != nil {
		t.Fatalf("jobtest: %v (health: %v)", err, r.Healthy())
	}
	return r
}

// Stop cancels the job, waits for Run to return and returns what it
// returned. A job that has not returned stopBound after the cancel fails
// the test, naming the file with every goroutine's stack, instead of
// hanging until the package's timeout.
func (r *Running[S]) Stop() error {
	r.stopped.Store(true)
	return r.stop()
}

func (r *Running[S]) stop() error {
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
