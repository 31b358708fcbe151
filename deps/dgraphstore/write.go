package dgraphstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/dgraph-io/dgo/v230"
	"github.com/dgraph-io/dgo/v230/protos/api"

	"github.com/ripplestream/ripple/deps"
)

// PutPage implements deps.Store.
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
	res, err := s.putRound(ctx, []deps.PageDeps{next}, fmt.Sprintf("put %s:%s rev %d", next.Wiki, next.Page.Title, next.RevID))
	if err != nil {
		return deps.PutResult{}, err
	}
	return res[0], nil
}

// putRound stores normalized pages of distinct keys in one transaction,
// retried when aborted.
func (s *Store) putRound(ctx context.Context, pages []deps.PageDeps, op string) ([]deps.PutResult, error) {
	var res []deps.PutResult
	err := s.inTxn(ctx, op, func(txn *dgo.Txn) error {
		r, err := s.tryRound(ctx, txn, pages)
		res = r
		return err
	})
	return res, err
}

// tryRound is one attempt of putRound in txn: read the pages and the
// targets that exist, then commit one upsert block for the pages whose
// revision is newer than the stored one.
func (s *Store) tryRound(ctx context.Context, txn *dgo.Txn, pages []deps.PageDeps) ([]deps.PutResult, error) {
	names := make([]pageName, len(pages))
	var lookup []string
	seen := map[string]bool{}
	for i, p := range pages {
		names[i] = pageName{p.Wiki, p.Page.Title}
		for _, e := range p.Edges() {
			if k := targetKey(p.Wiki, e.Kind, e.Target); !seen[k] {
				seen[k] = true
				lookup = append(lookup, k)
			}
		}
	}
	sts, known, err := s.readPages(ctx, txn, names, lookup)
	if err != nil {
		return nil, err
	}
	refs := &nodeRefs{known: known, ref: map[string]string{}, vars: map[string]string{}, keyPred: s.p.key}
	for i, st := range sts {
		if st.uid != "" {
			refs.known[pageKey(names[i].wiki, names[i].title)] = st.uid
		}
	}
	res := make([]deps.PutResult, len(pages))
	var sets, dels []map[string]any
	for i, next := range pages {
		prev := sts[i].deps
		if sts[i].found && prev.RevID >= next.RevID {
			res[i] = deps.PutResult{PrevRevID: prev.RevID}
			continue
		}
		set, del := s.pageMutation(refs, sts[i], next)
		sets = append(sets, set)
		if del != nil {
			dels = append(dels, del)
		}
		added, removed := deps.Diff(prev, next)
		res[i] = deps.PutResult{Applied: true, PrevRevID: prev.RevID, Added: added, Removed: removed}
	}
	if len(sets) == 0 {
		return res, nil
	}
	req, err := refs.request(sets, dels)
	if err != nil {
		return nil, err
	}
	if _, err := txn.Do(ctx, req); err != nil {
		return nil, err
	}
	return res, nil
}

// nodeRefs names the nodes of one upsert block: existing ones by uid, the
// others by a query variable bound to their key, so that uid(var) creates
// them (once, however many pages of the block point at them).
type nodeRefs struct {
	known   map[string]string // key -> uid of existing nodes
	ref     map[string]string // key -> "0x.." or "uid(nI)"
	vars    map[string]string // $nI -> key
	blocks  []string          // "nI as var(func: eq(<key>, $nI))"
	keyPred string
}

// of returns the reference to the node of key and whether the mutation
// creates it (true only the first time).
func (r *nodeRefs) of(key string) (ref string, created bool) {
	if ref, ok := r.ref[key]; ok {
		return ref, false
	}
	if uid, ok := r.known[key]; ok {
		r.ref[key] = uid
		return uid, false
	}
	name := fmt.Sprintf("n%d", len(r.blocks))
	r.vars["$"+name] = key
	r.blocks = append(r.blocks, fmt.Sprintf("%s as var(func: eq(%s, $%s))", name, r.keyPred, name))
	r.ref[key] = "uid(" + name + ")"
	return r.ref[key], true
}

