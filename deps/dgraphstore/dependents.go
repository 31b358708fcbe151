package dgraphstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/dgraph-io/dgo/v230"

	"github.com/ripplestream/ripple/deps"
)

// Cursor format: cursorPrefix and the hex uid of the last dependent.
const cursorPrefix = "dg1."

// minFilteredBatch is the smallest batch fetched when aspects are filtered
// on the client, so that a selective filter does not cost a round trip per
// few results.
const minFilteredBatch = 512

// dependentNode is one dependent in a traversal result; Forward is its
// uses_entity edge to the target, with the aspects facet.
type dependentNode struct {
	UID     string `json:"uid"`
	Ref     string `json:"r"`
	Forward []struct {
		Aspects string `json:"a"`
	} `json:"fw"`
}

// aspects returns the aspects of the dependent's usage of the target.
func (n dependentNode) aspects() []deps.Aspect {
	if len(n.Forward) == 0 {
		return nil
	}
	return splitAspects(n.Forward[0].Aspects)
}

// Dependents implements deps.Store: the reverse edge of the target node in
// uid order, with first and after. Page edges take one query in RDF, or
// none when the traversal's read-ahead holds the page (pageDependents);
// entity edges, whose aspects are facets, which RDF results cannot carry,
// take JSON queries until a page is filled.
func (s *Store) Dependents(ctx context.Context, q deps.Query) ([]deps.Dependent, deps.Cursor, error) {
	q, err := q.Normalize()
	if err != nil {
		return nil, "", err
	}
	after := uint64(0)
	if q.After != "" {
		if after, err = decodeCursor(q.After); err != nil {
			return nil, "", err
		}
	}
	release, err := s.acquire(ctx)
	if err != nil {
		return nil, "", err
	}
	defer release()
	if q.Edge == deps.UsesFile && q.Wiki == "" {
		return s.fileDependents(ctx, q, after)
	}
	if q.Edge != deps.UsesEntity {
		return s.pageDependents(ctx, q, after)
	}
	batch := q.Limit + 1
	if len(q.Aspects) > 0 {
		batch = max(batch, minFilteredBatch)
	}
	out := make([]deps.Dependent, 0, min(q.Limit, 1024))
	var lastUID uint64
	txn := s.dg().NewReadOnlyTxn() // one snapshot for every batch of the call
	defer txn.Discard(ctx)
	for {
		nodes, err := s.fetchDependents(ctx, txn, q, after, batch)
		if err != nil {
			return nil, "", s.wrap(ctx, fmt.Sprintf("dependents of %s %s", q.Edge, q.Target), err)
		}
		for _, n := range nodes {
			aspects, ok := q.Select(n.aspects())
			if !ok {
				continue
			}
			if len(out) == q.Limit {
				return out, encodeCursor(lastUID), nil
			}
			if lastUID, err = strconv.ParseUint(n.UID, 0, 64); err != nil {
				return nil, "", fmt.Errorf("dgraphstore: dependents of %s %s: uid %q: %w", q.Edge, q.Target, n.UID, err)
			}
			wiki, page, err := decodeRef(n.Ref)
			if err != nil {
				return nil, "", fmt.Errorf("dgraphstore: dependents of %s %s: %w", q.Edge, q.Target, err)
			}
			out = append(out, deps.Dependent{
				Wiki:    wiki,
				Page:    page,
				Edge:    q.Edge,
				Target:  q.Target,
				Aspects: aspects,
				Scope:   refScope(n.Ref, q.Edge, q.Target),
			})
		}
		if len(nodes) < batch {
			return out, "", nil
		}
		if after, err = strconv.ParseUint(nodes[len(nodes)-1].UID, 0, 64); err != nil {
			return nil, "", fmt.Errorf("dgraphstore: dependents of %s %s: uid %q: %w", q.Edge, q.Target, nodes[len(nodes)-1].UID, err)
		}
	}
}

