// Package window aggregates each Kafka key's events over event-time
// windows (tumbling, hopping and session) with bounded lateness, and emits
// one result per window when it closes; in two layers.
//
// # The core
//
// The core is pure and deterministic: time is what the caller passes, and
// all that changes is the [State] it is given.
//   - An [Assigner] says which windows an event belongs to: [Tumbling]
//     (aligned, non-overlapping), [Hopping] (aligned, overlapping) or
//     [Session] (runs of events less than a gap apart; an event that
//     bridges two sessions merges them).
//   - An [Aggregator] folds the values of a window's events into an
//     aggregate: [Count], [Sum], or one of the job's own. Merge combines
//     the aggregates of merging sessions.
//   - A [Windower] holds the rules (assigner, lateness, aggregator, the
//     most windows a key keeps open). Windower.Add counts one event in a
//     key's State, or reports it late; Windower.Advance moves the key's
//     watermark and returns the windows that closed, in order.
//
// A key's watermark is its newest event time minus Windower.Lateness; a
// window [start, end) closes once the watermark reaches its end. An event
// is late when every window it belongs to has closed (a session event:
// when it is older than the watermark). Late events are counted, not
// aggregated; each result reports how many there were since the key's
// previous result.
//
// State is bounded: a key keeps at most Windower.MaxOpen windows open. An
// event that would open one more moves the key's watermark to the end of
// its oldest window, which closes early (Result.Evicted, ClosedByLimit);
// events that belong only to it are late from then on.
//
// # The stage
//
// [Job] reads a stream, keeps a [JobState] per Kafka key, and emits a
// [ResultEvent] (schema ripple/window/result, with a WMF envelope) to an
// output stream for each closed window, and every late event, unchanged, to
// a side stream (<output>.late by default). The event time is the event's
// dt ([DT]) unless Config.EventTime says otherwise; what an event adds to
// the aggregate is Config.Value of it. An event that is not a JSON object,
// has no dt or a dt that is not an RFC 3339 string, is further in the
// future than Config.MaxFuture, is over Config.MaxEventBytes, or whose
// Config.Value fails goes to the job's error topic with the reason.
//
// # Timers
//
// A key's watermark moves only with the key's own events, so the last
// windows of a key that goes quiet would never close. The stage closes
// them with processing-time timers (Context.At): it assumes that, while a
// key is quiet, its event time goes on advancing with processing time. It
// anchors the two clocks at the key's newest event (its event time and
// the processing time it was seen at), and sets a timer for the key's
// earliest open window to fire when, by that anchor, event time reaches
// the window's end plus the lateness (plus Config.CloseDelay). When it
// fires, the key's watermark moves as far as the anchor, as it stands
// then, justifies, and whatever closed is emitted (ClosedByTimer). A key
// has one pending close timer, not one per event or window: the next is
// set when it fires, or when an earlier window opens. (A key that raced
// through a backlog, its event time ahead of processing time, keeps the
// timer it set first, and may close its last window up to a horizon late:
// the window size, or gap, plus lateness plus CloseDelay.) A key whose
// windows have all closed keeps its watermark for Config.KeepIdle, so late
// events are still known late; then a timer deletes its state.
//
// The assumption fails when the job falls behind its input: a backlog of
// events may then arrive after their window's timer closed it, and count
// as late. Timers are never more than a horizon late while the job keeps
// up (a partition's timers fire in the order they were set, so one waits
// at most for those set before it). A timer later than that means the job
// was down or far behind: the time it was late does not count as event
// time passing, and the key gets another horizon for its backlog to
// arrive. A lag that grows faster than Lateness still makes events late;
// Config.CloseDelay buys time for it. Events that arrive while a key is
// busy close windows by watermark, and timers find nothing left to do.
//
// In processortest, move the harness clock in steps no longer than a
// horizon, as a running job would see it: one long Advance looks like
// downtime.
//
// Results are emitted at least once: after a crash, a window may be
// emitted again, with the same meta.id (it is derived from the stream, key
// and window), so package dedupe removes the copy downstream.
//
// This package does not join streams, nor window across keys: a window
// belongs to one Kafka key, and keys are independent.
package window
