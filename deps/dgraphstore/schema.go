package dgraphstore

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ripplestream/ripple/deps"
)

// keySep separates wiki and title in a page key. MediaWiki titles cannot
// contain it (deps.NormalizeTitle refuses it), nor can wiki or entity ids.
const keySep = "|"

// aspectsFacet is the facet on uses_entity edges holding the usage's
// aspects, space-separated.
const aspectsFacet = "aspects"

// preds holds the predicate names of one prefix.
type preds struct {
	key, wiki, ref, rev, edges string
	// file is the title of a node that pages use as a file (uses_file),
	// the same on every wiki: Dependents of a file on every wiki finds
	// the nodes of that title on each wiki by it.
	file string
	edge map[deps.EdgeKind]string
}

// newPreds returns the predicate names for prefix.
func newPreds(prefix string) preds {
	p := func(name string) string { return prefix + "_" + name }
	return preds{
		key: p("key"), wiki: p("wiki"), ref: p("ref"), rev: p("rev"), edges: p("edges"), file: p("file"),
		edge: map[deps.EdgeKind]string{
			deps.Transcludes: p("transcludes"),
			deps.LinksTo:     p("links_to"),
			deps.UsesFile:    p("uses_file"),
			deps.UsesEntity:  p("uses_entity"),
		},
	}
}

// schema returns the Dgraph schema of the predicates.
func (p preds) schema() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: string @index(exact) @upsert .\n", p.key)
	fmt.Fprintf(&b, "%s: string @index(exact) .\n", p.wiki)
	fmt.Fprintf(&b, "%s: string .\n", p.ref)
	fmt.Fprintf(&b, "%s: int .\n", p.rev)
	fmt.Fprintf(&b, "%s: string .\n", p.edges)
	fmt.Fprintf(&b, "%s: string @index(exact) .\n", p.file)
	for _, k := range deps.EdgeKinds() {
		fmt.Fprintf(&b, "%s: [uid] @reverse .\n", p.edge[k])
	}
	return b.String()
}

// all returns every predicate name.
func (p preds) all() []string {
	out := []string{p.key, p.wiki, p.ref, p.rev, p.edges, p.file}
	for _, k := range deps.EdgeKinds() {
		out = append(out, p.edge[k])
	}
	return out
}

// pageKey returns the key of page title of wiki.
func pageKey(wiki, title string) string { return wiki + keySep + title }

// targetKey returns the key of an edge's target node.
func targetKey(wiki string, kind deps.EdgeKind, target string) string {
	if kind == deps.UsesEntity {
		return target
	}
	return pageKey(wiki, target)
}

// encodeRef returns the ref value of a stored page: everything a Dependent
// reports about it, in the one predicate a traversal reads per dependent.
func encodeRef(wiki string, page deps.PageRef) string {
	return fmt.Sprintf("%d%s%d%s%s%s%s", page.Namespace, keySep, page.ID, keySep, wiki, keySep, page.Title)
}

// encodeScopedRef is encodeRef followed, for each of edges whose scope is
// not deps.ScopeBoth, by keySep, the digits of its kind and scope, and its
// target: the scope a Dependent reports, for the few edges (of templates)
// that have one, in the value a traversal reads anyway.
func encodeScopedRef(wiki string, page deps.PageRef, edges []deps.Edge) string {
	ref := encodeRef(wiki, page)
	for _, e := range edges {
		if e.Scope != deps.ScopeBoth {
			ref += keySep + string(rune('0'+e.Kind)) + string(rune('0'+e.Scope)) + e.Target
		}
	}
	return ref
}

// decodeRef parses a value of encodeRef or encodeScopedRef.
func decodeRef(ref string) (wiki string, page deps.PageRef, err error) {
	parts := strings.SplitN(ref, keySep, 5)
	if len(parts) < 4 {
		return "", deps.PageRef{}, fmt.Errorf("malformed page ref %q", ref)
	}
	ns, err1 := strconv.Atoi(parts[0])
	id, err2 := strconv.ParseInt(parts[1], 10, 64)
	if err1 != nil || err2 != nil {
		return "", deps.PageRef{}, fmt.Errorf("malformed page ref %q", ref)
	}
	return parts[2], deps.PageRef{ID: id, Namespace: deps.Namespace(ns), Title: parts[3]}, nil
}

// refScope returns the scope of the edge of kind to target that a ref of
// encodeScopedRef records, deps.ScopeBoth when it records none.
func refScope(ref string, kind deps.EdgeKind, target string) deps.Scope {
	_, scopes, ok := strings.Cut(ref, keySep)
	for i := 0; ok && i < 3; i++ { // skip ns, id and wiki; the title ends at the next keySep
		_, scopes, ok = strings.Cut(scopes, keySep)
	}
	for ok {
		var e string
		e, scopes, _ = strings.Cut(scopes, keySep)
		if len(e) > 2 && e[0] == byte('0'+kind) && e[2:] == target {
			return deps.Scope(e[1] - '0')
		}
		ok = scopes != ""
	}
	return deps.ScopeBoth
}

// titleOfKey returns the title in a page key of wiki.
func titleOfKey(wiki, key string) string { return strings.TrimPrefix(key, wiki+keySep) }

// joinAspects and splitAspects convert between aspects and the facet value.
func joinAspects(as []deps.Aspect) string {
	ss := make([]string, len(as))
	for i, a := range as {
		ss[i] = string(a)
	}
	return strings.Join(ss, " ")
}

func splitAspects(s string) []deps.Aspect {
	fields := strings.Fields(s)
	out := make([]deps.Aspect, len(fields))
	for i, f := range fields {
		out[i] = deps.Aspect(f)
	}
	return out
}
