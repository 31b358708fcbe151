package pebblestore

import (
	"context"
	"fmt"
	"slices"

	"github.com/ripplestream/ripple/deps"
)

var _ deps.BatchPutter = (*Store)(nil)

// maxBatch is the most pages PutPages writes in one Pebble batch, which
// bounds the batch's memory (about 5 KB a page of 80 edges).
const maxBatch = 2000

// PutPages implements deps.BatchPutter: the pages are applied in order in
// memory and written in one Pebble batch per maxBatch pages, with one
// commit (one fsync with Config.Sync) each.
func (s *Store) PutPages(ctx context.Context, pages []deps.PageDeps) ([]deps.PutResult, error) {
	normalized := make([]deps.PageDeps, len(pages))
	for i, p := range pages {
		n, err := p.Normalize(s.cfg.Collapse)
		if err != nil {
			return nil, fmt.Errorf("page %d of %d: %w", i+1, len(pages), err)
		}
		normalized[i] = n
	}
	out := make([]deps.PutResult, 0, len(pages))
	for from := 0; from < len(normalized); from += maxBatch {
		res, err := s.putBatch(ctx, normalized[from:min(from+maxBatch, len(normalized))])
		if err != nil {
			return nil, err
		}
		out = append(out, res...)
	}
	return out, nil
}

// putBatch stores normalized pages in one batch, under the locks of all
// their stripes.
func (s *Store) putBatch(ctx context.Context, pages []deps.PageDeps) ([]deps.PutResult, error) {
	db, release, err := s.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	defer s.lockStripes(pages)()

	type state struct {
		before deps.PageDeps // stored before the batch
		found  bool
		after  *deps.PageDeps // last applied page of the batch
	}
	states := map[[2]string]*state{}
	var order []*state // in order of first occurrence, for a deterministic batch
	res := make([]deps.PutResult, len(pages))
	for i := range pages {
		next := &pages[i]
		k := [2]string{next.Wiki, next.Page.Title}
		st := states[k]
		if st == nil {
			st = &state{}
			if st.before, st.found, err = readPage(db, next.Wiki, next.Page.Title); err != nil {
				return nil, err
			}
			states[k] = st
			order = append(order, st)
		}
		cur, found := st.before, st.found
		if st.after != nil {
			cur, found = *st.after, true
		}
		if found && cur.RevID >= next.RevID {
			res[i] = deps.PutResult{PrevRevID: cur.RevID}
			continue
		}
		added, removed := deps.Diff(cur, *next)
		res[i] = deps.PutResult{Applied: true, PrevRevID: cur.RevID, Added: added, Removed: removed}
		carried := deps.CarryDigest(cur, found, *next)
		st.after = &carried
	}
	b := db.NewBatch()
	defer b.Close()
	for _, st := range order {
		if st.after == nil {
			continue
		}
		next := *st.after
		if err := b.Set(forwardKey(next.Wiki, next.Page.Title), encodePage(next), nil); err != nil {
			return nil, err
		}
		var old []entry
		if st.found {
			old = reverseEntries(st.before)
		}
		if err := writeReverseDiff(b, old, reverseEntries(next)); err != nil {
			return nil, err
		}
	}
	if b.Empty() {
		return res, nil
	}
	if err := b.Commit(s.writeOptions()); err != nil {
		return nil, fmt.Errorf("pebblestore: put %d pages: %w", len(pages), err)
	}
	return res, nil
}

// lockStripes locks the stripes of every page, in stripe order so that
// two batches cannot deadlock, and returns the unlock.
func (s *Store) lockStripes(pages []deps.PageDeps) func() {
	var stripes []int
	for _, p := range pages {
		stripes = append(stripes, s.stripe(p.Wiki, p.Page.Title))
	}
	slices.Sort(stripes)
	stripes = slices.Compact(stripes)
	for _, i := range stripes {
		s.locks[i].Lock()
	}
	return func() {
		for _, i := range stripes {
			s.locks[i].Unlock()
		}
	}
}
