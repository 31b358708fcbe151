// Package propagate is ripple's propagation engine: given a change (a page
// edited, created, deleted, undeleted or moved, or its revisions' visibility
// changed; a file changed; entity aspects changed) and a deps.Store, it
// finds exactly the pages whose rendered output the change affects, each
// with the explanation path that justifies it, and turns them into
// resource_change purge and page_rerender re-index events. Each purge goes
// to the stream and carries the tags Wikimedia's consumers act on for its
// kind (PurgeStreams.Route: change-propagation's leaf streams for
// dependent pages, resource-purge for the changed page itself).
//
// Purge URIs are the URLs MediaWiki serves pages under, byte for byte:
// EncodeTitle is MediaWiki's wfUrlencode, and each wiki's server and
// article path come from a site table (Sites; WikimediaSites is the one
// ripple ships). A wiki the table lacks is an error (ErrUnknownWiki),
// never a guessed domain: a purge of a URL the CDN never cached purges
// nothing.
//
// Transclusion follows MediaWiki's rules (see deps.Scope): a template's
// transcluders are reached only through what it passes on, and the
// template's own page is purged only for what it renders itself (not
// for what is in its <includeonly> parts). An edit of a template or
// module whose stored dependencies show that it passes on what the
// revision before it did (the digest of ripple/page/dependencies 2.0.0)
// purges only the template's own page.
//
// Each kind of page change purges what MediaWiki's rendering of other
// pages makes of it. A title that starts or stops existing (a creation,
// undeletion, deletion, suppressed or not, or a move that leaves no
// redirect) is felt by its linkers, transcluders and file users; a move
// that leaves a redirect (created_redirect_page) keeps the old title
// existing, and what uses it follows the redirect, so only the two titles
// and the new title's dependents are purged. A change of the visibility of
// the current revision purges the page itself alone.
//
// Files of the shared repository (Config.FileRepository, Commons) are
// shown by every wiki that has no file of that name of its own, so a
// change of one purges its users on every such wiki: the store's users of
// the file on every wiki (deps.Query with no Wiki), less those on wikis
// where the store holds a File: page of that title.
//
// Large fan-outs are computed in bounded steps: a Fanout is plain data (JSON)
// holding a stack of reverse-traversal frames with store cursors, so a job
// can persist it after every Step and resume after a crash without redoing
// finished batches, with memory independent of the fan-out's size.
//
// One set of coalescing rules (Coalesced) keeps the same page purged by
// several roots close together from being purged once per root: a purge
// that one sent after its change covers is dropped; a URI's first purge is
// sent at once; those that follow within a window W are merged into one
// sent when it closes, after every change it covers, so no page is left
// stale and a burst of k edits (a bot adding statements to an item, one
// revision each) costs two purges per page. The changeprop job keeps a
// Coalesced per URI and drives it with its processing clock and timers; a
// Window drives one per URI with event time, for replays and scoring.
//
// It does not read or write Kafka; the changeprop job and `ripple deps
// replay` drive it.
package propagate
