// Package processor owns the job API: a Job is data (a name, typed inputs
// with handlers, a state codec, declared outputs); a Runner runs it on Kafka
// with goka, with local Pebble state (package state) backed by a compacted
// changelog topic.
//
// Semantics:
//   - Delivery is at-least-once. A handler's state change and emits are
//     buffered and applied only when it returns nil, so a failed call leaves
//     no trace.
//   - A handler error (or panic) sends the event to <job>.retry.<stream>
//     with retries_left and an exponentially growing delay; a companion
//     goka group (<job>.retry) holds it until due and hands it back through
//     <job>.retry.<stream>.ready. After the last retry, or at once for
//     errors marked Permanent, undecodable bytes and schema violations, the
//     event goes to <job>.error with the reason. The job never stops for a
//     bad event.
//   - Events whose meta.domain is "canary" are dropped unless the input is
//     declared with KeepCanary.
//   - All inputs of a job must have the same partition count and be keyed
//     with goka's partitioner (FNV-1a of the key), because a key's state
//     lives in one partition.
//
// The in-memory harness for unit tests is processortest; the Prometheus
// adapter is prommetrics. Built-in stateful operators live in sub-packages
// (dedupe, diff, tokens, filter, ratelimit, anomaly, window); ready jobs live
// in package jobs.
package processor
