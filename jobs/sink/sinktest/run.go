package sinktest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ripplestream/ripple/internal/testenv"
	"github.com/ripplestream/ripple/jobs/sink"
)

// RunWithStops runs a sink of cfg into store until its offsets reach
// total records, after stopping it at each of stops (see Stopper: their
// Store and Cancel are set here), checking after each stop that it
// stopped midway. It fails t when a run fails or the end is not reached
// within a minute.
func RunWithStops(t testing.TB, cfg sink.Config, store sink.Store, total int64, stops ...*Stopper) {
	t.Helper()
	for _, stop := range stops {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		stop.Store, stop.Cancel = store, cancel
		err := sink.Run(ctx, cfg, stop)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		if stop.Calls() < stop.N {
			t.Fatalf("the sink stopped after %d writes, before the stop at write %d", stop.Calls(), stop.N)
		}
		if n := OffsetSum(t, store, string(cfg.Input)); n == 0 || n >= total {
			t.Fatalf("after the stop at write %d the offsets add up to %d of %d records", stop.N, n, total)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sink.Run(ctx, cfg, store) }()
	defer func() { // also when Eventually fails
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	testenv.Eventually(t, time.Minute, func() error {
		if n := OffsetSum(t, store, string(cfg.Input)); n != total {
			return fmt.Errorf("the offsets add up to %d of %d records", n, total)
		}
		return nil
	})
}

// OffsetSum returns the sum of store's offsets of topic: for a topic
// whose partitions start at 0, the records the sink has passed.
func OffsetSum(t testing.TB, store sink.Store, topic string) int64 {
	t.Helper()
	offs, err := store.Offsets(context.Background(), topic)
	if err != nil {
		t.Fatal(fmt.Errorf("offsets of %s: %w", topic, err))
	}
	var n int64
	for _, o := range offs {
		n += o
	}
	return n
}
