// Package parquet is the Parquet sink's store: a sink.Store that writes a
// stream's JSON events to Parquet files partitioned by hour, for analytics
// (DuckDB, Spark, Trino read them with Hive partitioning), with the
// event's JSON Schema mapped to Parquet types.
//
// In a topology file, a job of kind sink-parquet (Register) runs one:
//
//	jobs:
//	  purges-to-parquet:
//	    kind: sink-parquet
//	    inputs: {events: resource_change}
//	    config: {dir: /srv/analytics, schema: /resource_change/1.0.0}
//
// # Layout
//
// Under Config.Dir, a topic's files are
//
//	<topic>/datehour=2026-12-06T07/part-<partition>-<first>-<last>.parquet
//
// one per partition and hour of each batch the sink runner hands over, the
// hour (UTC) that of the first of Config.TimeFields the event has (dt, else
// meta.dt). DuckDB reads them all with
//
//	SELECT ... FROM read_parquet('<dir>/<topic>/**/*.parquet', hive_partitioning = true)
//
// and gets datehour as a column. Each file's key-value metadata carries the
// schema URI (ripple.schema), the topic, partition and offsets of its batch.
//
// # Exactly once
//
// A file is written under a hidden temporary name (never matching
// *.parquet), synced, and renamed into place, so no reader sees half a
// file. The offsets are the file names: Offsets takes, per partition, the
// offset after the newest batch whose files are all there. A batch that
// spans n hours names its files <i>of<n>; a crash between their renames
// leaves fewer than n, and Offsets removes them, so the batch is read and
// written again, once. A partition of a batch with only invalid records
// gets an empty marker under <topic>/_offsets. One Store writes a Dir at a
// time, and Offsets must not run during a Write (the runner calls both
// from one goroutine).
//
// Batches are the runner's (sink.Config.BatchSize and BatchWait): larger
// batches make fewer, larger files, which analytics prefers. Compacting the
// small files of past hours is not this package's.
//
// # Schema mapping
//
// MapSchema maps a materialized JSON Schema (event.Repository.Document):
//
//	string                          BYTE_ARRAY (STRING)
//	string, format date-time        INT64 TIMESTAMP(MILLIS, UTC)
//	integer                         INT64
//	number                          DOUBLE
//	boolean                         BOOLEAN
//	object with properties          group of its properties (nested)
//	object with an                  MAP<STRING, the value's type>; also when it
//	  additionalProperties schema     has properties of that same shape
//	                                  (revision/create's rev_slots names main)
//	array with an items schema      LIST<the item's type>
//	a required property             REQUIRED, else OPTIONAL
//	a type that allows null         OPTIONAL
//
// and what has no one Parquet type to a STRING column holding the value's
// JSON text: a node without type, with several types (string or integer),
// an object with neither properties nor an additionalProperties schema,
// with properties unlike its additionalProperties, a tuple array.
// Schema.JSONColumns lists them with the reason, and Open logs them.
// Properties an event has beyond its schema's are not written.
//
// # Invalid records
//
// A record is a *sink.Invalid, which the runner sends to the error topic
// with the reason, when it is not JSON, its $schema is not of the
// configured schema's title, it fails validation against the schema its
// $schema names, a value does not fit its column (a *FieldError naming
// the field) or it has no time in TimeFields. An event of a newer version
// of the title is written with the configured version's columns.
package parquet
