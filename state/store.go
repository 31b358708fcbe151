package state

import (
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/lovoo/goka/storage"
)

// offsetKey is the key under which a store keeps its changelog offset, as a
// decimal string. It is the key goka's LevelDB storage uses; iterators never
// return it, and a user key with this name would be overwritten.
const offsetKey = "__offset"

// Sentinel errors. Errors returned by a Store wrap them with the directory
// and, for reads and writes, the key.
var (
	// ErrClosed is returned by every operation on a closed Store.
	ErrClosed = errors.New("state: closed")
	// ErrNotOpen is returned by operations on a Store before Open.
	ErrNotOpen = errors.New("state: not open")
	// ErrIteratorReleased is returned by Iterator.Err after Release, as
	// goka's LevelDB iterator does.
	ErrIteratorReleased = errors.New("state: iterator released")
)

// Store is a goka storage.Storage backed by one Pebble database.
//
// A Store starts in recovery mode: Set, Delete and SetOffset are buffered in
// a batch that is committed in one piece when it grows past
// Config.RecoveryBatchBytes, so the stored offset never runs ahead of the
// data it covers, and by default the database runs without a WAL and with a
// larger memtable. MarkRecovered commits, flushes and reopens the database in
// normal mode, where every write is applied at once.
//
// A Store is safe for concurrent readers with one writer, as goka requires;
// SetOffset may also be called concurrently with the writer, as goka's
// processor does from its producer callbacks.
type Store struct {
	cfg   Config // its FS is disk wrapped by watchDisk
	log   *slog.Logger
	cache *sharedCache
	disk  vfs.FS      // Config.FS as given: the ballast lives there
	full  atomic.Bool // the disk filled: writes fail (see diskfull.go)

	mu struct {
		sync.RWMutex
		db     *pebble.DB
		cache  *pebble.Cache // acquired from cache between Open and Close
		closed bool
		// err is a sticky error: after a failed commit or reopen the store
		// only closes.
		err error
		// recovering is true from Open until MarkRecovered.
		recovering bool
		// recoveryOptions is true while db runs with recovery options.
		recoveryOptions bool
		// reopenPending is set when MarkRecovered found open iterators; the
		// last Release reopens the database in normal mode.
		reopenPending bool
		// wal is whether db writes a WAL; Sync writes need it.
		wal bool
		// batch holds recovery writes not yet committed, and pendingOffset
		// the offset to write with them. Reads commit the batch first.
		batch         *pebble.Batch
		pendingOffset int64
		offsetPending bool
		iters         map[*iterator]struct{}
	}

	offset struct {
		sync.Mutex
		value int64
		known bool
	}
}

var _ storage.Storage = (*Store)(nil)

// New returns an unopened Store for cfg.Dir; call Open before use. The store
// has a block cache of its own; stores made by a Builder share one.
func New(cfg Config) (*Store, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.WithDefaults()
	return newStore(cfg, newSharedCache(cfg.BlockCacheBytes)), nil
}

func newStore(cfg Config, cache *sharedCache) *Store {
	s := &Store{cfg: cfg, log: cfg.Logger.With("dir", cfg.Dir), cache: cache, disk: cfg.FS}
	s.cfg.FS = s.watchDisk(cfg.FS)
	s.mu.iters = make(map[*iterator]struct{})
	return s
}

// Open opens the database in recovery mode and loads the stored offset. It
// is a no-op on an open Store and fails with ErrClosed after Close.
func (s *Store) Open() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.mu.closed:
		return fmt.Errorf("%w: open %s", ErrClosed, s.cfg.Dir)
	case s.mu.db != nil:
		return nil
	}
	// A store closed on a full disk opens again once space is back.
	s.full.Store(false)
	if err := s.layBallast(); err != nil {
		return err
	}
	s.mu.cache = s.cache.acquire()
	if err := s.openLocked(); err != nil {
		s.cache.release()
		s.mu.cache = nil
		return err
	}
	off, known := s.loadOffset()
	s.log.Debug("state opened", "offset", off, "offset_known", known)
	return nil
}

