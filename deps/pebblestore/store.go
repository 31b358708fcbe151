package pebblestore

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"io/fs"
	"slices"
	"sync"

	"github.com/cockroachdb/pebble/v2"

	"github.com/ripplestream/ripple/deps"
)

// pageLocks is the number of stripes of the per-page write lock.
const pageLocks = 256

// Store is the Pebble deps.Store. Open it with Open; it is safe for
// concurrent use.
type Store struct {
	cfg   Config
	seed  maphash.Seed
	locks [pageLocks]sync.Mutex // serialize read-diff-write per page

	mu struct {
		sync.RWMutex // held for reading by every call, for writing by Close
		closed       bool
		db           *pebble.DB
		cache        *pebble.Cache
	}
}

var _ deps.Store = (*Store)(nil)

// ErrNotExist is wrapped by the error of a ReadOnly Open of a directory
// that holds no store.
var ErrNotExist = errors.New("pebblestore: no store there")

// Open opens (creating if needed, unless cfg.ReadOnly) the store in
// cfg.Dir. A store that another process has open is an error that names
// that process (see LockedError).
func Open(cfg Config) (*Store, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.WithDefaults()
	if cfg.ReadOnly {
		if _, err := cfg.FS.Stat(cfg.Dir); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("pebblestore: open %s: %w (the directory does not exist)", cfg.Dir, ErrNotExist)
		}
		// Pebble takes its LOCK file before it finds no database: a
		// directory with nothing else in it is refused before that, so
		// a read leaves it as it was.
		if names, err := cfg.FS.List(cfg.Dir); err == nil && !slices.ContainsFunc(names, func(n string) bool { return n != "LOCK" }) {
			return nil, fmt.Errorf("pebblestore: open %s: %w (the directory holds no database)", cfg.Dir, ErrNotExist)
		}
	}
	cache := pebble.NewCache(cfg.BlockCacheBytes)
	db, err := pebble.Open(cfg.Dir, cfg.pebbleOptions(cache))
	if err != nil {
		cache.Unref()
		if errors.Is(err, pebble.ErrDBDoesNotExist) {
			return nil, fmt.Errorf("pebblestore: open %s: %w (the directory holds no database)", cfg.Dir, ErrNotExist)
		}
		if lerr := lockedError(cfg.Dir, err); lerr != nil {
			return nil, lerr
		}
		return nil, fmt.Errorf("pebblestore: open %s: %w", cfg.Dir, err)
	}
	if cfg.ReadOnly {
		if err := checkVersionReadOnly(db); err != nil {
			db.Close()
			cache.Unref()
			return nil, fmt.Errorf("pebblestore: open %s: %w", cfg.Dir, err)
		}
		s := &Store{cfg: cfg, seed: maphash.MakeSeed()}
		s.mu.db, s.mu.cache = db, cache
		return s, nil
	}
	if err := checkVersion(db); err != nil {
		db.Close()
		cache.Unref()
		return nil, fmt.Errorf("pebblestore: open %s: %w", cfg.Dir, err)
	}
	s := &Store{cfg: cfg, seed: maphash.MakeSeed()}
	s.mu.db, s.mu.cache = db, cache
	return s, nil
}

// checkVersionReadOnly refuses a database of another format, or none.
func checkVersionReadOnly(db *pebble.DB) error {
	v, closer, err := db.Get([]byte{familyVersion})
	if errors.Is(err, pebble.ErrNotFound) {
		return fmt.Errorf("%w: a Pebble database without ripple's format version", ErrNotExist)
	}
	if err != nil {
		return err
	}
	defer closer.Close()
	if got, n := binary.Uvarint(v); n <= 0 || got != formatVersion {
		return fmt.Errorf("on-disk format %x, this version reads format %d; open it once for writing to migrate it", v, formatVersion)
	}
	return nil
}

// Empty reports whether the store holds no page.
func (s *Store) Empty(ctx context.Context) (bool, error) {
	db, release, err := s.acquire(ctx)
	if err != nil {
		return false, err
	}
	defer release()
	for _, family := range []byte{familyForward, familyReverse} {
		it, err := db.NewIter(&pebble.IterOptions{LowerBound: []byte{family}, UpperBound: []byte{family + 1}})
		if err != nil {
			return false, err
		}
		found := it.First()
		if err := it.Close(); err != nil {
			return false, err
		}
		if found {
			return false, nil
		}
	}
	return true, nil
}

