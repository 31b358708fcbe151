// Package diff is the revision diff operator: it keeps the latest revision
// of each page and emits, for each new revision, what changed: the deleted
// and inserted lines, the words of the changed lines (package tokens), and
// the structured delta of the wikitext (links, templates, files and
// categories added and removed, parsed by package wikitext).
//
// # Line diff
//
// Lines is a patience diff with Myers' O(ND) algorithm between its anchors,
// implemented here; Apply replays a diff. Its work is bounded by
// MaxEditCost: a stretch that differs more is reported replaced whole, and
// the event says the diff is approximate. It is fuzzed (FuzzDiff: applying
// the diff to the old text gives the new one).
//
// # The operator
//
// The pure core is Differ.Revise(state, change) -> (next state, Result);
// compose it in your own handler, or run Job, the ready stage, which reads
// mediawiki/page/change events with content, keyed by page, and emits
// Events. The state per page is the latest revision's id, its text, its
// SHA-256 and size, and its dependencies:
//
//   - a text over Config.MaxTextBytes (default 768 KiB, so a state record
//     fits Kafka's default 1 MB limit) is kept as its hash and size only:
//     the revision itself is diffed, but the next one's line and word diff
//     is skipped, with the reason in Event.Skipped, unless the hash shows
//     the text unchanged;
//   - a text over Config.MaxDiffBytes (default 16 MiB) is not diffed or
//     parsed at all, only hashed;
//   - more than Config.MaxDeps dependencies are not kept, and the next
//     structured delta is skipped (Event.DepsSkipped).
//
// A revision whose rev_id is lower than the state's arrived after a newer
// one: it is ignored and counted (Counters.Stale for metrics, and per page
// in State.Stale and Event.StaleIgnored), as the WDQS updater counts
// NewerRevisionSeen. A redelivered revision (the same rev_id) is ignored and
// counted as Duplicate. The first revision seen of a page is diffed against
// the empty text when the change creates the page; otherwise it only sets
// the state (Counters.Baseline), since what came before is unknown. A page
// deletion drops the state.
//
// Bad input never stops the stage: an event without text or ids, or a key
// holding another page's state, goes to the job's error topic with the
// reason. Invalid UTF-8 is diffed as bytes.
//
// The package does not render wikitext, diff below the line (words are
// compared as multisets), or follow page moves across keys.
package diff
