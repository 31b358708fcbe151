package deps

import (
	"fmt"
	"slices"
)

// Scope says for whom a page depends on an edge's target, after
// MediaWiki's transclusion rules: what is inside <noinclude> renders on the
// page itself only, what is inside <includeonly> renders only where the page
// is transcluded, and when the page has <onlyinclude> only what is inside
// it is transcluded. A change of the target purges the page when the page
// itself renders it (Own), and follows transclusion to the page's
// transcluders when the page passes it on (PassesOn).
//
// The zero Scope is ScopeBoth, which is every edge of a page stored from a
// ripple/page/dependencies 1.0.0 event.
type Scope uint8

// The scopes.
const (
	// ScopeBoth: the page renders the target and passes it on.
	ScopeBoth Scope = 0
	// ScopeOwn: only the page itself renders the target (<noinclude>, or
	// outside <onlyinclude>).
	ScopeOwn Scope = 1
	// ScopePassesOn: only the pages that transclude the page render the
	// target (<includeonly>).
	ScopePassesOn Scope = 2
)

// Own reports whether the page itself renders the target.
func (s Scope) Own() bool { return s != ScopePassesOn }

// PassesOn reports whether the page passes the target on to its
// transcluders.
func (s Scope) PassesOn() bool { return s != ScopeOwn }

// Valid reports whether s is one of the three scopes.
func (s Scope) Valid() bool { return s <= ScopePassesOn }

// String returns "both", "own" or "passes_on".
func (s Scope) String() string {
	switch s {
	case ScopeBoth:
		return "both"
	case ScopeOwn:
		return "own"
	case ScopePassesOn:
		return "passes_on"
	}
	return fmt.Sprintf("Scope(%d)", uint8(s))
}

// Sets are the dependency sets of one rendering of a page: PageDeps.PassesOn
// holds what a page passes on to its transcluders.
type Sets struct {
	Templates []string
	Links     []string
	Files     []string
	Entities  []EntityUsage
}

// own returns the page's own sets.
func (p PageDeps) own() Sets {
	return Sets{Templates: p.Templates, Links: p.Links, Files: p.Files, Entities: p.Entities}
}

// scopedEdges returns the edges of p's own sets and of p.PassesOn merged:
// an edge in both is ScopeBoth, one in a single set has that set's scope.
// An entity used in both has the union of the aspects of the two usages,
// which errs towards purging: the page itself is purged for an aspect
// only its transcluders use, and the other way round.
func (p PageDeps) scopedEdges() []Edge {
	own := p.own().edges()
	if p.PassesOn == nil {
		return own
	}
	passed := p.PassesOn.edges()
	out := make([]Edge, 0, max(len(own), len(passed)))
	i, j := 0, 0
	for i < len(own) || j < len(passed) {
		switch c := compareEdges(own, passed, i, j); {
		case c < 0:
			e := own[i]
			e.Scope = ScopeOwn
			out = append(out, e)
			i++
		case c > 0:
			e := passed[j]
			e.Scope = ScopePassesOn
			out = append(out, e)
			j++
		default:
			e := own[i]
			if e.Kind == UsesEntity {
				e.Aspects = unionAspects(own[i].Aspects, passed[j].Aspects)
			}
			out = append(out, e)
			i, j = i+1, j+1
		}
	}
	return out
}

// edges returns the edges of s, grouped by kind in the order of EdgeKinds
// and, within a kind, in the order of s's lists.
func (s Sets) edges() []Edge {
	out := make([]Edge, 0, len(s.Templates)+len(s.Links)+len(s.Files)+len(s.Entities))
	for _, l := range []struct {
		kind   EdgeKind
		titles []string
	}{{Transcludes, s.Templates}, {LinksTo, s.Links}, {UsesFile, s.Files}} {
		for _, t := range l.titles {
			out = append(out, Edge{Kind: l.kind, Target: t})
		}
	}
	for _, e := range s.Entities {
		out = append(out, Edge{Kind: UsesEntity, Target: string(e.ID), Aspects: e.Aspects})
	}
	return out
}

// unionAspects returns the sorted union of two sorted aspect lists.
func unionAspects(a, b []Aspect) []Aspect {
	out := append(append(make([]Aspect, 0, len(a)+len(b)), a...), b...)
	slices.Sort(out)
	return slices.Compact(out)
}

// setsOf returns the sets of the edges for which keep is true.
func setsOf(edges []Edge, keep func(Scope) bool) Sets {
	s := Sets{Templates: []string{}, Links: []string{}, Files: []string{}, Entities: []EntityUsage{}}
	for _, e := range edges {
		if !keep(e.Scope) {
			continue
		}
		switch e.Kind {
		case Transcludes:
			s.Templates = append(s.Templates, e.Target)
		case LinksTo:
			s.Links = append(s.Links, e.Target)
		case UsesFile:
			s.Files = append(s.Files, e.Target)
		case UsesEntity:
			s.Entities = append(s.Entities, EntityUsage{ID: EntityID(e.Target), Aspects: e.Aspects})
		}
	}
	return s
}

// MaxDigestBytes is the longest PageDeps.Digest accepted.
const MaxDigestBytes = 64

// validateDigest reports whether d is "" or 1 to MaxDigestBytes lowercase
// hexadecimal digits, wrapping ErrInvalid.
func validateDigest(d string) error {
	if len(d) > MaxDigestBytes {
		return fmt.Errorf("%w: digest %.20q...: longer than %d bytes", ErrInvalid, d, MaxDigestBytes)
	}
	for i := 0; i < len(d); i++ {
		if c := d[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return fmt.Errorf("%w: digest %q: want lowercase hexadecimal digits", ErrInvalid, d)
		}
	}
	return nil
}

// CarryDigest returns next with DigestSince set from prev, the set stored
// before next (found false when none was): prev's DigestSince when both
// carry the same digest, next.RevID when next carries a new one, and 0
// when next carries none. Stores call it in PutPage, so that DigestSince
// is the oldest revision of the run of stored revisions that passed on
// what next passes on.
func CarryDigest(prev PageDeps, found bool, next PageDeps) PageDeps {
	switch {
	case next.Digest == "":
		next.DigestSince = 0
	case found && prev.Digest == next.Digest && prev.DigestSince > 0:
		next.DigestSince = prev.DigestSince
	default:
		next.DigestSince = next.RevID
	}
	return next
}

// PassesOnUnchanged reports whether p, a stored set, shows that revision
// rev of the page passed on to its transcluders exactly what the revision
// before it passed on: p is of rev or a later revision, and the digest p
// carries has not changed since a revision older than rev. It is false
// when p cannot tell: no digest (1.0.0 events), or p older than rev (the
// dependencies event of rev has not been stored yet). Revisions of a page
// must reach the store in order for the answer to hold: a revision whose
// set arrives after a newer one's is not stored, and its digest is not
// seen.
func (p PageDeps) PassesOnUnchanged(rev int64) bool {
	return rev > 0 && p.Digest != "" && p.DigestSince > 0 && p.RevID >= rev && p.DigestSince < rev
}

// String formats e as {kind target [aspects]}, with its scope before the
// closing brace when it is not ScopeBoth.
func (e Edge) String() string {
	if e.Scope == ScopeBoth {
		return fmt.Sprintf("{%s %s %v}", e.Kind, e.Target, e.Aspects)
	}
	return fmt.Sprintf("{%s %s %v %s}", e.Kind, e.Target, e.Aspects, e.Scope)
}
