// Package pebblestore is the embedded deps.Store: the dependency graph in one
// Pebble database on local disk, the single-machine default of the changeprop
// job.
//
// # Key layout
//
// Every key starts with one byte that names its family; 0x00 separates the
// variable-length parts, which cannot contain it (deps.NormalizeTitle and
// deps.ValidateWiki forbid control characters), so byte order is tuple order.
//
//	'v'                                      format version (uvarint)
//	'f' wiki 0 title                         forward: the page's PageDeps
//	'r' kind wiki 0 target 0 title           reverse: transcludes, links_to
//	'r' kind target 0 wiki 0 title           reverse: uses_file, uses_entity
//
// Files and entities come first in their reverse keys because pages of
// every wiki can use them (a file of the shared repository, an entity of
// Wikidata): the users on all wikis are one prefix, those of one wiki a
// longer one. Format 1 keyed uses_file entries by wiki first; Open
// rewrites them once.
//
// The forward record holds the page's whole normalized dependency set (what
// it passes on to transcluders and its digest too, when it has them), so
// PutPage diffs the new set against it with one read. A reverse key exists
// for every edge; its value holds the dependent's namespace and page id,
// for uses_entity its aspects, and the edge's deps.Scope unless it is
// ScopeBoth. Records and values without those are what earlier versions
// wrote, and still read. Dependents is therefore one bounded prefix scan
// in (wiki, title) order, filtering entity aspects from the values.
//
// PutPage and DeletePage write the forward record and all reverse changes in
// one atomic batch, serialized per page by a striped lock. PutPages
// (deps.BatchPutter) applies many pages in order in memory and writes the
// net change of each in one batch, under the locks of all their stripes.
//
// # Cursors
//
// A cursor is "pb1." followed by the unpadded base64url encoding of the last
// returned dependent's wiki, a 0x00 byte, and its title. Resuming seeks to the
// key just after that dependent, so a cursor stays valid across restarts and
// across writes (a dependent removed meanwhile is simply not there).
//
// It does not own Kafka I/O, the propagation engine, nor the Dgraph store
// (package dgraphstore).
package pebblestore
