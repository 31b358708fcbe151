package dgraphstore

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/dgraph-io/dgo/v230"

	"github.com/ripplestream/ripple/deps"
)

// stored is what the store holds for one page key.
type stored struct {
	uid     string            // the page's node, "" if none
	found   bool              // the node has a revision: its deps are stored
	deps    deps.PageDeps     // normalized, when found
	targets map[string]string // key -> uid of every current edge target
}

// pageName names a page to read.
type pageName struct{ wiki, title string }

// child is a node at the end of an edge in a query result.
type child struct {
	UID     string `json:"uid"`
	Key     string `json:"k"`
	Aspects string `json:"a"`
}

// pageNode is the page node in a query result; E1..E4 are its edges, by
// EdgeKind.
type pageNode struct {
	UID            string  `json:"uid"`
	Rev            *int64  `json:"rev"`
	Ref            string  `json:"ref"`
	E1, E2, E3, E4 []child `json:"-"`
}

// UnmarshalJSON decodes the edge aliases e1..e4 into E1..E4.
func (n *pageNode) UnmarshalJSON(b []byte) error {
	type plain pageNode
	var v struct {
		plain
		E1 []child `json:"e1"`
		E2 []child `json:"e2"`
		E3 []child `json:"e3"`
		E4 []child `json:"e4"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*n = pageNode(v.plain)
	n.E1, n.E2, n.E3, n.E4 = v.E1, v.E2, v.E3, v.E4
	return nil
}

// edges returns the children of edge kind k.
func (n pageNode) edges(k deps.EdgeKind) []child {
	return [...][]child{nil, n.E1, n.E2, n.E3, n.E4}[k]
}

// readPages reads pages in txn, and which of lookup (node keys) exist, as
// a map from key to uid.
func (s *Store) readPages(ctx context.Context, txn *dgo.Txn, pages []pageName, lookup []string) ([]stored, map[string]string, error) {
	var q strings.Builder
	vars := map[string]string{}
	var params []string
	param := func(name, value string) string {
		vars[name] = value
		params = append(params, name+": string")
		return name
	}
	for i, p := range pages {
		fmt.Fprintf(&q, " p%d(func: eq(%s, %s)) {\n  uid\n  rev: %s\n  ref: %s\n",
			i, s.p.key, param(fmt.Sprintf("$p%d", i), pageKey(p.wiki, p.title)), s.p.rev, s.p.ref)
		for _, k := range deps.EdgeKinds() {
			facets := ""
			if k == deps.UsesEntity {
				facets = " @facets(a: " + aspectsFacet + ")"
			}
			fmt.Fprintf(&q, "  e%d: %s%s { uid k: %s }\n", k, s.p.edge[k], facets, s.p.key)
		}
		q.WriteString(" }\n")
	}
	if len(lookup) > 0 {
		names := make([]string, len(lookup))
		for i, k := range lookup {
			names[i] = param(fmt.Sprintf("$k%d", i), k)
		}
		fmt.Fprintf(&q, " known(func: eq(%s, [%s])) { uid k: %s }\n", s.p.key, strings.Join(names, ", "), s.p.key)
	}
	resp, err := txn.QueryWithVars(ctx, "query q("+strings.Join(params, ", ")+") {\n"+q.String()+"}", vars)
	if err != nil {
		return nil, nil, err
	}
	var res map[string]json.RawMessage
	if err := json.Unmarshal(resp.Json, &res); err != nil {
		return nil, nil, fmt.Errorf("decoding pages: %w", err)
	}
	known := map[string]string{}
	var found []child
	if err := unmarshalOptional(res["known"], &found); err != nil {
		return nil, nil, err
	}
	for _, c := range found {
		known[c.Key] = c.UID
	}
	out := make([]stored, len(pages))
	for i, p := range pages {
		if out[i], err = s.decodeStored(res[fmt.Sprintf("p%d", i)], p); err != nil {
			return nil, nil, err
		}
	}
	return out, known, nil
}

// decodeStored decodes the query result of one page.
func (s *Store) decodeStored(raw json.RawMessage, p pageName) (stored, error) {
	var nodes []pageNode
	if err := unmarshalOptional(raw, &nodes); err != nil {
		return stored{}, fmt.Errorf("decoding page %s:%s: %w", p.wiki, p.title, err)
	}
	st := stored{targets: map[string]string{}}
	switch len(nodes) {
	case 0:
		return st, nil
	case 1:
		return st, s.fillStored(&st, nodes[0], p.wiki, p.title)
	}
	return stored{}, fmt.Errorf("page %s:%s has %d nodes; the @upsert index on %s should prevent that", p.wiki, p.title, len(nodes), s.p.key)
}

// unmarshalOptional decodes raw into v unless raw is absent.
func unmarshalOptional(raw json.RawMessage, v any) error {
	if len(raw) == 0 {
		return nil
	}
	return json.Unmarshal(raw, v)
}

// fillStored converts the page node n of (wiki, title) into st.
func (s *Store) fillStored(st *stored, n pageNode, wiki, title string) error {
	st.uid = n.UID
	var edges []deps.Edge
	for _, k := range deps.EdgeKinds() {
		for _, c := range n.edges(k) {
			st.targets[c.Key] = c.UID
			e := deps.Edge{Kind: k, Target: c.Key}
			if k == deps.UsesEntity {
				e.Aspects = splitAspects(c.Aspects)
			} else {
				e.Target = titleOfKey(wiki, c.Key)
			}
			edges = append(edges, e)
		}
	}
	if n.Rev == nil {
		return nil
	}
	slices.SortFunc(edges, func(a, b deps.Edge) int {
		return cmp.Or(cmp.Compare(a.Kind, b.Kind), strings.Compare(a.Target, b.Target))
	})
	_, page, err := decodeRef(n.Ref)
	if err != nil {
		return fmt.Errorf("page %s:%s: %w", wiki, title, err)
	}
	st.found, st.deps = true, deps.PageDepsFromEdges(wiki, page, *n.Rev, edges)
	return nil
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
	txn := s.dg.NewReadOnlyTxn()
	defer txn.Discard(ctx)
	sts, _, err := s.readPages(ctx, txn, []pageName{{wiki, title}}, nil)
	if err != nil {
		return deps.PageDeps{}, false, s.wrap(ctx, "read "+wiki+":"+title, err)
	}
	return sts[0].deps, sts[0].found, nil
}

// checkPage validates wiki and returns title normalized.
func checkPage(wiki, title string) (string, error) {
	if err := deps.ValidateWiki(wiki); err != nil {
		return "", err
	}
	return deps.NormalizeTitle(title)
}
