// Package errortopic works on a job's error topic, <job>.error, where the
// processor writes each event it gave up on (processor.ErrorRecord): List
// counts its records by input stream, failure type and reason, and Replay
// sends them back to their input streams once their cause is fixed, with
// their original key and bytes, to the partition they were read from.
//
// Replay keeps its position in the consumer group <job>.errors-replay (by
// default), committed only after the broker acknowledged the records sent
// before it, so running it twice sends nothing twice, and a replay stopped
// midway (Ctrl-C, a broker error) resumes after what it sent. A replay with
// a filter passes over the records that do not match it: they stay in the
// topic, and a later replay reaches them with FromBeginning and a filter
// that leaves out what was sent already.
//
// Kafka forgets the position of a group that commits nothing for
// offsets.retention.minutes (7 days by default), and the error topic keeps
// records for 7 days (ripple creates streams so; whole segments are
// deleted, so some records live longer). A replay more than a week after
// the previous one may therefore start from the topic's start again and
// send records that one sent: run it with DryRun first.
//
// It reads the topic up to its end as of the call, so it terminates while
// the job keeps writing. It does not own the error record format (package
// processor) nor the job.
package errortopic
