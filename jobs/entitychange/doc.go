// Package entitychange is the job that turns edits of Wikibase entities
// into ripple/entity/change events, the input changeprop fans out to the
// client pages that use an entity. It reads Wikimedia's own stream of page
// changes with content, mediawiki.page_content_change.v1, whose main slot
// carries the entity JSON of each revision of an item, property or lexeme
// page on a repository wiki (wikidatawiki), keeps each entity's latest
// JSON in the job's state, and emits the aspects the revision changed, as
// package deps/entity derives them from the two revisions (L.en for an
// English label, C.P31 for statements of P31, S and T for sitelinks, O for
// aliases and lexeme parts, X for a creation, deletion or redirect).
//
// The event is keyed by entity id (Q42), as changeprop's entity input
// expects; its root_event and triggered_by lead back to the page change.
//
// What the job does with each page change (Deriver.Apply):
//
//   - pages of other wikis (Config.Repos) and pages whose main slot is not
//     an entity (Config.ContentModels: talk pages, project pages) are
//     ignored, as are visibility changes (the content stays);
//   - a revision older than, or the same as, the one in state arrived late
//     or again: ignored and counted;
//   - a new revision is compared with the previous one in state: one
//     event with the changed aspects, or none for a null edit. A creation
//     or undeletion has no previous entity and changes X;
//   - a deletion changes X and drops the state;
//   - the first revision the job sees of an entity that already existed
//     has no previous revision in state: with a Config.Source, the
//     previous revision (prior_state.revision.rev_id) is fetched from it
//     and compared; without one, the change is X, every use of the
//     entity, since what came before is unknown (Counters.UnknownPrior);
//   - an event without content (mediawiki.page_change.v1 carries none)
//     has its revision fetched from the Source; without one it goes to
//     the error topic with the reason. EntityData is a Source that reads
//     the repository's Special:EntityData.
//
// T (the sitelink to the page's own wiki) is reported when the sitelink to
// any site was added, removed or retitled (entity.AllSites): one event
// serves every client wiki, so a T usage on a wiki whose sitelink stayed is
// purged too. Wikibase sends each client wiki its own change instead.
//
// An entity JSON over Config.MaxEntityBytes is kept as its SHA-256 only:
// the next revision is then compared by hash, and a different hash is
// fetched from the Source or, without one, changes X.
//
// Bad input never stops the job: invalid entity JSON, a page title that is
// no entity id, or a key holding another page go to the job's error topic
// with the reason.
//
// What a Wikidata page change does in changeprop: changeprop's page change
// input reads mediawiki.page_change.v1 of every wiki, Wikidata's too. An
// edit of item Q42 there is an edit of the page wikidatawiki:Q42: it purges
// and re-renders https://www.wikidata.org/wiki/Q42 itself, and its
// fan-out is scoped to wikidatawiki (an item is no template, so nothing
// transcludes it; a creation or deletion purges the wikidatawiki pages
// linking to it). No client page is purged by it, and no client page
// titled Q42 is mistaken for it: client pages are purged only by the entity
// change this job derives (see the integration test).
//
// The job does not read MediaInfo entities (the mediainfo slot of Commons
// files), nor the sub-entities of lexemes (forms L1-F1, senses L1-S1) on
// their own: a change of a form or sense is an O change of its lexeme.
package entitychange
