// Package processor owns the job API: typed handlers over declared input
// streams, typed state, emits to declared outputs, retry and error topics,
// metrics hooks and the Run(ctx) lifecycle, plus an in-memory test harness.
//
// Built-in stateful operators live in sub-packages (dedupe, diff, tokens,
// filter, ratelimit, anomaly, window); ready-made jobs live in package jobs.
package processor
