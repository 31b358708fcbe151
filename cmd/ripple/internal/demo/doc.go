// Package demo is `ripple demo`: ripple's change-propagation jobs, or a
// small stateful counter, on the embedded default (an in-process
// Kafka-protocol broker and an embedded Pebble graph), over a generated
// workload, with a summary a newcomer can check at a glance. It needs
// nothing installed.
//
// The change-propagation demo keeps what it counts apart from what it
// measures. Its counts (purges a naive propagation would send and purges
// the changes need, both per change, and what coalescing saves) come from
// replaying the workload in order through the propagation engine, so they
// depend on the workload's size and seed only. The jobs then run on the
// in-process broker, where setup, loading, processing and the latency
// from a change's production to its purge's arrival are measured; what
// they send there varies from run to run, and the summary says why.
//
// It is application code: the jobs and the broker it runs are ripple's
// packages, and it starts and stops the jobs with processor.Start like any
// user's program.
package demo
