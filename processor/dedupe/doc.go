// Package dedupe removes duplicates from at-least-once streams, in two
// layers.
//
// The core is state-explicit: values a job keeps in its own per-key state
// and consults from its own handler.
//   - [Window] is a bounded, TTL'd set of recently seen ids (by default
//     meta.id). Seen records an id and reports whether it was already there.
//     Ids are stored as 64-bit hashes with the time they were first seen,
//     about ten bytes each, so a window's size depends on how many ids it
//     holds, not on how long they are.
//   - [Roots] and [Supersedes] apply change-propagation's root_event rule:
//     an event derived from a root change older than the newest root seen
//     for the same signature is stale (a newer cascade already covers it).
//   - [SHA1] and [Redundant] apply change-propagation's sha1 rule for jobs:
//     a job created before an identical job (same sha1 of its identifying
//     fields) last ran can be skipped, because that run already saw the
//     changes that caused it.
//
// The ready stage, [Job], reads a stream and emits the first occurrence of
// each event to another stream, keeping a [State] per Kafka key: redelivered
// duplicates of at-least-once delivery carry the same key, so they meet the
// same state. Events that cannot be identified (not a JSON object, no
// meta.id, wrong types, invalid UTF-8, over Config.MaxEventBytes) go to the
// job's error topic with the reason.
//
// # Time and size
//
// Time is the Kafka record timestamp unless Config.Clock is set, and each
// window's clock only moves forward: an event with an older timestamp is
// recorded at the newest time the window has seen. Ids expire TTL after they
// were first seen; a window holds at most Max ids and forgets the oldest
// early when full, so a key's state stays flat under a steady stream of
// unique ids. A duplicate that arrives after its id expired or was
// forgotten passes again: choose TTL and Max for the redelivery delays the
// stream has (consumer restarts and producer retries: seconds to minutes).
//
// Every event rewrites its key's state, so the cost of an event and the
// bytes it adds to the changelog grow with the ids its key holds (tens of
// microseconds and 9 KB at 1,000; see BenchmarkDedupe). A stream whose keys see many distinct ids
// within the TTL dedupes cheaper when keyed by the id itself.
//
// Expired ids are pruned when the key's next event is processed; there are
// no timers. The state of a key never seen again therefore stays in the
// store (a few bytes to Max*10 bytes) until the key is written again.
//
// This package does not coalesce events by content or window; see the
// changeprop job for purge coalescing.
package dedupe
