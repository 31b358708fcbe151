package state

import (
	"fmt"
	"strconv"

	"github.com/cockroachdb/pebble/v2"
	"github.com/lovoo/goka/storage"
)

// OffsetWriter is the optional capability of a storage.Storage to write a
// key and the changelog offset that produced it in one atomic batch. *Store
// implements it; find it with a type assertion.
type OffsetWriter interface {
	// SetWithOffset stores value under key and offset as the storage's
	// offset, both or neither.
	SetWithOffset(key string, value []byte, offset int64) error
	// DeleteWithOffset deletes key and stores offset, both or neither.
	DeleteWithOffset(key string, offset int64) error
}

var _ OffsetWriter = (*Store)(nil)

// SetWithOffset writes key and offset to s atomically if s is an
// OffsetWriter, and otherwise with Set then SetOffset, the order in which
// goka's recovery writes them: a crash between the two leaves data ahead of
// the offset, which replay repairs, never the reverse.
func SetWithOffset(s storage.Storage, key string, value []byte, offset int64) error {
	if w, ok := s.(OffsetWriter); ok {
		return w.SetWithOffset(key, value, offset)
	}
	if err := s.Set(key, value); err != nil {
		return err
	}
	return s.SetOffset(offset)
}

// write is one mutation: a key (set or delete), an offset, or both.
type write struct {
	key       string
	value     []byte
	hasKey    bool
	del       bool
	offset    int64
	hasOffset bool
}

// Set stores value under key. A nil value is stored as an empty value, as
// goka's LevelDB storage does.
func (s *Store) Set(key string, value []byte) error {
	return s.apply(write{key: key, value: value, hasKey: true})
}

// Delete removes key; deleting a missing key is not an error.
func (s *Store) Delete(key string) error {
	return s.apply(write{key: key, hasKey: true, del: true})
}

// SetOffset stores the changelog offset up to which the state is complete.
// In recovery mode it joins the pending batch, after the writes it covers.
func (s *Store) SetOffset(offset int64) error {
	return s.apply(write{offset: offset, hasOffset: true})
}

// SetWithOffset stores value under key and offset in one atomic batch.
func (s *Store) SetWithOffset(key string, value []byte, offset int64) error {
	return s.apply(write{key: key, value: value, hasKey: true, offset: offset, hasOffset: true})
}

// DeleteWithOffset deletes key and stores offset in one atomic batch.
func (s *Store) DeleteWithOffset(key string, offset int64) error {
	return s.apply(write{key: key, hasKey: true, del: true, offset: offset, hasOffset: true})
}

// apply routes w to the database in normal mode (shared lock: Pebble is safe
// for concurrent writers) or to the recovery batch (exclusive lock).
func (s *Store) apply(w write) error {
	s.mu.RLock()
	if !s.mu.recovering {
		defer s.mu.RUnlock()
		db, err := s.writableDBLocked()
		if err != nil {
			return err
		}
		return s.applyToDBLocked(db, w)
	}
	s.mu.RUnlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	db, err := s.writableDBLocked()
	if err != nil {
		return err
	}
	if !s.mu.recovering {
		return s.applyToDBLocked(db, w)
	}
	return s.applyToBatchLocked(db, w)
}

// writeOptionsLocked returns how a write is committed: synced only with
// Config.Sync and a WAL.
func (s *Store) writeOptionsLocked() *pebble.WriteOptions {
	if s.cfg.Sync && s.mu.wal {
		return pebble.Sync
	}
	return pebble.NoSync
}

// commitWithOffsetLocked writes offset into b and commits it, holding the
// offset lock across the commit so that concurrent writers store and
// publish offsets in the same order.
func (s *Store) commitWithOffsetLocked(b *pebble.Batch, offset int64) error {
	s.offset.Lock()
	defer s.offset.Unlock()
	if err := (write{offset: offset, hasOffset: true}).applyTo(b, nil); err != nil {
		return err
	}
	if err := b.Commit(s.writeOptionsLocked()); err != nil {
		return fmt.Errorf("state: commit %d writes with offset %d in %s: %w", b.Count()-1, offset, s.cfg.Dir, err)
	}
	s.offset.value, s.offset.known = offset, true
	return nil
}

func (s *Store) applyToDBLocked(db *pebble.DB, w write) error {
	wo := s.writeOptionsLocked()
	if !w.hasOffset {
		return w.applyTo(db, wo)
	}
	b := db.NewBatch()
	defer b.Close()
	if err := w.keyOnly().applyTo(b, nil); err != nil {
		return err
	}
	return s.commitWithOffsetLocked(b, w.offset)
}

// applyToBatchLocked adds w's key write to the recovery batch and records
// its offset as pending: only the last offset of a batch matters, so it is
// written once, when the batch commits, instead of once per message.
func (s *Store) applyToBatchLocked(db *pebble.DB, w write) error {
	if w.hasKey {
		if s.mu.batch == nil {
			s.mu.batch = db.NewBatch()
		}
		if err := w.keyOnly().applyTo(s.mu.batch, nil); err != nil {
			return err
		}
	}
	if w.hasOffset {
		s.mu.pendingOffset, s.mu.offsetPending = w.offset, true
		s.offset.Lock()
		s.offset.value, s.offset.known = w.offset, true
		s.offset.Unlock()
	}
	if s.mu.batch != nil && s.mu.batch.Len() >= s.cfg.RecoveryBatchBytes {
		return s.commitBatchLocked()
	}
	return nil
}

