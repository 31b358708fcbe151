// Package deps owns dependency tracking: the page, template, module, file and
// entity model, the Store interface with its embedded Pebble and Dgraph
// implementations, the propagation engine and purge coalescing.
//
// # Model
//
// Nodes are pages, keyed by wiki and prefixed title in database key form
// (PageRef; templates, modules and files are pages in namespaces 10, 828 and
// 6), and Wikibase entities (EntityID). A page depends on targets through
// four kinds of Edge: Transcludes, LinksTo, UsesFile and UsesEntity, the last
// carrying the Aspects of the entity the page uses, as Wikibase usage
// tracking records them. Aspect.Matches decides whether a change of some
// aspects touches a usage; Collapse applies the per-entity limits that turn
// many L.xx, D.xx or C.Pnn aspects into L, D or C.
//
// PageDeps is a page's full dependency set at one revision, what a
// ripple/page/dependencies event (PageDependencies) carries; EntityChange is
// a ripple/entity/change event and turns into a Query.
//
// # Stores
//
// A Store keeps the newest PageDeps of every page and answers Dependents:
// the pages that depend on a target, in pages of bounded size with a cursor
// that survives restarts. Package pebblestore is the embedded store,
// package dgraphstore the Dgraph one; package depstest is the conformance
// suite both pass.
//
// It does not own Kafka I/O; the changeprop job in package jobs wires it to
// streams.
package deps
