// Package jobs owns ripple's ready-made jobs, built only from the public
// API of event, state, processor and deps: changeprop, entitychange,
// errorlog, anomaly and searchindex, and the sinks (sink: the runner;
// sink/postgres, sink/redis and sink/parquet: the stores), which move a
// stream into a store; trending is to come. Kinds registers them all, for
// `ripple run` and whatever else reads a topology file.
package jobs
