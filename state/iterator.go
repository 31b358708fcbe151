package state

import (
	"bytes"
	"fmt"

	"github.com/cockroachdb/pebble/v2"
	"github.com/lovoo/goka/storage"
)

// Iterator returns an iterator over a consistent snapshot of all keys, in
// bytewise order, without the offset key. In recovery mode it first commits
// the pending batch so that the iterator sees every write made before it.
func (s *Store) Iterator() (storage.Iterator, error) {
	return s.newIterator(nil, nil)
}

// IteratorWithRange returns an iterator over [start, limit) with the
// semantics of goka's LevelDB storage, which this store matches: a nil start
// is unbounded, but an empty limit does not mean "to the end": it makes the
// range the keys that have start as a prefix. IteratorWithRange(nil, nil)
// iterates over everything. Use IteratorWithBounds for a range that is
// unbounded above.
func (s *Store) IteratorWithRange(start, limit []byte) (storage.Iterator, error) {
	if len(limit) == 0 {
		return s.newIterator(start, prefixLimit(start))
	}
	return s.newIterator(start, limit)
}

// IteratorWithBounds returns an iterator over [lower, upper) with the
// semantics of LevelDB's util.Range: a nil bound is unbounded on its side.
func (s *Store) IteratorWithBounds(lower, upper []byte) (storage.Iterator, error) {
	return s.newIterator(lower, upper)
}

// prefixLimit returns the smallest key greater than every key with the
// given prefix, or nil if there is none; as goleveldb's util.BytesPrefix.
func prefixLimit(prefix []byte) []byte {
	for i := len(prefix) - 1; i >= 0; i-- {
		if prefix[i] < 0xff {
			limit := make([]byte, i+1)
			copy(limit, prefix)
			limit[i]++
			return limit
		}
	}
	return nil
}

func (s *Store) newIterator(lower, upper []byte) (storage.Iterator, error) {
	if lower != nil && upper != nil && bytes.Compare(lower, upper) >= 0 {
		return &iterator{s: s}, nil // empty range; Pebble rejects such bounds
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	db, err := s.dbLocked()
	if err != nil {
		return nil, err
	}
	if err := s.commitBatchLocked(); err != nil {
		return nil, err
	}
	pit, err := db.NewIter(&pebble.IterOptions{
		LowerBound: encodeBound(lower),
		UpperBound: encodeBound(upper),
	})
	if err != nil {
		return nil, fmt.Errorf("state: new iterator on %s: %w", s.cfg.Dir, err)
	}
	it := &iterator{s: s, it: pit}
	s.mu.iters[it] = struct{}{}
	return it, nil
}

// iterator adapts a Pebble iterator to storage.Iterator. Like goka's
// iterators it is for one goroutine.
type iterator struct {
	s        *Store
	it       *pebble.Iterator // nil for an empty range
	started  bool
	valid    bool
	released bool
}

// Next moves to the next pair; the first call moves to the first pair.
func (i *iterator) Next() bool {
	if i.released || i.it == nil {
		return false
	}
	switch {
	case !i.started:
		i.started = true
		i.valid = i.it.First()
	case i.valid:
		i.valid = i.it.Next()
	}
	i.skipOffsetKey()
	return i.valid
}

// Seek moves to the first pair whose key is >= key (clamped to the
// iterator's range) and reports whether there is one. The pair is current at
// once: Key and Value return it, and Next moves past it.
func (i *iterator) Seek(key []byte) bool {
	if i.released || i.it == nil {
		return false
	}
	i.started = true
	i.valid = i.it.SeekGE(encodeKeyBytes(key))
	i.skipOffsetKey()
	return i.valid
}

// skipOffsetKey moves past the store's own keys (its changelog offset and
// InputsKey), which are not user state.
func (i *iterator) skipOffsetKey() {
	for i.valid && reserved(i.it.Key()) {
		i.valid = i.it.Next()
	}
}

// Key returns the current key, or nil if there is none. The slice is valid
// until the iterator moves.
func (i *iterator) Key() []byte {
	if !i.valid || i.released {
		return nil
	}
	return decodeKey(i.it.Key())
}

// Value returns the current value, or nil if there is none; an empty value
// is a non-nil empty slice. The slice is valid until the iterator moves.
func (i *iterator) Value() ([]byte, error) {
	if !i.valid || i.released {
		return nil, nil
	}
	v, err := i.it.ValueAndErr()
	if err != nil {
		return nil, fmt.Errorf("state: value of key %q: %w", decodeKey(i.it.Key()), err)
	}
	if v == nil {
		v = []byte{}
	}
	return v, nil
}

// Err returns the error that stopped the iteration, or ErrIteratorReleased
// after Release.
func (i *iterator) Err() error {
	if i.released {
		return ErrIteratorReleased
	}
	if i.it == nil {
		return nil
	}
	if err := i.it.Error(); err != nil {
		return fmt.Errorf("state: iterate %s: %w", i.s.cfg.Dir, err)
	}
	return nil
}

// Release frees the iterator; it is idempotent. Releasing the last open
// iterator completes a reopen that MarkRecovered deferred.
func (i *iterator) Release() {
	if i.it == nil {
		i.released = true
		return
	}
	s := i.s
	s.mu.Lock()
	defer s.mu.Unlock()
	i.releaseLocked()
	if s.mu.reopenPending && len(s.mu.iters) == 0 && !s.mu.closed && s.mu.err == nil {
		if err := s.reopenLocked(); err != nil {
			s.log.Error("state: deferred reopen after recovery failed", "err", err)
		}
	}
}

func (i *iterator) releaseLocked() {
	if i.released {
		return
	}
	i.released, i.valid = true, false
	if err := i.it.Close(); err != nil {
		i.s.log.Warn("state: closing iterator", "err", err)
	}
	delete(i.s.mu.iters, i)
}
