// Package redis is a sink.Store that keeps a stream's events in Redis as
// keyed values with a TTL: the latest event of each key (or one field of
// it), under a key taken from the record's key or a field of the event.
//
// Each batch is one MULTI/EXEC transaction: a SET ... PX per key (the last
// record of the key in the batch) and an HSET of the offsets the batch
// reaches into the sink's offsets hash, ripple:sink:<name>:offsets (field
// <topic>/<partition>, value the next offset). Redis runs a transaction
// whole or not at all, so the values and the offsets agree after a crash,
// and the sink resumes where the values are (exactly-once). With
// persistence off, a Redis restart loses both together, and the sink
// writes the stream again from its start.
//
// An event without the key or value field it needs, or that is not JSON
// when a field is needed, is rejected with a sink.Invalid and goes to the
// sink's error topic.
//
// It does not own the runner (package sink).
package redis
