package deps

import (
	"fmt"
	"strconv"
)

// Namespace is a MediaWiki namespace id. Templates, modules and files are
// pages in their own namespaces.
type Namespace int

// The namespaces dependency tracking treats specially.
const (
	NamespaceMain     Namespace = 0
	NamespaceFile     Namespace = 6
	NamespaceTemplate Namespace = 10
	NamespaceModule   Namespace = 828
)

// Transcludable reports whether pages of namespace n are usually
// transcluded (templates and modules), so that a propagation engine that
// follows transclusion transitively recurses into dependents of n.
func (n Namespace) Transcludable() bool {
	return n == NamespaceTemplate || n == NamespaceModule
}

// PageRef identifies a page of one wiki. Pages are keyed by their title: two
// PageRefs with the same wiki and Title are the same node, whatever their
// IDs, because links and transclusions name titles, not page ids.
type PageRef struct {
	// ID is the MediaWiki page id, or 0 when unknown.
	ID int64
	// Namespace is the page's namespace id.
	Namespace Namespace
	// Title is the prefixed title in database key form, with underscores
	// for spaces: Douglas_Adams, Template:Infobox_person, Module:Citation/CS1.
	Title string
}

// EntityID is a Wikibase entity id: an item (Q42), a property (P31), a lexeme
// (L7) or a lexeme's form or sense (L7-F1, L7-S2).
type EntityID string

// Validate reports whether id matches ^[A-Z][1-9][0-9]*(-[A-Z][1-9][0-9]*)?$,
// wrapping ErrInvalid when it does not.
func (id EntityID) Validate() error {
	s := string(id)
	if len(s) > maxEntityIDBytes {
		return fmt.Errorf("%w: entity id %q is longer than %d bytes", ErrInvalid, s, maxEntityIDBytes)
	}
	rest, ok := entityIDPart(s)
	if ok && rest != "" {
		if rest[0] == '-' {
			rest, ok = entityIDPart(rest[1:])
		} else {
			ok = false
		}
	}
	if !ok || rest != "" {
		return fmt.Errorf("%w: entity id %q: want a Wikibase id like Q42, P31 or L7-F1", ErrInvalid, s)
	}
	return nil
}

const maxEntityIDBytes = 64

// entityIDPart consumes [A-Z][1-9][0-9]* from the front of s.
func entityIDPart(s string) (rest string, ok bool) {
	if len(s) < 2 || s[0] < 'A' || s[0] > 'Z' || s[1] < '1' || s[1] > '9' {
		return s, false
	}
	i := 2
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[i:], true
}

// EdgeKind names what a page's rendering depends on.
type EdgeKind uint8

// The edge kinds. Their numeric values are part of the Pebble store's key
// layout and must not change.
const (
	// Transcludes: the page transcludes a template or module, directly or
	// through other templates.
	Transcludes EdgeKind = 1
	// LinksTo: the page links to a title; whether that title exists decides
	// the link's colour.
	LinksTo EdgeKind = 2
	// UsesFile: the page shows a file (a page in namespace 6).
	UsesFile EdgeKind = 3
	// UsesEntity: the page uses aspects of a Wikibase entity.
	UsesEntity EdgeKind = 4
)

// EdgeKinds returns every edge kind, in numeric order.
func EdgeKinds() []EdgeKind { return []EdgeKind{Transcludes, LinksTo, UsesFile, UsesEntity} }

// String returns the snake_case name of k: transcludes, links_to, uses_file
// or uses_entity.
func (k EdgeKind) String() string {
	switch k {
	case Transcludes:
		return "transcludes"
	case LinksTo:
		return "links_to"
	case UsesFile:
		return "uses_file"
	case UsesEntity:
		return "uses_entity"
	}
	return "EdgeKind(" + strconv.Itoa(int(k)) + ")"
}

