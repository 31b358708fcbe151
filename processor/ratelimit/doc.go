// Package ratelimit limits the rate of events per Kafka key, in two layers.
//
// The core is pure: a [Limiter] (the rules) decides, for one event, what to
// do with it given the [State] of its key, and updates that state. Jobs can
// keep a State per key (or as a field of their own state) and call
// [Limiter.Decide] from their handlers.
//
// The limit is GCRA (the generic cell rate algorithm, a token bucket kept as
// one timestamp): a key may send Limit.Rate events per Limit.Per, in bursts
// of up to Limit.Burst. Over the limit, the [Policy] applies:
//   - [Drop] drops the event;
//   - [Sample] passes every SampleEvery-th event over the limit;
//   - [Delay] holds the event until it conforms, at most MaxDelay: the
//     stage holds it in a timer and emits it to the output when due (or,
//     with Config.DelayOutput, writes it to that stream as a
//     [DelayedEvent] for a [Release] job to emit).
//
// With [Adaptive] set, a key's limit tightens by a factor while the error
// rate its events report (a field chosen by Config.ErrorRate, smoothed) is
// above a threshold, and relaxes when it falls back.
//
// # Summaries
//
// Held-back events are counted per key. Once Limiter.SummaryInterval has
// passed since the first of them, the key's next event brings a [Summary]
// ("suppressed N events for key K"), which the stage emits as a
// [SummaryEvent]; if the key went quiet, a timer brings it instead
// ([Limiter.Summarize]), so a flood that stops is still reported, about
// SummaryInterval after it began.
//
// # The stage
//
// [Job] reads a stream, limits each Kafka key, and emits passing events
// unchanged to an output stream. Time is the Kafka record timestamp (the
// job's processing time, Context.Now, for a record without one) unless
// Config.Clock is set. Events that are not JSON objects, not valid UTF-8,
// larger than Config.MaxEventBytes, or (in adaptive mode) without a valid
// error rate go to the job's error topic with the reason.
//
// # Timers
//
// The stage's decisions are made in its time, which moves only with the
// key's events; its timers (Context.At) fire in processing time, even when
// no event arrives. A delayed event is held in a timer of its own, due
// its wait (decided in the stage's time) after it was handled, in
// processing time: a backlog's delayed events are spread out as they were
// when live, not released at once. The timer record carries the event, so
// events over [MaxDelayedBytes] are dropped instead of delayed. Released
// events are emitted under their key, in order.
//
// A key with events held back has one summary timer pending, never one per
// event. Its state records an anchor (State.EventAt and State.SeenAt: the
// stage's time of the key's newest event and the processing time it was
// handled at); the timer is due when, by that anchor, the summary is due,
// and when it fires it assumes the key's time went on with processing
// time since. If the key's events brought the summary meanwhile, the timer
// finds the next period and sets itself for it, or, with nothing held
// back, ends. A summary by timer covers the period up to that estimate
// (Summary.Until). While record time runs at least as fast as processing
// time (live, or catching up a backlog), the timer cannot cut a period an
// event would have extended; a job that falls behind its input may end a
// quiet key's period early, the rest of it going into the next summary.
//
// Timers of a partition fire in the order they were set, so the stage sets
// none further ahead than one horizon: SummaryInterval, or with timers for
// delayed events MaxDelay (at least a second), summary timers then being set
// again in steps until due. While the job keeps up, a timer is at most a
// horizon late; one later than that means the job was down or far behind,
// and that time does not count as the key's time passing. In processortest,
// move the harness clock in steps no longer than the horizon.
//
// The state of a key is not deleted: a key never seen again leaves about a
// dozen bytes in the store. The timers need the job's timer topics
// (<name>.timer, <name>.timer.ready and <name>.timers-loop); a job with
// neither delay timers nor a SummaryOutput has none.
//
// This package does not deduplicate (see package dedupe) or limit across
// keys.
package ratelimit
