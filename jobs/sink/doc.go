// Package sink runs sinks: ready jobs that move a stream into a store
// (PostgreSQL, Redis, Parquet files), each resumable from its own offsets.
//
// A sink is a Store and Run. Run reads every partition of the input
// stream with a franz-go client, without a consumer group: it assigns the
// partitions itself, at the offsets the Store reports, and picks up
// partitions added later. It gathers records into batches (BatchSize
// records or BatchWait, whichever comes first) and hands each to
// Store.Write, which writes the records and, in the same transaction, the
// offset after the batch's last record of each partition. So the store,
// not Kafka, knows where the sink is, and a sink that stops anywhere (a
// crash between two batches, or inside one) resumes where its last
// committed batch ended: every record reaches the store once. That is
// what exactly-once means here.
//
// A store that is down does not stop the sink: Run retries Write with a
// capped backoff, holding the batch, for as long as it takes (Waiting
// says why meanwhile). A record the store can never take (not JSON, a
// field of the wrong type) is a Store's to report, as an *Invalid error
// per record (joined with errors.Join for several): Run sends each to the
// sink's error topic, <name>.error, as a processor.ErrorRecord with the
// reason and the original bytes, then writes the rest of the batch with
// offsets that move past them. Nothing is lost, and the sink keeps going.
// An invalid record is sent to the error topic at least once: a crash
// between the send and the next Write sends it again after the restart.
//
// A store that reads fields of an event decodes it with DecodeJSON and
// takes its key with KeyAt, so every store accepts the same events (one
// JSON object, nothing after it) and rejects the others for the same
// reasons.
//
// Run's metrics go to a Hook; package sinkprom adapts it to Prometheus.
//
// The stores live in subpackages (postgres, redis, parquet); the package owns
// neither their formats nor the topology's job kinds.
package sink