// openLocked opens the database with recovery options and reads its offset.
func (s *Store) openLocked() error {
	recovery := s.cfg.recoveryDiffers()
	db, err := pebble.Open(s.cfg.Dir, s.cfg.pebbleOptions(recovery, s.mu.cache))
	if err != nil {
		return fmt.Errorf("state: open %s: %w", s.cfg.Dir, err)
	}
	// Opening without a WAL loses nothing an earlier run left in its WAL:
	// Pebble flushes replayed memtables before Open returns
	// (TestCrashConsistency crashes right after such an open).
	wal := !recovery || s.cfg.RecoveryWAL
	off, known, err := readOffset(db)
	if err != nil {
		return errors.Join(fmt.Errorf("state: open %s: %w", s.cfg.Dir, err), db.Close())
	}
	s.mu.db, s.mu.wal = db, wal
	s.mu.recovering, s.mu.recoveryOptions = true, recovery
	s.offset.Lock()
	s.offset.value, s.offset.known = off, known
	s.offset.Unlock()
	return nil
}

// loadOffset returns the in-memory offset and whether one is known.
func (s *Store) loadOffset() (int64, bool) {
	s.offset.Lock()
	defer s.offset.Unlock()
	return s.offset.value, s.offset.known
}

func readOffset(r pebble.Reader) (int64, bool, error) {
	v, closer, err := r.Get(keyBytes(offsetKey))
	if errors.Is(err, pebble.ErrNotFound) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("read offset: %w", err)
	}
	defer closer.Close()
	off, err := strconv.ParseInt(string(v), 10, 64)
	if err != nil {
		return 0, false, fmt.Errorf("decode offset %q: %w", v, err)
	}
	return off, true, nil
}

// Close commits pending recovery writes, flushes if the database runs
// without a WAL, and closes it. Open iterators are released; using one
// concurrently with Close is a data race. Close is idempotent.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.mu.closed {
		return nil
	}
	s.mu.closed = true
	for it := range s.mu.iters {
		it.releaseLocked()
	}
	var errs []error
	if db := s.mu.db; db != nil {
		// On a full disk, pending recovery writes are dropped (the
		// changelog replays them) and nothing is flushed: a flush could
		// wait for space for ever.
		if s.full.Load() {
			if s.mu.batch != nil {
				errs = append(errs, s.mu.batch.Close())
				s.mu.batch, s.mu.offsetPending = nil, false
			}
		} else {
			errs = append(errs, s.commitBatchLocked())
			if !s.mu.wal {
				errs = append(errs, db.Flush())
			}
		}
		errs = append(errs, db.Close())
		s.mu.db = nil
	}
	if s.mu.cache != nil {
		s.cache.release()
		s.mu.cache = nil
	}
	if err := errors.Join(errs...); err != nil {
		return errors.Join(s.diskFull("close"), fmt.Errorf("state: close %s: %w", s.cfg.Dir, err))
	}
	if err := s.diskFull("close"); err != nil {
		return err
	}
	s.log.Debug("state closed")
	return nil
}

// MarkRecovered ends recovery mode: it commits the pending batch, flushes
// the memtable, and reopens the database with normal options (with a WAL
// and the normal memtable size). If iterators are open, the reopen waits for
// the last one to be released; until then writes are applied at once but
// without a WAL. MarkRecovered is idempotent.
func (s *Store) MarkRecovered() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	db, err := s.writableDBLocked()
	if err != nil || !s.mu.recovering {
		return err
	}
	if err := s.commitBatchLocked(); err != nil {
		return err
	}
	if err := db.Flush(); err != nil {
		return fmt.Errorf("state: mark recovered %s: flush: %w", s.cfg.Dir, err)
	}
	s.mu.recovering = false
	off, _ := s.loadOffset()
	s.log.Debug("state recovered", "offset", off, "open_iterators", len(s.mu.iters))
	if !s.mu.recoveryOptions {
		return nil
	}
	if len(s.mu.iters) > 0 {
		s.mu.reopenPending = true
		return nil
	}
	return s.reopenLocked()
}

