package pebblestore

import (
	"bytes"
	"context"
	"fmt"
	"slices"

	"github.com/cockroachdb/pebble/v2"

	"github.com/ripplestream/ripple/deps"
)

// PutPage implements deps.Store.
func (s *Store) PutPage(ctx context.Context, p deps.PageDeps) (deps.PutResult, error) {
	next, err := p.Normalize(s.cfg.Collapse)
	if err != nil {
		return deps.PutResult{}, err
	}
	db, release, err := s.acquire(ctx)
	if err != nil {
		return deps.PutResult{}, err
	}
	defer release()
	defer s.lockPage(next.Wiki, next.Page.Title)()

	prev, found, err := readPage(db, next.Wiki, next.Page.Title)
	if err != nil {
		return deps.PutResult{}, err
	}
	if found && prev.RevID >= next.RevID {
		return deps.PutResult{PrevRevID: prev.RevID}, nil
	}
	next = deps.CarryDigest(prev, found, next)
	b := db.NewBatch()
	defer b.Close()
	if err := b.Set(forwardKey(next.Wiki, next.Page.Title), encodePage(next), nil); err != nil {
		return deps.PutResult{}, err
	}
	var old []entry
	if found {
		old = reverseEntries(prev)
	}
	if err := writeReverseDiff(b, old, reverseEntries(next)); err != nil {
		return deps.PutResult{}, err
	}
	if err := b.Commit(s.writeOptions()); err != nil {
		return deps.PutResult{}, fmt.Errorf("pebblestore: put %s:%s rev %d: %w", next.Wiki, next.Page.Title, next.RevID, err)
	}
	added, removed := deps.Diff(prev, next)
	return deps.PutResult{Applied: true, PrevRevID: prev.RevID, Added: added, Removed: removed}, nil
}

// DeletePage implements deps.Store.
func (s *Store) DeletePage(ctx context.Context, wiki, title string) (deps.PutResult, error) {
	title, err := checkPage(wiki, title)
	if err != nil {
		return deps.PutResult{}, err
	}
	db, release, err := s.acquire(ctx)
	if err != nil {
		return deps.PutResult{}, err
	}
	defer release()
	defer s.lockPage(wiki, title)()

	prev, found, err := readPage(db, wiki, title)
	if err != nil || !found {
		return deps.PutResult{}, err
	}
	b := db.NewBatch()
	defer b.Close()
	if err := b.Delete(forwardKey(wiki, title), nil); err != nil {
		return deps.PutResult{}, err
	}
	if err := writeReverseDiff(b, reverseEntries(prev), nil); err != nil {
		return deps.PutResult{}, err
	}
	if err := b.Commit(s.writeOptions()); err != nil {
		return deps.PutResult{}, fmt.Errorf("pebblestore: delete %s:%s: %w", wiki, title, err)
	}
	return deps.PutResult{Applied: true, PrevRevID: prev.RevID, Removed: prev.Edges()}, nil
}

// entry is one reverse-index key and its value.
type entry struct{ key, value []byte }

// reverseEntries returns the reverse-index entries of a normalized page,
// sorted by key.
func reverseEntries(p deps.PageDeps) []entry {
	edges := p.Edges()
	out := make([]entry, 0, len(edges))
	for _, e := range edges {
		entity := e.Kind == deps.UsesEntity
		out = append(out, entry{
			key:   reverseKey(e.Kind, p.Wiki, p.Page.Title, e.Target),
			value: encodeReverse(nil, p.Page, e.Aspects, entity, e.Scope),
		})
	}
	slices.SortFunc(out, func(a, b entry) int { return bytes.Compare(a.key, b.key) })
	return out
}

// writeReverseDiff adds to b what turns the sorted entries old into next:
// deletes for keys only in old, sets for keys new or with a changed value.
func writeReverseDiff(b *pebble.Batch, old, next []entry) error {
	i, j := 0, 0
	for i < len(old) || j < len(next) {
		c := 1
		switch {
		case i == len(old):
		case j == len(next):
			c = -1
		default:
			c = bytes.Compare(old[i].key, next[j].key)
		}
		var err error
		switch {
		case c < 0:
			err = b.Delete(old[i].key, nil)
			i++
		case c > 0:
			err = b.Set(next[j].key, next[j].value, nil)
			j++
		default:
			if !bytes.Equal(old[i].value, next[j].value) {
				err = b.Set(next[j].key, next[j].value, nil)
			}
			i, j = i+1, j+1
		}
		if err != nil {
			return err
		}
	}
	return nil
}