// CrossWiki reports whether pages of several wikis can depend on one
// target of kind k, so that a Query may leave its Wiki empty: an entity of
// the shared Wikibase repository, or a file of the shared file repository
// (Commons), which a wiki without a file of that name shows.
func (k EdgeKind) CrossWiki() bool { return k == UsesEntity || k == UsesFile }

// Valid reports whether k is one of the four edge kinds.
func (k EdgeKind) Valid() bool { return k >= Transcludes && k <= UsesEntity }

// Edge is one dependency of a page: on a title (Transcludes, LinksTo,
// UsesFile) or on an entity (UsesEntity).
type Edge struct {
	// Kind says what the dependency is.
	Kind EdgeKind
	// Target is the prefixed title for page edges, or the entity id for
	// UsesEntity. Titles are of the same wiki as the depending page.
	Target string
	// Aspects are the entity aspects for UsesEntity (sorted), nil otherwise.
	Aspects []Aspect
	// Scope says whether the page renders the target itself, passes it on
	// to its transcluders, or both (the zero Scope).
	Scope Scope
}

// EntityUsage is the use a page makes of one entity.
type EntityUsage struct {
	// ID is the entity.
	ID EntityID
	// Aspects are the parts of the entity the page uses.
	Aspects []Aspect
}

// PageDeps is the full dependency set of a page at one revision: what a
// ripple/page/dependencies event carries. A store replaces the set it holds
// for the page with a newer one as a whole; an empty list means "none".
type PageDeps struct {
	// Wiki is the wiki id (database name) of the page, such as enwiki.
	Wiki string
	// Page is the page that was parsed.
	Page PageRef
	// RevID is the revision whose parse produced the set; it orders sets of
	// the same page.
	RevID int64
	// Templates are the prefixed titles of the templates and modules the
	// page transcludes, directly or through other templates.
	Templates []string
	// Links are the prefixed titles the page links to.
	Links []string
	// Files are the prefixed titles (File:...) of the files the page shows.
	Files []string
	// Entities are the entities the page uses, with their aspects.
	Entities []EntityUsage
	// The lists above are what the page itself renders. PassesOn is what
	// it passes on to the pages that transclude it, when that differs:
	// <noinclude> parts render on the page itself only, <includeonly>
	// parts only in transcluders, and with <onlyinclude> only its parts
	// are transcluded. Nil means the same sets (every page of a 1.0.0
	// event); Normalize makes it nil when they are the same.
	PassesOn *Sets
	// Digest is a digest of what the page passes on to its transcluders
	// (package wikitext defines it), as lowercase hex, or "" when unknown.
	// Two revisions with the same Digest give transcluders the same text.
	Digest string
	// DigestSince is set by stores (CarryDigest) and ignored by PutPage:
	// the oldest revision of the run of stored revisions, ending with
	// this one, that all carried Digest; 0 without a Digest.
	DigestSince int64
}

// Edges returns every dependency of p as an Edge, grouped by kind in the
// order of EdgeKinds and, within a kind, in the order of p's lists; each
// with its Scope, when p.PassesOn differs from p's own sets. On a
// normalized PageDeps that is sorted by (Kind, Target), one edge per
// target.
func (p PageDeps) Edges() []Edge {
	return p.scopedEdges()
}

// PageDepsFromEdges builds the PageDeps of page from its edges, the inverse
// of Edges: the own sets hold the edges the page renders itself, and
// PassesOn, when an edge has a scope other than ScopeBoth, those it passes
// on. Stores use it to rebuild what they read back; they set Digest and
// DigestSince themselves.
func PageDepsFromEdges(wiki string, page PageRef, rev int64, edges []Edge) PageDeps {
	own := setsOf(edges, Scope.Own)
	p := PageDeps{Wiki: wiki, Page: page, RevID: rev,
		Templates: own.Templates, Links: own.Links, Files: own.Files, Entities: own.Entities}
	for _, e := range edges {
		if e.Scope != ScopeBoth {
			passed := setsOf(edges, Scope.PassesOn)
			p.PassesOn = &passed
			break
		}
	}
	return p
}
