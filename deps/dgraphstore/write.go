package dgraphstore

import (
	"cmp"
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/dgraph-io/dgo/v230"
	"github.com/dgraph-io/dgo/v230/protos/api"

	"github.com/ripplestream/ripple/deps"
)

// PutPage implements deps.Store. Concurrent calls share transactions (see
// group): up to Config.MaxBatch pages go in one.
func (s *Store) PutPage(ctx context.Context, p deps.PageDeps) (deps.PutResult, error) {
	next, err := p.Normalize(s.cfg.Collapse)
	if err != nil {
		return deps.PutResult{}, err
	}
	release, err := s.acquire(ctx)
	if err != nil {
		return deps.PutResult{}, err
	}
	defer release()
	res, err := s.group.put(ctx, next, s.cfg.MaxBatch, s.putNormalized)
	if err != nil && ctx.Err() != nil {
		return deps.PutResult{}, s.wrap(ctx, chunkOp([]deps.PageDeps{next}, 0, 1), err)
	}
	return res, err
}

// putChunk stores normalized pages in one transaction, retried when
// aborted, and returns the result of each.
func (s *Store) putChunk(ctx context.Context, pages []deps.PageDeps, op string) ([]deps.PutResult, error) {
	var res []deps.PutResult
	err := s.inTxn(ctx, op, func(txn *dgo.Txn) error {
		r, err := s.tryChunk(ctx, txn, pages)
		res = r
		return err
	})
	return res, err
}

// tryChunk is one attempt of putChunk in txn: read the stored pages, apply
// the pages to them in order in memory, and commit one mutation that turns
// each stored page into its last applied state.
func (s *Store) tryChunk(ctx context.Context, txn *dgo.Txn, pages []deps.PageDeps) ([]deps.PutResult, error) {
	index := map[string]int{}
	var names []pageName
	for _, p := range pages {
		name := pageName{p.Wiki, p.Page.Title}
		if _, ok := index[name.key()]; !ok {
			index[name.key()] = len(names)
			names = append(names, name)
		}
	}
	r := s.newResolver()
	before, err := s.readPages(ctx, txn, names, r)
	if err != nil {
		return nil, err
	}
	// The last applied set of each page, and its edges.
	after := make([]*deps.PageDeps, len(names))
	afterEdges := make([][]deps.Edge, len(names))
	res := make([]deps.PutResult, len(pages))
	for i, next := range pages {
		j := index[pageKey(next.Wiki, next.Page.Title)]
		rev, edges, found := before[j].rev, before[j].edges, before[j].found
		prev := deps.PageDeps{Digest: before[j].digest, DigestSince: before[j].since}
		if after[j] != nil {
			rev, edges, found, prev = after[j].RevID, afterEdges[j], true, *after[j]
		}
		if found && rev >= next.RevID {
			res[i] = deps.PutResult{PrevRevID: rev}
			continue
		}
		ne := next.Edges()
		added, removed := deps.DiffEdges(edges, ne)
		res[i] = deps.PutResult{Applied: true, PrevRevID: rev, Added: added, Removed: removed}
		carried := deps.CarryDigest(prev, found, next)
		after[j], afterEdges[j] = &carried, ne
	}
	m := &mutation{s: s, r: r}
	for j, next := range after {
		if next != nil {
			m.changes = append(m.changes, changeOf(before[j], *next, afterEdges[j]))
		}
	}
	if len(m.changes) == 0 {
		return res, nil
	}
	if err := m.resolve(ctx, txn); err != nil {
		return nil, err
	}
	resp, err := txn.Do(ctx, m.request())
	if err != nil {
		return nil, err
	}
	m.created(resp.Uids)
	return res, nil
}

// change is what one transaction does to one page: turn before into next,
// whose edges are edges, by adding set (new edges, and entity edges whose
// aspects changed) and deleting del.
type change struct {
	before   stored
	next     deps.PageDeps
	edges    []deps.Edge
	set, del []deps.Edge
}

