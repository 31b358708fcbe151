package dgraphstore

import (
	"context"
	"fmt"

	"github.com/ripplestream/ripple/deps"
)

var _ deps.BatchPutter = (*Store)(nil)

// PutPages implements deps.BatchPutter: pages are stored in chunks of at
// most Config.MaxBatch (and about maxChunkEdges edges), each one transaction with one read of the stored
// pages, one lookup of the targets the uid cache does not know, and one
// mutation. Within a chunk the pages are applied in order in memory, so a
// page that occurs several times gets the result of PutPage on each, and
// the mutation writes its last state.
func (s *Store) PutPages(ctx context.Context, pages []deps.PageDeps) ([]deps.PutResult, error) {
	normalized := make([]deps.PageDeps, len(pages))
	for i, p := range pages {
		n, err := p.Normalize(s.cfg.Collapse)
		if err != nil {
			return nil, fmt.Errorf("page %d of %d: %w", i+1, len(pages), err)
		}
		normalized[i] = n
	}
	release, err := s.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	return s.putNormalized(ctx, normalized)
}

// putNormalized stores normalized pages in chunks (see PutPages).
func (s *Store) putNormalized(ctx context.Context, pages []deps.PageDeps) ([]deps.PutResult, error) {
	out := make([]deps.PutResult, 0, len(pages))
	for from := 0; from < len(pages); {
		to := chunkEnd(pages, from, s.cfg.MaxBatch)
		res, err := s.putChunk(ctx, pages[from:to], chunkOp(pages, from, to))
		if err != nil {
			return nil, err
		}
		out = append(out, res...)
		from = to
	}
	return out, nil
}

// chunkOp names the chunk of pages from to to in errors.
func chunkOp(pages []deps.PageDeps, from, to int) string {
	if len(pages) == 1 {
		p := pages[0]
		return fmt.Sprintf("put %s:%s rev %d", p.Wiki, p.Page.Title, p.RevID)
	}
	return fmt.Sprintf("put pages %d to %d of %d", from+1, to, len(pages))
}

// maxChunkEdges bounds the edges of the pages of one transaction, so that
// its read of their stored edges stays a few megabytes.
const maxChunkEdges = 100_000

// chunkEnd returns the end of the chunk of pages that starts at from: at
// most max pages, and no more than maxChunkEdges edges unless the first
// page alone has more.
func chunkEnd(pages []deps.PageDeps, from, max int) int {
	edges := 0
	for to := from; to < len(pages) && to-from < max; to++ {
		p := pages[to]
		edges += len(p.Templates) + len(p.Links) + len(p.Files) + len(p.Entities)
		if edges > maxChunkEdges && to > from {
			return to
		}
	}
	return min(from+max, len(pages))
}
