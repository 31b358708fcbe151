// Package demo is `ripple demo`: ripple's change-propagation jobs, or a
// small stateful counter, on the embedded default (an in-process
// Kafka-protocol broker and an embedded Pebble graph), over a generated
// workload, with a summary a newcomer can check at a glance. It needs
// nothing installed.
//
// The change-propagation demo keeps what it counts apart from what it
// times: its counts (purges a naive propagation would send, purges the
// changes need, purges sent after coalescing) depend on the workload's
// size and seed only, and are the same on every run; setup, loading,
// processing and the latency from a change to its purge are measured and
// vary. It is application code: the jobs and the broker it runs are
// public packages, and it starts and stops the jobs with
// processor.Start like any user's program.
package demo
