package dgraphstore

import (
	"context"
	"fmt"

	"github.com/ripplestream/ripple/deps"
)

var _ deps.BatchPutter = (*Store)(nil)

// PutPages implements deps.BatchPutter: pages are stored in rounds of at
// most Config.MaxBatch distinct pages, each one transaction with one read
// and one upsert block. A page that occurs several times goes into
// successive rounds, in order, so the result is that of PutPage on each.
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
	out := make([]deps.PutResult, len(pages))
	for _, round := range rounds(normalized, s.cfg.MaxBatch) {
		batch := make([]deps.PageDeps, len(round))
		for j, i := range round {
			batch[j] = normalized[i]
		}
		res, err := s.putRound(ctx, batch, fmt.Sprintf("put %d pages", len(batch)))
		if err != nil {
			return nil, err
		}
		for j, i := range round {
			out[i] = res[j]
		}
	}
	return out, nil
}

// rounds splits the indexes of pages into rounds of at most max pages in
// which no page occurs twice; the k-th occurrence of a page comes in a
// later round than its (k-1)-th.
func rounds(pages []deps.PageDeps, max int) [][]int {
	var out [][]int
	next := map[pageName]int{} // the first round a page may still join
	for i, p := range pages {
		name := pageName{p.Wiki, p.Page.Title}
		r := next[name]
		for r < len(out) && len(out[r]) >= max {
			r++
		}
		if r == len(out) {
			out = append(out, nil)
		}
		out[r] = append(out[r], i)
		next[name] = r + 1
	}
	return out
}
