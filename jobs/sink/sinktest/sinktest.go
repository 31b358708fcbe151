// Package sinktest helps test sinks and their stores: store wrappers that
// stop a sink at a chosen point of its run, as a crash would, and a
// check that what a store holds is each key's latest record.
//
// It does not own the runner (package sink) nor any store.
package sinktest

import (
	"context"
	"sync"

	"github.com/ripplestream/ripple/jobs/sink"
)

// Stopper wraps a Store and cancels a sink's context at the Nth call of
// Write: before the call (Before: the batch is cut short, as by a crash
// during the write) or after it succeeded (After: the batch is committed
// and the sink stops before it goes on, as a crash after the commit).
// Calls after the cancel pass through.
type Stopper struct {
	sink.Store
	// N is the Write call that stops the sink (1 = the first).
	N int
	// Before cancels before the call instead of after it.
	Before bool
	// Cancel stops the sink: the cancel of the context passed to Run.
	Cancel context.CancelFunc

	mu    sync.Mutex
	calls int
}

// Write counts the call and cancels at the Nth.
func (s *Stopper) Write(ctx context.Context, b sink.Batch) error {
	s.mu.Lock()
	s.calls++
	stop := s.calls == s.N
	s.mu.Unlock()
	if stop && s.Before {
		s.Cancel()
		return s.Store.Write(ctx, b) // sees the cancelled context: writes nothing
	}
	err := s.Store.Write(ctx, b)
	if stop {
		s.Cancel()
	}
	return err
}

// Calls returns how often Write was called.
func (s *Stopper) Calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

// Latest is a record a store should hold: the last one of its key.
type Latest struct {
	Partition int32
	Offset    int64
	Value     []byte
}

// LatestByKey returns the last record of each key among recs (records
// read back from a topic, each key in one partition), leaving out the
// keys for which skip reports true (the invalid records').
func LatestByKey(recs []sink.Record, skip func(key string) bool) map[string]Latest {
	out := map[string]Latest{}
	for _, r := range recs {
		k := string(r.Key)
		if skip != nil && skip(k) {
			continue
		}
		if l, ok := out[k]; !ok || l.Partition != r.Partition || l.Offset < r.Offset {
			out[k] = Latest{Partition: r.Partition, Offset: r.Offset, Value: r.Value}
		}
	}
	return out
}