// reopenLocked closes the database and opens it again with normal options.
// On failure the store keeps a sticky error and can only be closed.
func (s *Store) reopenLocked() error {
	s.mu.reopenPending = false
	old := s.mu.db
	s.mu.db = nil
	if err := errors.Join(old.Flush(), old.Close()); err != nil {
		s.mu.err = fmt.Errorf("state: reopen %s: close: %w", s.cfg.Dir, err)
		return s.mu.err
	}
	db, err := pebble.Open(s.cfg.Dir, s.cfg.pebbleOptions(false, s.mu.cache))
	if err != nil {
		s.mu.err = fmt.Errorf("state: reopen %s in normal mode: %w", s.cfg.Dir, err)
		return s.mu.err
	}
	s.mu.db, s.mu.wal, s.mu.recoveryOptions = db, true, false
	return nil
}

// dbLocked returns the open database or the error that explains why there
// is none. s.mu must be held, shared or exclusive.
func (s *Store) dbLocked() (*pebble.DB, error) {
	switch {
	case s.mu.closed:
		return nil, fmt.Errorf("%w: %s", ErrClosed, s.cfg.Dir)
	case s.mu.err != nil:
		return nil, s.mu.err
	case s.mu.db != nil:
		return s.mu.db, nil
	default:
		return nil, fmt.Errorf("%w: %s", ErrNotOpen, s.cfg.Dir)
	}
}

// writableDBLocked is dbLocked for a write: it fails once the disk filled,
// so that Pebble never sees the write (see diskfull.go).
func (s *Store) writableDBLocked() (*pebble.DB, error) {
	db, err := s.dbLocked()
	if err != nil {
		return nil, err
	}
	if err := s.diskFull("write"); err != nil {
		return nil, err
	}
	return db, nil
}

// Has reports whether key exists.
func (s *Store) Has(key string) (bool, error) {
	_, ok, err := s.lookup(key, false)
	return ok, err
}

// Get returns a copy of the value of key, or nil if key does not exist. An
// existing empty value is returned as a non-nil empty slice.
func (s *Store) Get(key string) ([]byte, error) {
	v, _, err := s.lookup(key, true)
	return v, err
}

func (s *Store) lookup(key string, copyValue bool) ([]byte, bool, error) {
	s.mu.RLock()
	if s.mu.batch == nil {
		defer s.mu.RUnlock()
		db, err := s.dbLocked()
		if err != nil {
			return nil, false, err
		}
		return lookupIn(db, key, copyValue)
	}
	s.mu.RUnlock()
	// Recovery writes are pending: commit them so the read sees them. The
	// batch is not indexed because goka's default recovery never reads; an
	// update callback that reads per message commits per message, which is
	// what normal mode costs anyway.
	s.mu.Lock()
	defer s.mu.Unlock()
	db, err := s.dbLocked()
	if err != nil {
		return nil, false, err
	}
	if err := s.commitBatchLocked(); err != nil {
		return nil, false, err
	}
	return lookupIn(db, key, copyValue)
}

func lookupIn(r pebble.Reader, key string, copyValue bool) ([]byte, bool, error) {
	v, closer, err := r.Get(encodeKey(key))
	if errors.Is(err, pebble.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("state: get key %q: %w", key, err)
	}
	defer closer.Close()
	if !copyValue {
		return nil, true, nil
	}
	out := make([]byte, len(v))
	copy(out, v)
	return out, true, nil
}

// GetOffset returns the last offset set, committed or not, or def if none
// was ever set.
func (s *Store) GetOffset(def int64) (int64, error) {
	s.mu.RLock()
	_, err := s.dbLocked()
	s.mu.RUnlock()
	if err != nil {
		return 0, err
	}
	off, known := s.loadOffset()
	if !known {
		return def, nil
	}
	return off, nil
}
