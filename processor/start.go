package processor

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Running is a job that Start runs in the background until Stop. It is the
// one "start a runner, wait until ready, stop" of ripple: tests, examples,
// the demo and topology.Run use it.
type Running[S any] struct {
	*Runner[S]
	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once
	err    error
}

// Start makes a Runner of job with cfg and runs it in the background until
// ctx ends or Stop is called.
func Start[S any](ctx context.Context, job Job[S], cfg Config) (*Running[S], error) {
	r, err := NewRunner(job, cfg)
	if err != nil {
		return nil, err
	}
	return StartRunner(ctx, r), nil
}

// StartRunner runs r in the background until ctx ends or Stop is called.
func StartRunner[S any](ctx context.Context, r *Runner[S]) *Running[S] {
	ctx, cancel := context.WithCancel(ctx)
	rn := &Running[S]{Runner: r, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(rn.done)
		rn.err = r.Run(ctx)
	}()
	return rn
}

// Done is closed when Run has returned; Stop then returns what it returned.
func (rn *Running[S]) Done() <-chan struct{} { return rn.done }

// Stop cancels the job, which finishes its in-flight events, flushes its
// producer and closes its state, waits for Run to return and returns what
// it returned: nil after a clean stop. Later calls return the same.
func (rn *Running[S]) Stop() error {
	rn.once.Do(rn.cancel)
	<-rn.done
	return rn.err
}

// WaitReady waits until the job is Ready. It returns ctx's error when ctx
// ends first, and an error when the job stops first.
func (rn *Running[S]) WaitReady(ctx context.Context) error {
	err := rn.WaitFor(ctx, func() (bool, error) { return rn.Ready(), nil })
	if err != nil && ctx.Err() != nil {
		if w := rn.Waiting(); w != "" {
			return fmt.Errorf("processor: job %s not ready (waiting for %s): %w", rn.job.Name, w, ctx.Err())
		}
		return fmt.Errorf("processor: job %s not ready: %w", rn.job.Name, ctx.Err())
	}
	return err
}

// pollEvery is how often WaitFor checks its condition.
const pollEvery = 5 * time.Millisecond

// WaitFor waits, while the job runs, until cond reports true, and returns
// cond's error as soon as it reports one. It returns ctx's error when ctx
// ends first and an error when the job stops first. cond is called from
// the caller's goroutine, often: it should be cheap (read an output
// topic, look up a key with Get).
func (rn *Running[S]) WaitFor(ctx context.Context, cond func() (bool, error)) error {
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	for {
		ok, err := cond()
		if err != nil || ok {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("processor: job %s: gave up waiting: %w", rn.job.Name, ctx.Err())
		case <-rn.done:
			return fmt.Errorf("processor: job %s stopped before the wait was over: %v", rn.job.Name, rn.err)
		case <-tick.C:
		}
	}
}
