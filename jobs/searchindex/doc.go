// Package searchindex is the ready job that keeps a search index in step
// with a wiki: for each new revision of a page it emits an index update
// document that joins the revision (mediawiki.revision-create), its model
// scores (mediawiki.revision-score, such as ORES or Lift Wing's
// damaging and goodfaith) and, optionally, its token delta (the tokens
// stage, processor/tokens), in revision order per page.
//
// The three streams are produced apart and may arrive in any order. The
// job keys everything by page ("<wiki>:<page_id>", PageKey: an event
// under another Kafka key goes once round the job's loop topic) and keeps
// a State per page:
//
//   - a revision waits for its scores (and tokens) for at most
//     Config.Wait; complete, it is sent at once (op "index"); once the
//     wait is over it is sent without what is missing (its "pending" lists
//     it), and what arrives later for it is sent as an update (op
//     "update") with just that part;
//   - scores or tokens that arrive before their revision are kept (at
//     most MaxEarly revisions of a page) until it comes;
//   - a newer revision sends an older one still waiting first, so a page's
//     documents leave in revision order; anything for a revision older than
//     the newest one sent is stale and dropped (the index holds the newer
//     one).
//
// Documents follow the ripple/search/index_update schema and are keyed by
// page, so a consumer (an indexer writing to Elasticsearch or OpenSearch)
// reads a page's updates in order. Events that cannot be read go to the
// job's error topic with the reason.
package searchindex