// changeOf returns the change from before to next, both normalized; ne are
// the edges of next, sorted by (Kind, Target) as those of before.
func changeOf(before stored, next deps.PageDeps, ne []deps.Edge) change {
	c := change{before: before, next: next, edges: ne}
	pe := before.edges
	i, j := 0, 0
	for i < len(pe) || j < len(ne) {
		o := 1
		switch {
		case i == len(pe):
		case j == len(ne):
			o = -1
		default:
			o = cmp.Or(cmp.Compare(pe[i].Kind, ne[j].Kind), strings.Compare(pe[i].Target, ne[j].Target))
		}
		switch {
		case o < 0:
			c.del = append(c.del, pe[i])
			i++
		case o > 0:
			c.set = append(c.set, ne[j])
			j++
		default:
			if joinAspects(pe[i].Aspects) != joinAspects(ne[j].Aspects) {
				c.set = append(c.set, ne[j])
			}
			i, j = i+1, j+1
		}
	}
	return c
}

// resolver resolves node keys to uids within one transaction: from what the
// transaction read, then from the store's cache. What it learns from reads
// is committed, so it goes to the cache at once.
type resolver struct {
	cache *uidCache
	uids  map[string]uint64
}

func (s *Store) newResolver() *resolver {
	return &resolver{cache: s.uids, uids: map[string]uint64{}}
}

// learn records the committed uid of key.
func (r *resolver) learn(key string, uid uint64) {
	r.uids[key] = uid
	r.cache.put(key, uid)
}

// uid returns the uid of key, 0 if unknown.
func (r *resolver) uid(key string) uint64 {
	if uid, ok := r.uids[key]; ok {
		return uid
	}
	uid := r.cache.get(key)
	if uid != 0 {
		r.uids[key] = uid
	}
	return uid
}

// mutation builds the N-Quads of the changes of one transaction. They go
// to Dgraph as structured api.NQuads rather than RDF text, which spares the
// alpha parsing them.
type mutation struct {
	s        *Store
	r        *resolver
	changes  []change
	set, del []*api.NQuad
	blank    map[string]string // blank node name -> key, of the nodes it creates
}

// resolve looks up the uids of the edge targets of the changes that
// neither the transaction nor the cache know, in one query.
func (m *mutation) resolve(ctx context.Context, txn *dgo.Txn) error {
	var missing []string
	seen := map[string]bool{}
	for _, c := range m.changes {
		for _, l := range [][]deps.Edge{c.set, c.del} {
			for _, e := range l {
				key := targetKey(c.next.Wiki, e.Kind, e.Target)
				if !seen[key] && m.r.uid(key) == 0 {
					seen[key] = true
					missing = append(missing, key)
				}
			}
		}
	}
	if len(missing) == 0 {
		return nil
	}
	found, err := m.s.lookup(ctx, txn, missing)
	if err != nil {
		return err
	}
	for key, uid := range found {
		m.r.learn(key, uid)
	}
	return nil
}

