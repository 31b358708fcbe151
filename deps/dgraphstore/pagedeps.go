package dgraphstore

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/ripplestream/ripple/deps"
)

// pageDependents answers a Dependents query on a page edge. Unless the
// read-ahead of the traversal has the page, it reads max(q.Limit,
// Config.ReadAhead) dependents after uid after, plus one to know whether
// more follow, in one query, in RDF: at 10,000 dependents a page, encoding
// and decoding JSON costs Dgraph and the store together about half as much
// as reading the refs. The query binds the page of the reverse edge to a
// variable and reads the refs of its nodes, so that the result holds one
// line per dependent; every node with an edge has a ref (the store writes
// them together). The target's uid comes from the uid cache, or else from
// an index lookup in the same snapshot.
func (s *Store) pageDependents(ctx context.Context, q deps.Query, after uint64) ([]deps.Dependent, deps.Cursor, error) {
	op := fmt.Sprintf("dependents of %s %s", q.Edge, q.Target)
	key := targetKey(q.Wiki, q.Edge, q.Target)
	now := time.Now()
	if q.After != "" {
		if st := s.ahead.take(q.Edge, key, q.After, now); st != nil {
			if nodes, next, ok := s.ahead.page(st, q.Limit); ok {
				return dependentsOf(q, op, nodes, next)
			}
		}
	}
	txn := s.dg().NewReadOnlyTxn()
	defer txn.Discard(ctx)
	target := s.uids.get(key)
	if target == 0 {
		found, err := s.lookup(ctx, txn, []string{key})
		if err != nil {
			return nil, "", s.wrap(ctx, op, err)
		}
		if target = found[key]; target == 0 {
			return nil, "", nil
		}
		s.uids.put(key, target)
	}
	n := max(q.Limit, s.cfg.ReadAhead)
	args := fmt.Sprintf("first: %d", n+1)
	if after > 0 {
		args += fmt.Sprintf(", after: %#x", after)
	}
	query := fmt.Sprintf("{\n var(func: uid(%#x)) { d as ~%s (%s) }\n d(func: uid(d)) { r: %s }\n}",
		target, s.p.edge[q.Edge], args, s.p.ref)
	resp, err := txn.QueryRDF(ctx, query)
	if err != nil {
		return nil, "", s.wrap(ctx, op, err)
	}
	nodes, err := parseRefsRDF(resp.Rdf)
	if err != nil {
		return nil, "", fmt.Errorf("dgraphstore: %s: %w", op, err)
	}
	st := &stash{edge: q.Edge, target: key, after: q.After, nodes: nodes, read: now}
	if st.more = len(nodes) > n; st.more {
		st.nodes = nodes[:n]
	}
	nodes, next, _ := s.ahead.page(st, q.Limit) // st holds q.Limit dependents, or all
	return dependentsOf(q, op, nodes, next)
}

// dependentsOf returns the Dependents of q's target that nodes are.
func dependentsOf(q deps.Query, op string, nodes []rdfRef, next deps.Cursor) ([]deps.Dependent, deps.Cursor, error) {
	out := make([]deps.Dependent, len(nodes))
	for i, n := range nodes {
		wiki, page, err := decodeRef(n.ref)
		if err != nil {
			return nil, "", fmt.Errorf("dgraphstore: %s: %w", op, err)
		}
		out[i] = deps.Dependent{Wiki: wiki, Page: page, Edge: q.Edge, Target: q.Target, Scope: refScope(n.ref, q.Edge, q.Target)}
	}
	return out, next, nil
}

// rdfRef is one dependent in an RDF result.
type rdfRef struct {
	uid uint64
	ref string
}

// parseRefsRDF parses the RDF result of pageDependents: a line
// "<dependent> <r> "ref" ." per dependent, in uid order.
func parseRefsRDF(rdf []byte) ([]rdfRef, error) {
	out := make([]rdfRef, 0, bytes.Count(rdf, []byte{'\n'}))
	for len(rdf) > 0 {
		line := rdf
		if i := bytes.IndexByte(rdf, '\n'); i >= 0 {
			line, rdf = rdf[:i], rdf[i+1:]
		} else {
			rdf = nil
		}
		subject, pred, object, err := splitTriple(line)
		if err != nil {
			return nil, err
		}
		if pred != "r" {
			return nil, fmt.Errorf("unexpected predicate %q in %q", pred, line)
		}
		uid, err := parseUID(subject)
		if err != nil {
			return nil, err
		}
		ref, err := rdfString(object)
		if err != nil {
			return nil, err
		}
		if len(out) > 0 && uid <= out[len(out)-1].uid {
			return nil, fmt.Errorf("dependent %#x after %#x: not in uid order", uid, out[len(out)-1].uid)
		}
		out = append(out, rdfRef{uid: uid, ref: ref})
	}
	return out, nil
}

// splitTriple splits an RDF result line "<subject> <pred> object ." into
// its parts, without the brackets of subject and pred.
func splitTriple(line []byte) (subject, pred string, object []byte, err error) {
	rest, ok := bytes.CutSuffix(line, []byte(" ."))
	if !ok || len(rest) == 0 || rest[0] != '<' {
		return "", "", nil, fmt.Errorf("malformed RDF line %q", line)
	}
	s, rest, ok1 := bytes.Cut(rest[1:], []byte("> <"))
	p, o, ok2 := bytes.Cut(rest, []byte("> "))
	if !ok1 || !ok2 {
		return "", "", nil, fmt.Errorf("malformed RDF line %q", line)
	}
	return string(s), string(p), o, nil
}

// rdfString decodes a string object of an RDF result, which Dgraph writes
// as a JSON string.
func rdfString(object []byte) (string, error) {
	if len(object) < 2 || object[0] != '"' || object[len(object)-1] != '"' {
		return "", fmt.Errorf("malformed RDF string %q", object)
	}
	if bytes.IndexByte(object, '\\') < 0 {
		return string(object[1 : len(object)-1]), nil
	}
	var s string
	if err := json.Unmarshal(object, &s); err != nil {
		return "", errors.Join(fmt.Errorf("malformed RDF string %q", object), err)
	}
	return s, nil
}
