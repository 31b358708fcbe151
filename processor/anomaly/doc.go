// Package anomaly detects outliers in per-key event rates and raises
// alerts, in two layers.
//
// The core is pure and deterministic, with time passed in: a [Detector]
// (the rules) and a [State] per key. [Detector.Observe] counts events at
// their event time in windows of Detector.Bucket (one minute by default);
// [Detector.Advance] closes windows when time moves on without events.
// Each closed window is scored against the key's history and may move the
// key's alert to firing or resolved; both return those [Transition]s. Jobs
// can keep a State per key (or as a field of their own state) and call them
// from their handlers.
//
// # Scoring
//
// The baseline is an exponentially weighted moving average (EWMA) of the
// key's window counts, weight Detector.Alpha. The spread is the median
// absolute deviation (MAD) of the residuals (count minus baseline) of the
// last Detector.History windows. A window's robust score is
//
//	|count - baseline| / (1.4826·MAD + Epsilon)
//
// 1.4826·MAD estimates the standard deviation and, unlike it, is not
// inflated by the outliers being looked for; Epsilon keeps a perfectly
// steady key (MAD 0) from alerting on a difference of a few events. A window is
// anomalous when its score is above Detector.Threshold on the side
// Detector.Direction watches (spikes, by default) and the key has closed
// Detector.MinHistory windows. Windows without events count as zero.
// Before it learns from a window, the detector clamps the count to the
// threshold, so one outlier moves the baseline and spread by a bounded
// step, and a lasting change of level is absorbed over some tens of
// windows instead of at once.
//
// With the defaults (one-minute windows, History 120, MinHistory 60,
// Alpha 0.1, Threshold 5) and both sides watched, simulated Poisson traffic
// of 0.5 to 100 events a minute raised no alert in 100 days per rate, and
// 1,000 or 10,000 a minute one false alert in 100 days (none with Threshold
// 6 or Consecutive 2); a tenfold spike fires in its first window. The
// tests check ten days per rate and spikes at random rates and times.
//
// # Alerts
//
// An alert fires after Detector.Consecutive anomalous windows in a row (one
// by default) and resolves once its windows have been back within the
// threshold for Detector.CoolDown (five windows by default); an anomalous
// window meanwhile restarts the cool-down, so a rate hovering at the
// threshold keeps one alert firing instead of flapping. A Transition
// carries the window, its count, baseline, the count at the threshold
// (Threshold) and the score.
//
// # Seasonality
//
// With Detector.Seasonal, the baseline of a window is an EWMA kept per hour
// of day (in Detector.Location, UTC by default): the windows of 08:00-09:00
// today learn from, and are scored against, the level of 08:00-09:00 on
// earlier days (adapting within the hour as its windows close). An hour not
// seen yet starts from the overall baseline. A daily rise (traffic at the
// start of a working day) is then expected rather than anomalous once a
// day of history has passed; during the first day the detector behaves as
// without seasonality. The spread stays one MAD over recent residuals,
// which are already relative to the hour's baseline.
//
// # Time and size
//
// Windows are in event time, aligned to the zero time (minutes start on the
// minute). A window closes once an event at or after its end plus
// Detector.Lateness has been observed for the key, or Advance reaches that
// time; an event for a closed window is counted in State.Late and ignored.
// A gap of many empty windows is scored one by one up to History plus the
// cool-down (enough to fire on a drop and to resolve), and skipped in one
// step beyond that, so a call's work is bounded. A State holds History
// residuals, at most a few open windows and, with Seasonal, 24 baselines:
// about 550 bytes in the job's binary StateCodec with the defaults, 1.4 KB
// as JSON (see BenchmarkDetector).
//
// # The job
//
// [Job] reads a stream of JSON events, counts each under its Kafka key at
// its dt (or meta.dt), keeps a [KeyState] per key in the processor's state
// (binary, [StateCodec]), and emits an [AlertEvent] (schema ripple/alert/1.0.0,
// [AlertSchema]) to Config.Output on every transition. Events that are not
// JSON objects, not valid UTF-8, too large, without an RFC 3339 dt or
// meta.dt, too far ahead of processing time (Config.MaxAhead), or without a
// valid count or key go to the job's error topic with the reason. With
// Config.Key (such as [KeyField]) events are counted under a field instead:
// one whose field differs from its Kafka key goes once round the job's loop
// topic to the partition of its new key. Config.Value (such as [Field])
// counts a number in the event instead of one per event.
//
// A key's windows must close even when its events stop: a spike that ends
// in silence must resolve, and a drop to nothing must fire. The job sets a
// processing-time timer (processor.Context.At) for when the key's oldest
// window is due to close, at most a window and its lateness ahead, and
// re-arms it while the key's alert fires, a streak is open, or the key had
// an event within Config.IdleAfter; a key idle longer waits for its next
// event, which scores the windows in between. A timer advances the key to
// the event time that both its partition (the last event processed there)
// and the key itself (its newest event) have reached, each plus the
// processing time since, never to the wall clock: a job catching up on a
// backlog does not close windows whose events it has yet to read, and a
// key whose producer lags the others in its partition keeps its own pace.
//
// # Alertmanager
//
// With Config.AlertmanagerURL set, the job also pushes each key's latest
// alert status to Alertmanager's v2 API ([Client]; POST /api/v2/alerts)
// with labels alertname, job and the key (Config.KeyLabel) plus
// Config.Labels, and the window's numbers as annotations. A firing alert
// is sent with endsAt Config.AlertHold ahead and sent again as each window
// closes; a resolved one with endsAt at its resolve time. A push is retried
// with backoff, from the handler (so a slow Alertmanager holds up the
// partition for at most the client's attempts and timeouts); if it still
// fails the job logs it, pauses pushing for Config.PushPause and carries
// on: alerts are at least once in the output stream, and Alertmanager
// catches up with the next window of a firing key (or lets a missed
// resolve lapse at endsAt).
//
// State is kept for every key seen and is not expired: a key never seen
// again keeps its state (about 550 bytes) in the store. Delivery is at
// least once, so after a restart a transition may be emitted (and pushed)
// again; Alertmanager merges pushes of the same labels.
//
// This package does not aggregate across keys, detect trends or route
// alerts (Alertmanager does that).
package anomaly
