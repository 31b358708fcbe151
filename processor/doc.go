// Package processor owns the job API: a Job is data (a name, typed inputs
// with handlers, a state codec, declared outputs, optional loopback and
// timer handlers); a Runner runs it on Kafka, with local Pebble state
// (package state) backed by a compacted changelog topic in goka's format
// (<job>-table), so goka views and tools read a ripple job's state.
//
// Engines (Config.Engine): by default (EngineRipple) each partition is one
// goroutine of ripple's own loop on a sarama consumer group (its records
// sent by franz-go's idempotent producer; by sarama's transactional one
// under Config.ExactlyOnce), with a write cache in front of
// the state: a key written many times within Config.CommitInterval costs
// one changelog record, and the state is stored in Pebble together with its
// changelog offset only once that record is acknowledged, so the local
// store never runs ahead of the changelog. EngineGoka runs the job as a
// goka processor instead (one record and one changelog write at a time);
// processortest uses it, on goka's tester.
//
// Semantics:
//   - State is exact across crashes under EngineRipple: each batch of state
//     changes is stored in Pebble together with the input offsets it
//     applied (state.InputsKey), and its changelog records end with a
//     marker carrying the same offsets, sent once the batch's outputs are
//     acknowledged. A restart, on the same disk or on a new one restored
//     from the changelog, applies only whole batches (a batch a crash tore
//     is written again) and resumes each input right after the offsets
//     stored, so no event is applied twice to state. Outputs are
//     at-least-once: an event whose batch was not stored is handled again.
//     EngineGoka is at-least-once for state too.
//   - Kafka outages are ridden out in the process: the engine starts again
//     after Kafka errors, and the goka companions are rebuilt, with a capped
//     backoff; Runner.Waiting says what the job waits for (one WARN line
//     when a wait starts, one INFO line when it ends) and Ready is false
//     meanwhile. The job stops only for errors a retry cannot cure (a
//     record the broker refuses, a state store that fails), and says which.
//   - A handler error that is ErrUnavailable (a store or service down, such
//     as deps.ErrUnavailable) pauses the partition and calls the handler
//     again with a capped backoff for as long as it takes; the event never
//     goes to the retry or error topic for it.
//   - A handler's state change and emits are buffered and applied only
//     when it returns nil, so a failed call leaves no trace.
//   - A handler error (or panic) sends the event to <job>.retry.<stream>
//     with retries_left and an exponentially growing delay; a companion
//     goka group (<job>.retry) holds it until due and hands it back through
//     <job>.retry.<stream>.ready. After the last retry, or at once for
//     errors marked Permanent, undecodable bytes and schema violations, the
//     event goes to <job>.error with the reason. The job never stops for a
//     bad event. Package errortopic (`ripple errors`) counts those events
//     and sends them back once their cause is fixed.
//   - Timers (Job.Timer, Context.At and After) are processing-time
//     callbacks kept in <job>.timer; a companion group (<job>.timers) holds
//     each until due and hands it back through <job>.timer.ready, so a
//     timer fires when no event arrives and survives restarts.
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