// request returns the request that commits the changes. Nodes of keys
// still unknown are created as blank nodes with their key: the @upsert
// index on key makes two transactions that create the same key conflict.
func (m *mutation) request() *api.Request {
	m.blank = map[string]string{}
	nodes := map[string]string{} // key -> blank node, within the request
	node := func(key string, uid uint64) string {
		if uid != 0 {
			return formatUID(uid)
		}
		if n, ok := nodes[key]; ok {
			return n
		}
		name := "n" + strconv.Itoa(len(nodes))
		m.blank[name] = key
		nodes[key] = "_:" + name
		m.set = append(m.set, valueQuad(nodes[key], m.s.p.key, key))
		return nodes[key]
	}
	p := m.s.p
	for _, c := range m.changes {
		self := node(pageKey(c.next.Wiki, c.next.Page.Title), c.before.uid)
		// The edges value holds the rev: it is written on every revision.
		m.set = append(m.set, valueQuad(self, p.edges, m.s.edges.encodeEdges(c.next, c.edges)))
		if c.before.oldRev {
			m.del = append(m.del, &api.NQuad{Subject: self, Predicate: p.rev,
				ObjectValue: &api.Value{Val: &api.Value_DefaultVal{DefaultVal: starAll}}})
		}
		if ref := encodeScopedRef(c.next.Wiki, c.next.Page, c.edges); !c.before.found || ref != c.before.ref {
			m.set = append(m.set, valueQuad(self, p.ref, ref))
		}
		if !c.before.found {
			m.set = append(m.set, valueQuad(self, p.wiki, c.next.Wiki))
		}
		for _, e := range c.set {
			key := targetKey(c.next.Wiki, e.Kind, e.Target)
			q := &api.NQuad{Subject: self, Predicate: p.edge[e.Kind], ObjectId: node(key, m.r.uid(key))}
			if e.Kind == deps.UsesEntity {
				// Unlike a facet in RDF, one set here gets no term tokens:
				// the store filters aspects on the client, never with a
				// facet function.
				q.Facets = []*api.Facet{{Key: aspectsFacet, Value: []byte(joinAspects(e.Aspects)), ValType: api.Facet_STRING}}
			}
			if e.Kind == deps.UsesFile {
				// Set again with every edge added, since the node may
				// exist as a page or link target without it.
				m.set = append(m.set, valueQuad(q.ObjectId, p.file, e.Target))
			}
			m.set = append(m.set, q)
		}
		for _, e := range c.del {
			// A target that does not exist has no edge to delete.
			if uid := m.r.uid(targetKey(c.next.Wiki, e.Kind, e.Target)); uid != 0 {
				m.del = append(m.del, &api.NQuad{Subject: self, Predicate: p.edge[e.Kind], ObjectId: formatUID(uid)})
			}
		}
	}
	mu := &api.Mutation{Set: m.set, Del: m.del}
	return &api.Request{Mutations: []*api.Mutation{mu}, CommitNow: true}
}

// starAll is the object of a deletion of every value of a predicate, "*"
// in N-Quads.
const starAll = "_STAR_ALL"

// valueQuad returns the N-Quad that sets pred of subject to the string v.
func valueQuad(subject, pred, v string) *api.NQuad {
	return &api.NQuad{Subject: subject, Predicate: pred, ObjectValue: &api.Value{Val: &api.Value_StrVal{StrVal: v}}}
}

// created records the uids of the nodes a committed request created.
func (m *mutation) created(uids map[string]string) {
	for name, key := range m.blank {
		if uid, err := parseUID(uids[name]); err == nil {
			m.r.learn(key, uid)
		}
	}
}

// formatUID returns uid as Dgraph writes it.
func formatUID(uid uint64) string { return "0x" + strconv.FormatUint(uid, 16) }

// DeletePage implements deps.Store.
func (s *Store) DeletePage(ctx context.Context, wiki, title string) (deps.PutResult, error) {
	title, err := checkPage(wiki, title)
	if err != nil {
		return deps.PutResult{}, err
	}
	release, err := s.acquire(ctx)
	if err != nil {
		return deps.PutResult{}, err
	}
	defer release()
	var res deps.PutResult
	err = s.inTxn(ctx, "delete "+wiki+":"+title, func(txn *dgo.Txn) error {
		r, err := s.tryDelete(ctx, txn, wiki, title)
		res = r
		return err
	})
	return res, err
}

// tryDelete is one attempt of DeletePage in txn: it removes the page's
// fields and outgoing edges, and keeps its node and key.
func (s *Store) tryDelete(ctx context.Context, txn *dgo.Txn, wiki, title string) (deps.PutResult, error) {
	sts, err := s.readPages(ctx, txn, []pageName{{wiki, title}}, s.newResolver())
	if err != nil || !sts[0].found {
		return deps.PutResult{}, err
	}
	st := sts[0]
	var del strings.Builder
	self := "<" + formatUID(st.uid) + ">"
	for _, pred := range []string{s.p.rev, s.p.ref, s.p.edges, s.p.edge[deps.Transcludes],
		s.p.edge[deps.LinksTo], s.p.edge[deps.UsesFile], s.p.edge[deps.UsesEntity]} {
		fmt.Fprintf(&del, "%s <%s> * .\n", self, pred)
	}
	mu := &api.Mutation{DelNquads: []byte(del.String())}
	if _, err := txn.Do(ctx, &api.Request{Mutations: []*api.Mutation{mu}, CommitNow: true}); err != nil {
		return deps.PutResult{}, err
	}
	return deps.PutResult{Applied: true, PrevRevID: st.rev, Removed: st.edges}, nil
}