// request returns the upsert block that sets sets, deletes dels, and
// commits.
func (r *nodeRefs) request(sets, dels []map[string]any) (*api.Request, error) {
	mu := &api.Mutation{}
	var err error
	if mu.SetJson, err = json.Marshal(sets); err != nil {
		return nil, err
	}
	if len(dels) > 0 {
		if mu.DeleteJson, err = json.Marshal(dels); err != nil {
			return nil, err
		}
	}
	req := &api.Request{Mutations: []*api.Mutation{mu}, Vars: r.vars, CommitNow: true}
	if len(r.blocks) > 0 {
		params := make([]string, 0, len(r.vars))
		for name := range r.vars {
			params = append(params, name+": string")
		}
		req.Query = fmt.Sprintf("query q(%s) {\n %s\n}", strings.Join(params, ", "), strings.Join(r.blocks, "\n "))
	}
	return req, nil
}

// pageMutation returns the JSON objects that turn the stored page st into
// next: set (the page's fields and its new or changed edges) and del (its
// removed edges, or nil).
func (s *Store) pageMutation(refs *nodeRefs, st stored, next deps.PageDeps) (set, del map[string]any) {
	self := pageKey(next.Wiki, next.Page.Title)
	pageRef, created := refs.of(self)
	set = map[string]any{"uid": pageRef, s.p.rev: next.RevID}
	if ref := encodeRef(next.Wiki, next.Page); !st.found || ref != encodeRef(st.deps.Wiki, st.deps.Page) {
		set[s.p.ref] = ref
	}
	if created {
		set[s.p.key], set[s.p.wiki] = self, next.Wiki
	}
	before := map[deps.EdgeKind]map[string]string{}
	for _, e := range st.deps.Edges() {
		if before[e.Kind] == nil {
			before[e.Kind] = map[string]string{}
		}
		before[e.Kind][e.Target] = joinAspects(e.Aspects)
	}
	for _, e := range next.Edges() {
		aspects := joinAspects(e.Aspects)
		old, had := before[e.Kind][e.Target]
		delete(before[e.Kind], e.Target)
		if had && old == aspects {
			continue
		}
		pred := s.p.edge[e.Kind]
		set[pred] = append(asList(set[pred]), s.targetObject(refs, next.Wiki, e, aspects))
	}
	for kind, gone := range before {
		for target := range gone {
			if del == nil {
				del = map[string]any{"uid": st.uid}
			}
			pred := s.p.edge[kind]
			del[pred] = append(asList(del[pred]), map[string]any{"uid": st.targets[targetKey(next.Wiki, kind, target)]})
		}
	}
	return set, del
}

// targetObject returns the JSON object of edge e's target node, with the
// key fields of a node the mutation creates and the aspects facet.
func (s *Store) targetObject(refs *nodeRefs, wiki string, e deps.Edge, aspects string) map[string]any {
	key := targetKey(wiki, e.Kind, e.Target)
	ref, created := refs.of(key)
	obj := map[string]any{"uid": ref}
	if created {
		obj[s.p.key] = key
		if e.Kind != deps.UsesEntity {
			obj[s.p.wiki] = wiki
		}
	}
	if e.Kind == deps.UsesEntity {
		obj[s.p.edge[e.Kind]+"|"+aspectsFacet] = aspects
	}
	return obj
}

// asList returns v as a list of objects (nil when v is unset).
func asList(v any) []map[string]any {
	l, _ := v.([]map[string]any)
	return l
}

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

// tryDelete is one attempt of DeletePage in txn.
func (s *Store) tryDelete(ctx context.Context, txn *dgo.Txn, wiki, title string) (deps.PutResult, error) {
	sts, _, err := s.readPages(ctx, txn, []pageName{{wiki, title}}, nil)
	if err != nil || !sts[0].found {
		return deps.PutResult{}, err
	}
	st := sts[0]
	del := map[string]any{"uid": st.uid, s.p.rev: nil, s.p.ref: nil}
	for _, k := range deps.EdgeKinds() {
		del[s.p.edge[k]] = nil
	}
	mu := &api.Mutation{}
	if mu.DeleteJson, err = json.Marshal(del); err != nil {
		return deps.PutResult{}, err
	}
	if _, err := txn.Do(ctx, &api.Request{Mutations: []*api.Mutation{mu}, CommitNow: true}); err != nil {
		return deps.PutResult{}, err
	}
	return deps.PutResult{Applied: true, PrevRevID: st.deps.RevID, Removed: st.deps.Edges()}, nil
}
