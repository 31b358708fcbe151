package processor

import (
	"time"

	"github.com/ripplestream/ripple/state"
)

// Hook observes a running job for metrics. A hook implements any of the
// one-method interfaces below; the runner finds them by type assertion, so a
// hook pays only for what it watches. Hooks are called from the partition
// goroutines and must be safe for concurrent use and fast.
type Hook any

// Outcome is what happened to one event.
type Outcome string

// Outcomes of processing one event.
const (
	OutcomeOK      Outcome = "ok"      // handled, effects applied
	OutcomeRetry   Outcome = "retry"   // handler failed; sent to the retry topic
	OutcomeError   Outcome = "error"   // sent to the error topic
	OutcomeDropped Outcome = "dropped" // canary, not processed
)

// EventInfo describes one processed event.
type EventInfo struct {
	Job       Group
	Stream    Stream
	Partition int32
	Outcome   Outcome
	// Kind says why an event failed: "decode", "schema", "handler", "panic".
	Kind     string
	Duration time.Duration
	Emitted  int
}

// EventHook is told about every event a job consumes.
type EventHook interface {
	OnEvent(EventInfo)
}

// PartitionInfo is a periodic sample of one partition of a job.
type PartitionInfo struct {
	Job       Group
	Partition int32
	// Lag is the number of events behind the end of each input stream.
	Lag map[Stream]int64
	// Recovering is true while the state is being restored from the
	// changelog; RecoveryLag is how many changelog records remain.
	Recovering  bool
	RecoveryLag int64
	// State holds the Pebble state's statistics, when the job's state is
	// kept by package state.
	State *state.Stats
}

// PartitionHook receives periodic samples of each partition (every
// Config.StatsInterval).
type PartitionHook interface {
	OnPartition(PartitionInfo)
}

// PartitionSetHook is a PartitionHook that is also told, after each round
// of samples, which partitions of the job the process owns now: those it
// sampled (none while it owns none). A hook that keeps a series per
// partition, such as a metrics gauge, drops those of partitions that moved
// to another process at a rebalance.
type PartitionSetHook interface {
	PartitionHook
	OnPartitions(job Group, owned []int32)
}
