// Package postgres is a sink.Store that upserts a stream's events into a
// PostgreSQL table, one row per key, in batches.
//
// Each batch is one transaction: the rows go by COPY into a temporary
// table, then INSERT ... ON CONFLICT (key) DO UPDATE moves them into the
// table, and the offsets the batch reaches are upserted into the offsets
// table (sink, topic, partition, next offset) before COMMIT. A crash at
// any point leaves the table and the offsets in agreement, so the sink
// resumes exactly where the table is (exactly-once). A row is replaced
// only by a record read later from its partition (the upsert compares
// kafka_partition and kafka_offset), so a row keeps the latest version of
// its key.
//
// A row holds the key (text, the primary key), the event (jsonb, unless
// Config.EventColumn is "-"), the typed columns Config.Columns picks out
// of the event by JSON pointer, and where the event was read from
// (kafka_partition, kafka_offset, kafka_time). An event that cannot become
// a row (not JSON, no key, a field of the wrong type, a NUL character,
// which PostgreSQL's text and jsonb refuse) is rejected with a
// sink.Invalid that names the field, and goes to the sink's error topic.
//
// It does not own the runner (package sink) nor the database's schema
// beyond the two tables it creates when asked.
package postgres
