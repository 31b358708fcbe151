// Package dedupe removes duplicates from at-least-once streams, in two
// layers.
//
// The core is state-explicit: values a job keeps in its own per-key state
// and consults from its own handler.
//   - [Window] is a bounded, TTL'd set of recently seen ids (by default
//     meta.id). Seen records an id and reports whether it was already there.
//     Ids are stored as 64-bit hashes with the time they were first seen,
//     about ten bytes each, so a window's size depends on how many ids it
//     holds, not on how long they are. Prune forgets expired ids, for a
//     job that expires its state with its own timers.
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
// Time is the Kafka record timestamp (the job's processing time,
// Context.Now, for a record without one) unless Config.Clock is set, and
// each window's clock only moves forward: an event with an older timestamp
// is recorded at the newest time the window has seen. Ids expire TTL after
// they were first seen; a window holds at most Max ids and forgets the
// oldest early when full, so a key's state stays flat under a steady
// stream of unique ids. A duplicate that arrives after its id expired or was
// forgotten passes again: choose TTL and Max for the redelivery delays the
// stream has (consumer restarts and producer retries: seconds to minutes).
//
// Every event with a new id rewrites its key's state, so the cost of an
// event and the bytes it adds to the changelog grow with the ids its key
// holds (tens of microseconds and 9 KB at 1,000; see BenchmarkDedupe). A
// stream whose keys see many distinct ids within the TTL dedupes cheaper
// when keyed by the id itself. A duplicate writes nothing.
//
// # Expiry timers
//
// Expired ids are pruned when the key's next event is processed, and by a
// processing-time timer (Context.At) when none comes, so the state of a key
// leaves the store once its last id (and, with Supersede, its last root)
// has expired: under a steady stream of unique keys the store holds the
// keys of about one TTL, not every key ever seen.
//
// The two clocks meet at the key's anchor: the stage's time of the key's
// newest state write and the processing time it was made at (State.EventAt
// and State.SeenAt). While a key is quiet the stage assumes its time goes
// on advancing with processing time. A key has at most one pending timer
// (State.TimerAt), set with its first write and due when, by the anchor,
// its newest id expires; when it fires it prunes what expired by then and
// deletes the state if nothing is left, or sets the next timer. A key so
// costs one timer per TTL while it is busy, and one in all if it is seen
// once; a duplicate sets none.
//
// No timer is set more than a horizon ahead: TTL, or the larger of TTL and
// RootTTL with Supersede (timers of a partition fire in the order they
// were set, so a common horizon keeps one from holding up the others).
// While the job keeps up, a timer is at most a horizon late. A timer later
// than that means the job was down or far behind: that time does not count
// as the key's time passing, and the key gets another horizon for the
// backlog of its events to arrive. In processortest, move the harness clock
// in steps no longer than the horizon, as a running job would see it.
//
// The assumption is safe while record time runs at least as fast as
// processing time: live, or catching up a backlog (the anchor then
// underestimates the key's time, and the state stays longer). When the job
// falls behind its input, record time runs slower, and a quiet key's ids
// may be forgotten before their TTL by record time has passed: a duplicate
// then passes again, as after MaxIDs forgets an id. Put differently, a
// duplicate is dropped when it arrives within TTL of the first occurrence
// by record time and, if its key went quiet meanwhile, within about TTL of
// processing time after the key's last new id. Config.NoTimers turns
// timers off (state then stays until the key's next event, a few bytes to
// Max*10 bytes for a key never seen again).
//
// The timers need the job's timer topics (<name>.timer, <name>.timer.ready
// and <name>.timers-loop); the anchor and timer take 12 to 18 more bytes
// of state per key.
//
// This package does not coalesce events by content or window; see the
// changeprop job for purge coalescing.
package dedupe
