package dgraphstore

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/ripplestream/ripple/deps"
)

// group merges concurrent PutPage calls into one transaction (group
// commit). A Dgraph transaction costs the same few milliseconds of round
// trips and Raft proposals whether it writes one page or a hundred, so
// callers that each write one page, such as the partitions of the
// changeprop job, would otherwise be bounded by that latency together.
//
// A call queues its page. If no call is committing, it leads: it commits
// the queue, its own page first, up to max pages, in one transaction, then
// hands the lead to the first call still queued. A lone call thus commits
// at once, and calls that arrive during a commit share the next one.
type group struct {
	mu      sync.Mutex
	queue   []*groupPut
	leading bool // a call is committing
}

// groupPut is one queued call.
type groupPut struct {
	page deps.PageDeps
	res  deps.PutResult
	err  error
	done chan struct{} // closed when res and err are set
	lead chan struct{} // closed, under group.mu, when the call is to lead
}

// commitFunc stores pages in one transaction and returns the result of each.
type commitFunc func(ctx context.Context, pages []deps.PageDeps) ([]deps.PutResult, error)

// put stores page through the group: at most max pages go in one call of
// commit. A call that gives up (ctx done) before its page is taken leaves
// the queue; once taken, it waits for the commit, whose result it returns.
func (g *group) put(ctx context.Context, page deps.PageDeps, max int, commit commitFunc) (deps.PutResult, error) {
	w := &groupPut{page: page, done: make(chan struct{}), lead: make(chan struct{})}
	g.mu.Lock()
	g.queue = append(g.queue, w)
	if !g.leading {
		g.leading = true
		close(w.lead)
	}
	g.mu.Unlock()
	select {
	case <-w.done:
	case <-w.lead:
		g.commit(ctx, max, commit)
	case <-ctx.Done():
		g.mu.Lock()
		i := slices.Index(g.queue, w)
		if i < 0 { // taken: the commit is under way
			g.mu.Unlock()
			<-w.done
			return w.res, w.err
		}
		g.queue = slices.Delete(g.queue, i, i+1)
		if isClosed(w.lead) {
			g.handOver()
		}
		g.mu.Unlock()
		return deps.PutResult{}, ctx.Err()
	}
	<-w.done
	return w.res, w.err
}

// commit takes up to max queued pages, the leader's first, commits them
// with the leader's ctx and hands the lead over.
func (g *group) commit(ctx context.Context, max int, commit commitFunc) {
	g.mu.Lock()
	n := min(len(g.queue), max)
	batch := slices.Clone(g.queue[:n])
	g.queue = slices.Delete(g.queue, 0, n)
	g.mu.Unlock()
	pages := make([]deps.PageDeps, len(batch))
	for i, w := range batch {
		pages[i] = w.page
	}
	res, err := commit(ctx, pages)
	// One page may be the cause (a stored value that does not decode):
	// then each goes alone, so that the others do not share its fate.
	split := err != nil && len(batch) > 1 && ctx.Err() == nil
	for i, w := range batch {
		r, err, j := res, err, i
		if split {
			r, err = commit(ctx, []deps.PageDeps{w.page})
			j = 0
		}
		switch {
		case err == nil:
			w.res = r[j]
		case i > 0 && ctx.Err() != nil:
			// The leader (batch[0]) gave up; the others did not, and may
			// try again.
			w.err = fmt.Errorf("%w: the call that wrote this page with others gave up: %v", deps.ErrUnavailable, err)
		default:
			w.err = err
		}
		close(w.done)
	}
	g.mu.Lock()
	g.handOver()
	g.mu.Unlock()
}

// handOver makes the first queued call lead, or ends the lead if none is
// queued. The caller holds g.mu.
func (g *group) handOver() {
	if len(g.queue) == 0 {
		g.leading = false
		return
	}
	close(g.queue[0].lead)
}

func isClosed(c chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}
