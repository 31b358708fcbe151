// Package propagate is ripple's propagation engine: given a change (a page
// edited, created, deleted, undeleted or moved; a file changed; entity
// aspects changed) and a deps.Store, it finds exactly the pages whose
// rendered output the change affects, each with the explanation path that
// justifies it, and turns them into resource_change purge and page_rerender
// re-index events.
//
// Large fan-outs are computed in bounded steps: a Fanout is plain data (JSON)
// holding a stack of reverse-traversal frames with store cursors, so a job
// can persist it after every Step and resume after a crash without redoing
// finished batches, with memory independent of the fan-out's size. A
// Coalescer emits a URI at most once per window, so the same page purged by
// several roots close together is purged once.
//
// It does not read or write Kafka; the changeprop job and `ripple deps
// replay` drive it.
package propagate
