// Package state owns ripple's local state engine: a Pebble-backed
// implementation of goka's storage.Storage and storage.Builder, with a
// recovery mode, typed key-value helpers and state metrics.
//
// ripple uses Pebble v2 (github.com/cockroachdb/pebble/v2) rather than v1:
// v2 is the line CockroachDB develops and ships, v1 receives only fixes, and
// v2's columnar block format iterates faster, which recovery and window
// scans depend on.
//
// A full disk stops a store's writes with a DiskFullError instead of
// Pebble's write stall or panic (diskfull.go).
//
// It does not own Kafka topics or changelog replay; goka drives those.
package state