// fetchDependents reads up to n dependents of q's target after uid after.
// Entity aspects come from each dependent's forward edge: asking for the
// facets of the reverse edge makes Dgraph read those of every dependent on
// every call, not just of the n returned.
func (s *Store) fetchDependents(ctx context.Context, txn *dgo.Txn, q deps.Query, after uint64, n int) ([]dependentNode, error) {
	vars := map[string]string{"$t": targetKey(q.Wiki, q.Edge, q.Target)}
	params := "$t: string"
	args := fmt.Sprintf("first: %d", n)
	if after > 0 {
		args += fmt.Sprintf(", after: %#x", after)
	}
	edge := s.p.edge[q.Edge]
	filter, forward := "", ""
	if q.Edge == deps.UsesEntity {
		if q.Wiki != "" {
			vars["$w"] = q.Wiki
			params += ", $w: string"
			filter = fmt.Sprintf(" @filter(eq(%s, $w))", s.p.wiki)
		}
		forward = fmt.Sprintf(" fw: %s @filter(uid(target)) @facets(a: %s) { uid }", edge, aspectsFacet)
	}
	query := fmt.Sprintf(`query q(%s) {
 target as var(func: eq(%s, $t))
 t(func: uid(target)) {
  d: ~%s (%s)%s { uid r: %s%s }
 }
}`, params, s.p.key, edge, args, filter, s.p.ref, forward)
	resp, err := txn.QueryWithVars(ctx, query, vars)
	if err != nil {
		return nil, err
	}
	var res struct {
		T []struct {
			D []dependentNode `json:"d"`
		} `json:"t"`
	}
	if err := json.Unmarshal(resp.Json, &res); err != nil {
		return nil, fmt.Errorf("decoding dependents: %w", err)
	}
	if len(res.T) == 0 {
		return nil, nil
	}
	if len(res.T) > 1 {
		return nil, fmt.Errorf("target has %d nodes; the @upsert index on %s should prevent that", len(res.T), s.p.key)
	}
	return res.T[0].D, nil
}

// encodeCursor returns the cursor after the dependent of uid.
func encodeCursor(uid uint64) deps.Cursor {
	return deps.Cursor(cursorPrefix + strconv.FormatUint(uid, 16))
}

// decodeCursor returns the uid of a cursor made by encodeCursor.
func decodeCursor(c deps.Cursor) (uint64, error) {
	s, ok := strings.CutPrefix(string(c), cursorPrefix)
	if !ok {
		return 0, fmt.Errorf("%w: %q is not a Dgraph store cursor", deps.ErrBadCursor, c)
	}
	uid, err := strconv.ParseUint(s, 16, 64)
	if err != nil || uid == 0 {
		return 0, fmt.Errorf("%w: %q does not hold a uid", deps.ErrBadCursor, c)
	}
	return uid, nil
}

// fileDependents answers a Dependents query for the users of a file on
// every wiki: the nodes of the file's title on each wiki (found by the file
// predicate), and their dependents through uses_file in uid order, in one
// query.
func (s *Store) fileDependents(ctx context.Context, q deps.Query, after uint64) ([]deps.Dependent, deps.Cursor, error) {
	op := fmt.Sprintf("dependents of %s %s on every wiki", q.Edge, q.Target)
	args := fmt.Sprintf("first: %d", q.Limit+1)
	if after > 0 {
		args += fmt.Sprintf(", after: %#x", after)
	}
	query := fmt.Sprintf(`query q($t: string) {
 var(func: eq(%s, $t)) { d as ~%s }
 d(func: uid(d), %s) { uid r: %s }
}`, s.p.file, s.p.edge[deps.UsesFile], args, s.p.ref)
	txn := s.dg().NewReadOnlyTxn()
	defer txn.Discard(ctx)
	resp, err := txn.QueryWithVars(ctx, query, map[string]string{"$t": q.Target})
	if err != nil {
		return nil, "", s.wrap(ctx, op, err)
	}
	var res struct {
		D []dependentNode `json:"d"`
	}
	if err := json.Unmarshal(resp.Json, &res); err != nil {
		return nil, "", fmt.Errorf("dgraphstore: %s: decoding: %w", op, err)
	}
	nodes, next := res.D, deps.Cursor("")
	if len(nodes) > q.Limit {
		nodes = nodes[:q.Limit]
		last, err := strconv.ParseUint(nodes[len(nodes)-1].UID, 0, 64)
		if err != nil {
			return nil, "", fmt.Errorf("dgraphstore: %s: uid %q: %w", op, nodes[len(nodes)-1].UID, err)
		}
		next = encodeCursor(last)
	}
	out := make([]deps.Dependent, len(nodes))
	for i, n := range nodes {
		wiki, page, err := decodeRef(n.Ref)
		if err != nil {
			return nil, "", fmt.Errorf("dgraphstore: %s: %w", op, err)
		}
		out[i] = deps.Dependent{Wiki: wiki, Page: page, Edge: q.Edge, Target: q.Target, Scope: refScope(n.Ref, q.Edge, q.Target)}
	}
	return out, next, nil
}
