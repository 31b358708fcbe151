package dgraphstore

import (
	"sync"
	"time"

	"github.com/ripplestream/ripple/deps"
)

// maxStashes bounds the traversals whose read-ahead a store keeps.
const maxStashes = 16

// readAhead keeps the dependents a page-edge traversal read beyond the page
// it returned, under the cursor that resumes there, so that the next call
// of the traversal is answered without a query: a traversal in pages of
// 1,000 then costs a query per Config.ReadAhead dependents instead of one
// per page.
//
// What it answers was read at most ttl earlier, within the traversal, which
// deps.Store.Dependents allows: a dependent added or removed while a
// traversal runs may or may not be returned.
type readAhead struct {
	ttl time.Duration

	mu struct {
		sync.Mutex
		stashes []*stash // oldest first
	}
}

// stash is what one traversal read ahead.
type stash struct {
	edge   deps.EdgeKind
	target string      // the target's key
	after  deps.Cursor // the cursor that resumes before nodes
	nodes  []rdfRef    // the dependents after the cursor, in uid order
	more   bool        // whether dependents follow nodes
	read   time.Time
}

// take removes and returns the stash that resumes the traversal of the
// target of key through edge at cursor after, or nil.
func (r *readAhead) take(edge deps.EdgeKind, key string, after deps.Cursor, now time.Time) *stash {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, st := range r.mu.stashes {
		if st.edge == edge && st.target == key && st.after == after {
			r.mu.stashes = append(r.mu.stashes[:i], r.mu.stashes[i+1:]...)
			if now.Sub(st.read) > r.ttl {
				return nil
			}
			return st
		}
	}
	return nil
}

// put keeps st, dropping the oldest stash beyond maxStashes.
func (r *readAhead) put(st *stash) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.mu.stashes) == maxStashes {
		r.mu.stashes = r.mu.stashes[1:]
	}
	r.mu.stashes = append(r.mu.stashes, st)
}

// reset forgets every stash.
func (r *readAhead) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.mu.stashes = nil
}

// page splits the dependents known after st.after into the page of at most
// limit to return and the cursor after it, and keeps the rest for the next
// call. ok is false when st cannot fill the page: it holds fewer than limit
// dependents, and more follow.
func (r *readAhead) page(st *stash, limit int) (nodes []rdfRef, next deps.Cursor, ok bool) {
	switch {
	case len(st.nodes) < limit && st.more:
		return nil, "", false
	case len(st.nodes) <= limit && !st.more:
		return st.nodes, "", true
	}
	nodes = st.nodes[:limit]
	next = encodeCursor(nodes[limit-1].uid)
	if len(st.nodes) > limit {
		r.put(&stash{edge: st.edge, target: st.target, after: next, nodes: st.nodes[limit:], more: st.more, read: st.read})
	}
	return nodes, next, true
}
