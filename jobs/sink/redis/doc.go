// Package redis is a sink.Store that keeps a stream's events in Redis as
// keyed values with a TTL: the latest event of each key (or one field of
// it), under a key taken from the record's key or a field of the event.
//
// Each batch is one MULTI/EXEC transaction: a SET ... PX per key (the last
// record of the key in the batch) and an HSET of the offsets the batch
// reaches into the sink's offsets hash (Config.OffsetsKey, by default
// ripple:sink:<name>:offsets; field <topic>/<partition>, value the next
// offset). The offsets key must lie outside KeyPrefix, which Validate
// checks; without a KeyPrefix, a record whose key is the offsets key is
// rejected, so no value ever overwrites the offsets. Redis runs a
// transaction whole or not at all, so the values and the offsets agree
// after a crash,
// and the sink resumes where the values are (exactly-once). With
// persistence off, a Redis restart loses both together, and the sink
// writes the stream again from its start.
//
// When a field is needed, the event is decoded by sink.DecodeJSON, as
// every sink decodes one: an event that is not one JSON object (not JSON,
// bytes after the value, an array) or that lacks the key or value field
// it needs is rejected with a sink.Invalid and goes to the sink's error
// topic with the reason. Without KeyPointer and ValuePointer the value is
// stored byte for byte, JSON or not.
//
// It does not own the runner (package sink).
package redis
