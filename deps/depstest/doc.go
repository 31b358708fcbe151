// Package depstest is the conformance suite every deps.Store must pass, and
// the workload and helpers of the stores' benchmarks.
//
// A store's tests call Run with a Factory that makes isolated, empty stores;
// the Pebble store runs it in its unit tests and the Dgraph store in its
// integration tests against the real server. The suite covers revisions,
// deletes, every edge kind, entity aspect matching and collapse limits,
// pagination with cursors across reopening, several wikis, Unicode titles,
// transitive transclusion, concurrent writers and batches.
//
// It owns no store; it is imported only by tests.
package depstest