// commitBatchLocked commits the pending recovery writes, if any, with the
// pending offset written last into the same batch: a crash keeps the data
// and the offset that covers it, or neither. A failed commit leaves a
// sticky error.
func (s *Store) commitBatchLocked() error {
	b := s.mu.batch
	if b == nil && !s.mu.offsetPending {
		return nil
	}
	if err := s.diskFull("write"); err != nil {
		return err
	}
	if b == nil {
		b = s.mu.db.NewBatch()
	}
	s.mu.batch = nil
	defer b.Close()
	if s.mu.offsetPending {
		s.mu.offsetPending = false
		if err := (write{offset: s.mu.pendingOffset, hasOffset: true}).applyTo(b, nil); err != nil {
			return err
		}
	}
	// NoSync: recovery may run without a WAL, where Sync is an error, and a
	// lost recovery batch is replayed from the changelog.
	if err := b.Commit(pebble.NoSync); err != nil {
		s.mu.err = fmt.Errorf("state: commit recovery batch of %d writes in %s: %w", b.Count(), s.cfg.Dir, err)
		return s.mu.err
	}
	return nil
}

// keyOnly returns w without its offset.
func (w write) keyOnly() write {
	w.hasOffset = false
	return w
}

// applyTo writes w to dst, a database or a batch.
func (w write) applyTo(dst pebble.Writer, wo *pebble.WriteOptions) error {
	if w.hasKey {
		var err error
		if w.del {
			err = dst.Delete(encodeKey(w.key), wo)
		} else {
			err = dst.Set(encodeKey(w.key), w.value, wo)
		}
		if err != nil {
			return fmt.Errorf("state: write key %q: %w", w.key, err)
		}
	}
	if w.hasOffset {
		var buf [20]byte
		if err := dst.Set(keyBytes(offsetKey), strconv.AppendInt(buf[:0], w.offset, 10), wo); err != nil {
			return fmt.Errorf("state: write offset %d: %w", w.offset, err)
		}
	}
	return nil
}

// Mutation is one key written by Write: set to Value, or deleted.
type Mutation struct {
	Key    string
	Value  []byte
	Delete bool
}

// BatchWriter is implemented by stores that apply many mutations and the
// changelog offset they reach at once.
type BatchWriter interface {
	WriteBatch(muts []Mutation, offset int64) error
}

// Write applies muts to s and then, if offset >= 0, stores offset: in one
// atomic batch if s is a BatchWriter, and otherwise one by one, the offset
// last.
func Write(s storage.Storage, muts []Mutation, offset int64) error {
	if w, ok := s.(BatchWriter); ok {
		return w.WriteBatch(muts, offset)
	}
	for _, m := range muts {
		var err error
		if m.Delete {
			err = s.Delete(m.Key)
		} else {
			err = s.Set(m.Key, m.Value)
		}
		if err != nil {
			return err
		}
	}
	if offset >= 0 {
		return s.SetOffset(offset)
	}
	return nil
}

var _ BatchWriter = (*Store)(nil)

// WriteBatch applies muts and, if offset >= 0, the offset in one atomic
// Pebble batch (in recovery mode, to the pending recovery batch).
func (s *Store) WriteBatch(muts []Mutation, offset int64) error {
	if len(muts) == 0 && offset < 0 {
		return nil
	}
	s.mu.RLock()
	if s.mu.recovering {
		s.mu.RUnlock()
		return s.writeRecoveryBatch(muts, offset)
	}
	defer s.mu.RUnlock()
	db, err := s.writableDBLocked()
	if err != nil {
		return err
	}
	b := db.NewBatch()
	defer b.Close()
	for _, m := range muts {
		if err := (write{key: m.Key, value: m.Value, hasKey: true, del: m.Delete}).applyTo(b, nil); err != nil {
			return err
		}
	}
	if offset >= 0 {
		return s.commitWithOffsetLocked(b, offset)
	}
	if err := b.Commit(s.writeOptionsLocked()); err != nil {
		return fmt.Errorf("state: commit batch of %d writes in %s: %w", len(muts), s.cfg.Dir, err)
	}
	return nil
}

// writeRecoveryBatch adds muts and offset to the recovery batch under one
// lock (or, if recovery ended meanwhile, writes them normally).
func (s *Store) writeRecoveryBatch(muts []Mutation, offset int64) error {
	s.mu.Lock()
	if !s.mu.recovering {
		s.mu.Unlock()
		return s.WriteBatch(muts, offset)
	}
	defer s.mu.Unlock()
	db, err := s.writableDBLocked()
	if err != nil {
		return err
	}
	for i, m := range muts {
		w := write{key: m.Key, value: m.Value, hasKey: true, del: m.Delete}
		if i == len(muts)-1 && offset >= 0 {
			w.offset, w.hasOffset = offset, true
		}
		if err := s.applyToBatchLocked(db, w); err != nil {
			return err
		}
	}
	if len(muts) == 0 && offset >= 0 {
		return s.applyToBatchLocked(db, write{offset: offset, hasOffset: true})
	}
	return nil
}