// checkVersion writes the format version into a new database and refuses a
// database of another version.
func checkVersion(db *pebble.DB) error {
	key := []byte{familyVersion}
	v, closer, err := db.Get(key)
	if errors.Is(err, pebble.ErrNotFound) {
		return db.Set(key, binary.AppendUvarint(nil, formatVersion), pebble.Sync)
	}
	if err != nil {
		return err
	}
	got, n := binary.Uvarint(v)
	closer.Close()
	switch {
	case n > 0 && got == formatVersion:
		return nil
	case n > 0 && got == 1:
		return migrateFiles(db)
	}
	return fmt.Errorf("on-disk format %x, this version reads format %d (and migrates 1)", v, formatVersion)
}

// migrateFiles turns a format 1 database into format 2: every uses_file
// reverse key 'r' 3 wiki 0 file 0 title becomes 'r' 3 file 0 wiki 0 title,
// with its value, in one batch with the new version.
func migrateFiles(db *pebble.DB) error {
	prefix := []byte{familyReverse, byte(deps.UsesFile)}
	it, err := db.NewIter(&pebble.IterOptions{LowerBound: prefix, UpperBound: []byte{familyReverse, byte(deps.UsesFile) + 1}})
	if err != nil {
		return err
	}
	b := db.NewBatch()
	defer b.Close()
	for valid := it.First(); valid; valid = it.Next() {
		parts := bytes.SplitN(it.Key()[len(prefix):], []byte{sep}, 3)
		if len(parts) != 3 {
			it.Close()
			return fmt.Errorf("migrating to format %d: corrupt uses_file key %q", formatVersion, it.Key())
		}
		if err := b.Delete(it.Key(), nil); err != nil {
			it.Close()
			return err
		}
		key := reverseKey(deps.UsesFile, string(parts[0]), string(parts[2]), string(parts[1]))
		if err := b.Set(key, it.Value(), nil); err != nil {
			it.Close()
			return err
		}
	}
	if err := it.Close(); err != nil {
		return err
	}
	if err := b.Set([]byte{familyVersion}, binary.AppendUvarint(nil, formatVersion), nil); err != nil {
		return err
	}
	return b.Commit(pebble.Sync)
}

// Close closes the database. It is idempotent and waits for calls in flight.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.mu.closed {
		return nil
	}
	s.mu.closed = true
	err := s.mu.db.Close()
	s.mu.cache.Unref()
	if err != nil {
		return fmt.Errorf("pebblestore: close %s: %w", s.cfg.Dir, err)
	}
	return nil
}

// acquire returns the open database and the function that releases it, or
// ErrClosed, or ctx's error.
func (s *Store) acquire(ctx context.Context) (*pebble.DB, func(), error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	s.mu.RLock()
	if s.mu.closed {
		s.mu.RUnlock()
		return nil, nil, deps.ErrClosed
	}
	return s.mu.db, s.mu.RUnlock, nil
}

// lockPage locks the stripe of (wiki, title) and returns its unlock. A
// call that locks several stripes locks them in increasing order
// (lockStripes).
func (s *Store) lockPage(wiki, title string) func() {
	m := &s.locks[s.stripe(wiki, title)]
	m.Lock()
	return m.Unlock
}

// stripe returns the index of the lock stripe of (wiki, title).
func (s *Store) stripe(wiki, title string) int {
	var h maphash.Hash
	h.SetSeed(s.seed)
	h.WriteString(wiki)
	h.WriteByte(0)
	h.WriteString(title)
	return int(h.Sum64() % pageLocks)
}

func (s *Store) writeOptions() *pebble.WriteOptions {
	if s.cfg.Sync {
		return pebble.Sync
	}
	return pebble.NoSync
}

// Page implements deps.Store.
func (s *Store) Page(ctx context.Context, wiki, title string) (deps.PageDeps, bool, error) {
	title, err := checkPage(wiki, title)
	if err != nil {
		return deps.PageDeps{}, false, err
	}
	db, release, err := s.acquire(ctx)
	if err != nil {
		return deps.PageDeps{}, false, err
	}
	defer release()
	return readPage(db, wiki, title)
}

// checkPage validates wiki and returns title normalized.
func checkPage(wiki, title string) (string, error) {
	if err := deps.ValidateWiki(wiki); err != nil {
		return "", err
	}
	return deps.NormalizeTitle(title)
}

// readPage reads and decodes the forward record of (wiki, title).
func readPage(r pebble.Reader, wiki, title string) (deps.PageDeps, bool, error) {
	v, closer, err := r.Get(forwardKey(wiki, title))
	if errors.Is(err, pebble.ErrNotFound) {
		return deps.PageDeps{}, false, nil
	}
	if err != nil {
		return deps.PageDeps{}, false, fmt.Errorf("pebblestore: read %s:%s: %w", wiki, title, err)
	}
	defer closer.Close()
	p, err := decodePage(wiki, title, v)
	if err != nil {
		return deps.PageDeps{}, false, fmt.Errorf("%w: forward record of %s:%s", err, wiki, title)
	}
	return p, true, nil
}
