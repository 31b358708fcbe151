package dgraphstore

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/dgraph-io/dgo/v230"

	"github.com/ripplestream/ripple/deps"
)

// stored is what the store holds for one page key.
type stored struct {
	uid   uint64       // the page's node, 0 if none
	found bool         // the node has a revision: its deps are stored
	rev   int64        // the stored revision, when found
	page  deps.PageRef // the page its ref names, when found
	edges []deps.Edge  // the stored set's edges (PageDeps.Edges), when found
	ref   string       // the stored ref value, when found
	// digest and since are the stored set's Digest and DigestSince.
	digest string
	since  int64
	// oldRev: the page's rev is in the rev predicate, as earlier versions
	// of the store wrote it, not in its edges value.
	oldRev bool
	// legacy: found, but stored by an earlier version of the store,
	// without the edges value.
	legacy bool
}

// pageName names a page to read.
type pageName struct{ wiki, title string }

func (p pageName) key() string { return pageKey(p.wiki, p.title) }

// pageNode is a page node in a query result.
type pageNode struct {
	UID   string  `json:"uid"`
	Key   string  `json:"k"`
	Rev   *int64  `json:"rev"`
	Ref   string  `json:"ref"`
	Edges *string `json:"e"`
}

// keyNode is a node with its key in a query result; Aspects is the facet of
// a uses_entity edge to it.
type keyNode struct {
	UID     string `json:"uid"`
	Key     string `json:"k"`
	Aspects string `json:"a"`
}

// legacyNode is the page node of readLegacy; E1..E4 are its edges, by
// EdgeKind.
type legacyNode struct {
	E1 []keyNode `json:"e1"`
	E2 []keyNode `json:"e2"`
	E3 []keyNode `json:"e3"`
	E4 []keyNode `json:"e4"`
}

// edges returns the targets of edge kind k.
func (n legacyNode) edges(k deps.EdgeKind) []keyNode {
	return [...][]keyNode{nil, n.E1, n.E2, n.E3, n.E4}[k]
}

// params collects the GraphQL variables of a query.
type params struct {
	vars  map[string]string
	decls []string
}

// add binds a new variable $<prefix><n> to value and returns its name.
func (p *params) add(prefix, value string) string {
	if p.vars == nil {
		p.vars = map[string]string{}
	}
	name := "$" + prefix + strconv.Itoa(len(p.decls))
	p.vars[name] = value
	p.decls = append(p.decls, name+": string")
	return name
}

// query wraps blocks into a query that declares the variables.
func (p *params) query(blocks string) string {
	if len(p.decls) == 0 {
		return "{\n" + blocks + "}"
	}
	return "query q(" + strings.Join(p.decls, ", ") + ") {\n" + blocks + "}"
}

