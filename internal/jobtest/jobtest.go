// Package jobtest runs ripple jobs in integration tests on the real broker:
// Start a job in the background (processor.Start, failing the test if it
// cannot), Stop it and see how Run ended, and count the events of one
// stream it processed with a Counter hook.
package jobtest

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/ripplestream/ripple/processor"
)

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
}

// Start makes a Runner of job with cfg, failing t if it cannot, and runs it
// until Stop (called at the latest when t ends).
func Start[S any](t testing.TB, job processor.Job[S], cfg processor.Config) *Running[S] {
	t.Helper()
	rn, err := processor.Start(context.Background(), job, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rn.Stop() })
	return &Running[S]{rn}
}
