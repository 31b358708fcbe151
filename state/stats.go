package state

import (
	"fmt"

	"github.com/cockroachdb/pebble/v2"
)

// Stats is a snapshot of a store's Pebble metrics, for a metrics hook to
// export. It has no Prometheus types; adapters live elsewhere.
type Stats struct {
	// DiskBytes is the space the database uses on disk: sstables, WAL,
	// manifest and files not yet deleted.
	DiskBytes uint64
	// EstimatedKeys estimates the live keys in sstables (the offset key
	// included): entries minus twice the tombstones, as RocksDB estimates.
	// Writes still in the memtable are not counted.
	EstimatedKeys uint64
	// Compactions is the number of compactions since the database opened.
	Compactions int64
	// Flushes is the number of memtable flushes since the database opened.
	Flushes int64
	// MemTableBytes is the memory held by memtables.
	MemTableBytes uint64
	// ReadAmp is the number of sstables or sublevels a point read may visit.
	ReadAmp int
	// BlockCacheBytes, BlockCacheHits and BlockCacheMisses describe the block
	// cache, which is shared by all stores of a Builder.
	BlockCacheBytes  int64
	BlockCacheHits   int64
	BlockCacheMisses int64
	// Recovering is true until MarkRecovered.
	Recovering bool
	// PendingBytes is the size of the uncommitted recovery batch.
	PendingBytes int
}

// Stats returns the store's current metrics. It reads sstable properties,
// mostly from memory; call it at scrape intervals, not per event.
func (s *Store) Stats() (Stats, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	db, err := s.dbLocked()
	if err != nil {
		return Stats{}, err
	}
	m := db.Metrics()
	st := Stats{
		DiskBytes:        m.DiskSpaceUsage(),
		Compactions:      m.Compact.Count,
		Flushes:          m.Flush.Count,
		MemTableBytes:    m.MemTable.Size,
		ReadAmp:          m.ReadAmp(),
		BlockCacheBytes:  m.BlockCache.Size,
		BlockCacheHits:   m.BlockCache.Hits,
		BlockCacheMisses: m.BlockCache.Misses,
		Recovering:       s.mu.recovering,
	}
	if s.mu.batch != nil {
		st.PendingBytes = s.mu.batch.Len()
	}
	levels, err := db.SSTables(pebble.WithProperties())
	if err != nil {
		return Stats{}, fmt.Errorf("state: stats of %s: %w", s.cfg.Dir, err)
	}
	var entries, deletions uint64
	for _, level := range levels {
		for _, t := range level {
			if t.Properties != nil {
				entries += t.Properties.NumEntries
				deletions += t.Properties.NumDeletions
			}
		}
	}
	if entries > 2*deletions {
		st.EstimatedKeys = entries - 2*deletions
	}
	return st, nil
}
