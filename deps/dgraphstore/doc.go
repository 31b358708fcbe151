// Package dgraphstore is the deps.Store on Dgraph, through dgo v230: the
// scale-out path for the dependency graph, shared by many changeprop
// workers.
//
// # Schema
//
// Every predicate name starts with Config.Prefix (default "ripple_deps") and
// an underscore, so that several graphs, and tests, share one cluster:
//
//	<p>_key:         string @index(exact) @upsert .  # "wiki|title", or "Q42"
//	<p>_wiki:        string @index(exact) .
//	<p>_ref:         string .                        # "ns|page id|wiki|title[|scoped edges]"
//	<p>_rev:         int .                           # pages of earlier versions only
//	<p>_edges:       string .                        # rev, ns, id, compressed edges
//	<p>_file:        string @index(exact) .          # "File:X" on nodes used as files
//	<p>_transcludes: [uid] @reverse .
//	<p>_links_to:    [uid] @reverse .
//	<p>_uses_file:   [uid] @reverse .
//	<p>_uses_entity: [uid] @reverse .                # facet aspects="C.P31 L.en"
//
// ref packs all a Dependent reports into one value, because a traversal
// reads one value per dependent and each predicate read costs about as much
// as the rest of the traversal. edges holds the page's rev, the namespace
// and id of its ref, and repeats its outgoing edges (kind, target,
// aspects), so that a write reads and writes one value per page rather
// than its rev, its ref and the key of every target; a node is a stored
// page iff it has edges, or (earlier versions) rev. Pages stored by
// earlier versions, with their rev in rev and edges without head or no
// edges at all (read through their edges), get the current value with
// their next revision, which deletes their rev.
//
// A template's edges may have a deps.Scope other than ScopeBoth (used by
// its own page only, or passed on to its transcluders only): such a page's
// edges value is of edgeSetScoped, whose head holds its digest too, and its
// ref lists those edges ("|" kind scope target), so that a traversal
// reports each dependent's scope from the one value it reads; no facet
// is read.
//
// A page and an entity are one node each, unique by key: titles cannot
// contain '|' and entity ids cannot either, so the keys of the two never
// collide. A title that is only a target (a red link, a template never
// parsed) is a node with a key only; wiki is set on stored pages, for the
// wiki filter of entity traversals. DeletePage removes ref, edges, rev and
// the outgoing edges, but keeps the node, which incoming links still point
// at. Such orphaned nodes are not collected.
//
// # Writes
//
// PutPages (deps.BatchPutter) writes up to Config.MaxBatch pages in one
// transaction. PutPage writes one, with those of the PutPage calls other
// goroutines make meanwhile (group commit: a call that finds no commit
// under way commits at once, and those that arrive during it share the
// next). A transaction: a query reads the pages' edges values, by uid
// for the pages the uid cache knows, by key for the others (nodes without
// a current value get a second query, for their rev and ref); the pages
// are applied to that in order in memory (a page may occur several
// times); a query looks up the uids of the added and removed targets that
// the uid cache does not know; and one mutation of structured N-Quads
// (api.NQuad, which the alpha need not parse) sets each changed page's
// fields and added edges (with aspect facets), creates the missing targets
// as blank nodes with their key, and deletes the removed edges. The
// @upsert index on key makes two transactions that create the same node
// conflict; the loser is aborted and retried from the read, up to
// Config.MaxRetries times.
//
// The uid cache maps keys to uids. It needs no invalidation, also across
// processes: a node gets its key when it is created, keeps it, and is
// never deleted, and the cache learns only committed uids. Only
// DropPredicates breaks that (see its doc).
//
// # Traversal and cursors
//
// Dependents walks the reverse edge of the target node in uid order with
// first and after. For page edges that is one query, answered in RDF,
// which Dgraph encodes and the store parses much faster than JSON at
// thousands of dependents. It reads Config.ReadAhead dependents when asked
// for fewer and keeps the rest for a few seconds, for the call that
// resumes from its cursor: a traversal in pages of 1,000 then costs a
// query per 10,000 dependents. For uses_entity, it filters by wiki on the
// server and by aspect on the client, in JSON, since RDF results carry no
// facets. The aspects come from each returned dependent's forward
// uses_entity edge: asking for the facets of the reverse edge instead makes
// Dgraph read the facets of every user of the entity on every call (over
// 100 ms per call at 100k users).
//
// A cursor is "dg1." followed by the hex uid of the last returned dependent,
// so it survives restarts and concurrent writes (see deps.Store.Dependents
// for what a traversal sees of them).
//
// # Deadlines and errors
//
// Every request to an alpha, whichever dgo call sends it, goes through one
// gRPC interceptor (deadline.go) that gives it Config.CallTimeout (default
// 5 s; schema alters and drops Config.AlterTimeout, 1 min): an alpha that hangs (stopped, overloaded, cut off by a network
// that drops packets) fails the call with deps.ErrUnavailable, naming the
// alpha, instead of blocking its caller, such as a job's partition, for
// ever. A caller's earlier deadline still applies and returns the caller's
// context error. Unavailable, DeadlineExceeded, ResourceExhausted and
// Aborted answers, and transactions still aborted after MaxRetries, are
// deps.ErrUnavailable too: a job retries the event later.
//
// # Several alphas
//
// Given the alphas of a group (its replicas), the store sends each
// transaction to one whose connection is up, in turn (alphas.go; dgo
// alone picks at random, so a third of the transactions would go to a
// dead one of three). A write an alpha refuses (Unavailable, or a group
// without a leader) is run again in full, like an aborted one, up to
// MaxRetries times: with one alpha of three killed, the writes go on on
// the other two (TestFaultDgraphGroupAlphaKilled in jobs/changeprop). A
// read that fails so returns deps.ErrUnavailable and its caller retries.
//
// # TLS
//
// Config.TLS connects with TLS (a CA file, an optional client certificate,
// a server name). Open reads the files; its errors name them, never their
// contents. When the store and an alpha disagree on TLS, the error says
// which setting to check (tlsHint in deadline.go).
//
// It does not own the Pebble store, the propagation engine, nor the Dgraph
// cluster (deploy/local/dgraph starts one for development).
package dgraphstore
