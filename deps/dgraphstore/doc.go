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
//	<p>_ref:         string .                        # "ns|page id|wiki|title"
//	<p>_rev:         int .                           # set iff the page is stored
//	<p>_transcludes: [uid] @reverse .
//	<p>_links_to:    [uid] @reverse .
//	<p>_uses_file:   [uid] @reverse .
//	<p>_uses_entity: [uid] @reverse .                # facet aspects="C.P31 L.en"
//
// ref packs all a Dependent reports into one value, because a traversal
// reads one value per dependent and each predicate read costs about as much
// as the rest of the traversal.
//
// A page and an entity are one node each, unique by key: titles cannot
// contain '|' and entity ids cannot either, so the keys of the two never
// collide. A title that is only a target (a red link, a template never
// parsed) is a node without rev and ref. DeletePage removes rev, ref and
// the outgoing edges, but keeps the node, which incoming links still point
// at. Such orphaned nodes are not collected.
//
// # Writes
//
// PutPage runs in one transaction: a query reads the page's stored
// revision and edges and the uids of the targets that already exist; the
// diff against the new set becomes one upsert block, whose query binds a
// variable to every target (and the page) not found, so that uid(var)
// creates the node, and whose mutation sets the page's fields and added
// edges (with aspect facets) and deletes the removed edges. The @upsert
// index on key makes two transactions that create the same node conflict;
// the loser is aborted and retried from the read, up to Config.MaxRetries
// times.
//
// # Traversal and cursors
//
// Dependents walks the reverse edge of the target node in uid order with
// first and after, filtering by wiki on the server and by aspect on the
// client. The aspects come from each returned dependent's forward
// uses_entity edge: asking for the facets of the reverse edge instead makes
// Dgraph read the facets of every user of the entity on every call (over
// 100 ms per call at 100k users).
//
// A cursor is "dg1." followed by the hex uid of the last returned dependent,
// so it survives restarts and concurrent writes (see deps.Store.Dependents
// for what a traversal sees of them).
//
// It does not own the Pebble store, the propagation engine, nor the Dgraph
// cluster (deploy/local/dgraph starts one for development).
package dgraphstore
