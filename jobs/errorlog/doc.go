// Package errorlog is the ready job for client-side error logs, such as
// Wikimedia's mediawiki.client.error stream: browsers report every
// JavaScript error they meet, so one broken gadget sends the same error
// from thousands of page views a minute, and at-least-once delivery adds
// redelivered copies. The job turns that flood into a log a person can
// read: each error is given a fingerprint, redelivered copies are dropped,
// and each fingerprint is held to a rate, with a count of what was held
// back.
//
// It is three jobs chained by two streams, each built from the public
// API:
//
//	Input ─fingerprint─▶ <Name>.fingerprinted ─dedupe─▶ <Name>.deduped ─ratelimit─▶ Output, Summaries
//
// The jobs:
//
//   - <Name>-fingerprint (stateless) computes the fingerprint (Fingerprint)
//     and re-keys the event by it, adding it as the event's "fingerprint"
//     field. An event that is not a JSON object with a non-empty "message"
//     and a meta.id (what dedupe identifies it by), or is not UTF-8, goes
//     to the error topic with the reason.
//   - <Name>-dedupe drops copies of an event already seen (same meta.id)
//     within DedupeTTL: processor/dedupe, keyed by fingerprint.
//   - <Name>-ratelimit passes at most Limit per fingerprint, samples the
//     rest (every SampleEvery-th over the limit passes, so a flood stays
//     visible), and writes to Summaries how many events of a fingerprint
//     it held back and since when: processor/ratelimit.
//
// Jobs builds the three; run them side by side (one process or several).
package errorlog
