package changeprop

import (
	"context"
	"errors"
	"log/slog"
	"sync"

	"github.com/ripplestream/ripple/deps"
)

// maxBuffered is the most dependency sets a partition keeps before it
// writes them: two of the Dgraph store's default transactions
// (dgraphstore.DefaultMaxBatch), a fraction of a second of its batched
// rate.
const maxBuffered = 1000

// depBuffer keeps the dependency sets of each partition until they are
// written to the store with one deps.PutPages: on Dgraph one transaction
// per event caps the job at the rate of round trips, and a batch of them
// costs about as much as one. A partition's sets are written before any
// of its handlers reads the graph, before its records are committed (the
// job's processor.FlushFunc) and when maxBuffered are waiting; a failed
// write keeps them for the next try.
//
// Each set is validated before it is kept (deps.PageDeps.Normalize, the
// check every store makes), so a bad one goes to the error topic with its
// event; should the store still refuse the batch as invalid, its sets are
// written one by one and a refused one is logged and dropped.
type depBuffer struct {
	store deps.Store

	mu struct {
		sync.Mutex
		parts map[int32][]buffered
	}
}

// buffered is a dependency set waiting to be written, with the logger of
// its event.
type buffered struct {
	page deps.PageDeps
	log  *slog.Logger
}

// newDepBuffer returns the buffer of the sets to write to store, or nil
// for a store without batch writes (deps.BatchPutter): its batch would be
// one write after another, so the handlers write each set themselves, and
// a failed write goes to the retry topic with its event.
func newDepBuffer(store deps.Store) *depBuffer {
	if _, ok := store.(deps.BatchPutter); !ok {
		return nil
	}
	b := &depBuffer{store: store}
	b.mu.parts = map[int32][]buffered{}
	return b
}

// add keeps page for partition p, writing what p keeps first when it is
// full (so that a failed write leaves page to the handler's retry, not
// kept twice).
func (b *depBuffer) add(ctx context.Context, p int32, page deps.PageDeps, log *slog.Logger) error {
	if _, err := page.Normalize(deps.DefaultCollapseLimits()); err != nil {
		return err
	}
	b.mu.Lock()
	full := len(b.mu.parts[p]) >= maxBuffered
	b.mu.Unlock()
	if full {
		if err := b.flush(ctx, p); err != nil {
			return err
		}
	}
	b.mu.Lock()
	b.mu.parts[p] = append(b.mu.parts[p], buffered{page: page, log: log})
	b.mu.Unlock()
	return nil
}

// flush writes the sets partition p keeps, in the order they came. A nil
// buffer keeps nothing.
func (b *depBuffer) flush(ctx context.Context, p int32) error {
	if b == nil {
		return nil
	}
	b.mu.Lock()
	sets := b.mu.parts[p]
	b.mu.Unlock()
	if len(sets) == 0 {
		return nil
	}
	pages := make([]deps.PageDeps, len(sets))
	for i, s := range sets {
		pages[i] = s.page
	}
	_, err := deps.PutPages(ctx, b.store, pages)
	if errors.Is(err, deps.ErrInvalid) {
		err = b.putEach(ctx, p, sets)
	}
	if err != nil {
		return classify(err)
	}
	b.written(p, len(sets))
	return nil
}

// putEach writes sets one by one, dropping (and logging) those the store
// refuses as invalid.
func (b *depBuffer) putEach(ctx context.Context, p int32, sets []buffered) error {
	for i, s := range sets {
		_, err := b.store.PutPage(ctx, s.page)
		if errors.Is(err, deps.ErrInvalid) {
			s.log.Error("the store refused a dependency set that passed validation; dropped", "err", err)
		} else if err != nil {
			b.written(p, i)
			return err
		}
	}
	return nil
}

// drop forgets what partition p keeps, when p stops on this process
// (processor.Job.Release): its records not committed are handled again by
// its next owner, and a set kept here, written should p come back, could
// undo that owner's newer write (a page deleted there, say).
func (b *depBuffer) drop(p int32) {
	b.mu.Lock()
	n := len(b.mu.parts[p])
	delete(b.mu.parts, p)
	b.mu.Unlock()
	if n > 0 {
		slog.Warn("a stopped partition's dependency sets were not written; its next owner handles their events again",
			"partition", p, "sets", n)
	}
}

// written forgets the first n sets of partition p.
func (b *depBuffer) written(p int32, n int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	rest := b.mu.parts[p][n:]
	if len(rest) == 0 {
		delete(b.mu.parts, p)
		return
	}
	b.mu.parts[p] = rest
}
