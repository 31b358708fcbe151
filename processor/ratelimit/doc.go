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
//     stage writes it to a delay stream as a [DelayedEvent] with its due
//     time, and the [Release] job emits it to the output when due.
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
// [SummaryEvent]. There are no timers yet: a key that goes quiet reports its
// last period only when it sends again, and the state of a key never seen
// again (about a dozen bytes) stays in the store until it is.
//
// # The stage
//
// [Job] reads a stream, limits each Kafka key, and emits passing events
// unchanged to an output stream. Time is the Kafka record timestamp unless
// Config.Clock is set. Events that are not JSON objects, not valid UTF-8,
// larger than Config.MaxEventBytes, or (in adaptive mode) without a valid
// error rate go to the job's error topic with the reason.
//
// This package does not deduplicate (see package dedupe) or limit across
// keys.
package ratelimit