// readPages reads pages in txn, one result per name. One query reads the
// edges value of each page, by uid when r knows it (which spares Dgraph the
// index lookup and the key), else by key; it remembers the uids of the page
// nodes in r. A second query reads the rev and ref of the nodes without a
// current edges value: pages stored by earlier versions of the store, and
// nodes that are only targets.
func (s *Store) readPages(ctx context.Context, txn *dgo.Txn, names []pageName, r *resolver) ([]stored, error) {
	out := make([]stored, len(names))
	var ps params
	var uids, vars []string
	for i, n := range names {
		if out[i].uid = r.uid(n.key()); out[i].uid != 0 {
			uids = append(uids, formatUID(out[i].uid))
		} else {
			vars = append(vars, ps.add("p", n.key()))
		}
	}
	var blocks strings.Builder
	if len(uids) > 0 {
		fmt.Fprintf(&blocks, " u(func: uid(%s)) { uid e: %s }\n", strings.Join(uids, ", "), s.p.edges)
	}
	if len(vars) > 0 {
		fmt.Fprintf(&blocks, " p(func: eq(%s, [%s])) { uid k: %s e: %s }\n", s.p.key, strings.Join(vars, ", "), s.p.key, s.p.edges)
	}
	resp, err := txn.QueryWithVars(ctx, ps.query(blocks.String()), ps.vars)
	if err != nil {
		return nil, err
	}
	var res struct {
		U []pageNode `json:"u"`
		P []pageNode `json:"p"`
	}
	if err := json.Unmarshal(resp.Json, &res); err != nil {
		return nil, fmt.Errorf("decoding pages: %w", err)
	}
	edges := make(map[uint64]*string, len(res.U)+len(res.P))
	for _, n := range res.U {
		uid, err := parseUID(n.UID)
		if err != nil {
			return nil, err
		}
		edges[uid] = n.Edges
	}
	byKey := make(map[string]uint64, len(res.P))
	for _, n := range res.P {
		if _, dup := byKey[n.Key]; dup {
			return nil, fmt.Errorf("page %s has several nodes; the @upsert index on %s should prevent that", n.Key, s.p.key)
		}
		if byKey[n.Key], err = parseUID(n.UID); err != nil {
			return nil, err
		}
		r.learn(n.Key, byKey[n.Key])
		edges[byKey[n.Key]] = n.Edges
	}
	var old []int
	for i, name := range names {
		if out[i].uid == 0 {
			if out[i].uid = byKey[name.key()]; out[i].uid == 0 {
				continue
			}
		}
		e := edges[out[i].uid]
		if e == nil || !headed(*e) {
			old = append(old, i)
			continue
		}
		head, _, es, err := s.edges.decode(*e)
		if err != nil {
			return nil, fmt.Errorf("page %s:%s: %w", name.wiki, name.title, err)
		}
		ref := encodeScopedRef(name.wiki, deps.PageRef{ID: head.id, Namespace: head.ns, Title: name.title}, es)
		if out[i], err = storedPage(out[i].uid, name, head.rev, ref, es); err != nil {
			return nil, err
		}
		out[i].digest, out[i].since = head.digest, head.since
	}
	if len(old) > 0 {
		if err := s.readOld(ctx, txn, names, old, out, r); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// readOld reads the rev, ref and edges value of the nodes of the pages at
// indexes which of names, and fills out: a node without a rev is a target
// only, and one with a rev but without an edges value was stored by an
// earlier version of the store (see readLegacy).
func (s *Store) readOld(ctx context.Context, txn *dgo.Txn, names []pageName, which []int, out []stored, r *resolver) error {
	uids := make([]string, len(which))
	for j, i := range which {
		uids[j] = formatUID(out[i].uid)
	}
	q := fmt.Sprintf("{\n o(func: uid(%s)) { uid rev: %s ref: %s e: %s }\n}",
		strings.Join(uids, ", "), s.p.rev, s.p.ref, s.p.edges)
	resp, err := txn.Query(ctx, q)
	if err != nil {
		return err
	}
	var res struct {
		O []pageNode `json:"o"`
	}
	if err := json.Unmarshal(resp.Json, &res); err != nil {
		return fmt.Errorf("decoding pages: %w", err)
	}
	nodes := make(map[uint64]pageNode, len(res.O))
	for _, n := range res.O {
		uid, err := parseUID(n.UID)
		if err != nil {
			return err
		}
		nodes[uid] = n
	}
	var legacy []int
	for _, i := range which {
		name, n := names[i], nodes[out[i].uid]
		if n.Rev == nil {
			continue
		}
		if n.Edges == nil {
			legacy = append(legacy, i)
			continue
		}
		// A value of edgeSetV1: the first query, in the same snapshot,
		// found no current one.
		_, _, edges, err := s.edges.decode(*n.Edges)
		if err != nil {
			return fmt.Errorf("page %s:%s: %w", name.wiki, name.title, err)
		}
		if out[i], err = storedPage(out[i].uid, name, *n.Rev, n.Ref, edges); err != nil {
			return err
		}
		out[i].oldRev = true
	}
	if len(legacy) > 0 {
		return s.readLegacy(ctx, txn, names, legacy, nodes, out, r)
	}
	return nil
}

// storedPage returns the stored state of page name from its fields.
func storedPage(uid uint64, name pageName, rev int64, ref string, edges []deps.Edge) (stored, error) {
	_, page, err := decodeRef(ref)
	if err != nil {
		return stored{}, fmt.Errorf("page %s:%s: %w", name.wiki, name.title, err)
	}
	return stored{uid: uid, found: true, rev: rev, page: page, ref: ref, edges: edges}, nil
}

// readLegacy reads the edges of the pages at indexes which of names, whose
// nodes have a revision but no edge set, and fills out. Their targets' uids
// go to r.
func (s *Store) readLegacy(ctx context.Context, txn *dgo.Txn, names []pageName, which []int,
	nodes map[uint64]pageNode, out []stored, r *resolver) error {
	var q strings.Builder
	for _, i := range which {
		fmt.Fprintf(&q, " l%d(func: uid(%#x)) {\n", i, out[i].uid)
		for _, k := range deps.EdgeKinds() {
			facets := ""
			if k == deps.UsesEntity {
				facets = " @facets(a: " + aspectsFacet + ")"
			}
			fmt.Fprintf(&q, "  e%d: %s%s { uid k: %s }\n", k, s.p.edge[k], facets, s.p.key)
		}
		q.WriteString(" }\n")
	}
	resp, err := txn.Query(ctx, "{\n"+q.String()+"}")
	if err != nil {
		return err
	}
	var res map[string][]legacyNode
	if err := json.Unmarshal(resp.Json, &res); err != nil {
		return fmt.Errorf("decoding pages: %w", err)
	}
	for _, i := range which {
		name := names[i]
		var edges []deps.Edge
		for _, node := range res["l"+strconv.Itoa(i)] {
			for _, k := range deps.EdgeKinds() {
				for _, c := range node.edges(k) {
					uid, err := parseUID(c.UID)
					if err != nil {
						return err
					}
					r.learn(c.Key, uid)
					e := deps.Edge{Kind: k, Target: titleOfKey(name.wiki, c.Key)}
					if k == deps.UsesEntity {
						e.Target, e.Aspects = c.Key, splitAspects(c.Aspects)
					}
					edges = append(edges, e)
				}
			}
		}
		slices.SortFunc(edges, func(a, b deps.Edge) int {
			return cmp.Or(cmp.Compare(a.Kind, b.Kind), strings.Compare(a.Target, b.Target))
		})
		n := nodes[out[i].uid]
		if out[i], err = storedPage(out[i].uid, name, *n.Rev, n.Ref, edges); err != nil {
			return err
		}
		out[i].oldRev, out[i].legacy = true, true
	}
	return nil
}

// lookup returns the uids of the nodes of keys that exist, read in txn.
func (s *Store) lookup(ctx context.Context, txn *dgo.Txn, keys []string) (map[string]uint64, error) {
	var ps params
	vars := make([]string, len(keys))
	for i, k := range keys {
		vars[i] = ps.add("k", k)
	}
	q := ps.query(fmt.Sprintf(" k(func: eq(%s, [%s])) { uid k: %s }\n", s.p.key, strings.Join(vars, ", "), s.p.key))
	resp, err := txn.QueryWithVars(ctx, q, ps.vars)
	if err != nil {
		return nil, err
	}
	var res struct {
		K []keyNode `json:"k"`
	}
	if err := json.Unmarshal(resp.Json, &res); err != nil {
		return nil, fmt.Errorf("decoding node keys: %w", err)
	}
	out := make(map[string]uint64, len(res.K))
	for _, n := range res.K {
		if out[n.Key], err = parseUID(n.UID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// parseUID parses a uid as Dgraph prints it, 0x and hex digits.
func parseUID(s string) (uint64, error) {
	uid, err := strconv.ParseUint(strings.TrimPrefix(s, "0x"), 16, 64)
	if err != nil || uid == 0 {
		return 0, fmt.Errorf("malformed uid %q", s)
	}
	return uid, nil
}

// Page implements deps.Store.
func (s *Store) Page(ctx context.Context, wiki, title string) (deps.PageDeps, bool, error) {
	title, err := checkPage(wiki, title)
	if err != nil {
		return deps.PageDeps{}, false, err
	}
	release, err := s.acquire(ctx)
	if err != nil {
		return deps.PageDeps{}, false, err
	}
	defer release()
	txn := s.dg().NewReadOnlyTxn()
	defer txn.Discard(ctx)
	sts, err := s.readPages(ctx, txn, []pageName{{wiki, title}}, s.newResolver())
	if err != nil {
		return deps.PageDeps{}, false, s.wrap(ctx, "read "+wiki+":"+title, err)
	}
	if st := sts[0]; st.found {
		p := deps.PageDepsFromEdges(wiki, st.page, st.rev, st.edges)
		p.Digest, p.DigestSince = st.digest, st.since
		return p, true, nil
	}
	return deps.PageDeps{}, false, nil
}

// checkPage validates wiki and returns title normalized.
func checkPage(wiki, title string) (string, error) {
	if err := deps.ValidateWiki(wiki); err != nil {
		return "", err
	}
	return deps.NormalizeTitle(title)
}
