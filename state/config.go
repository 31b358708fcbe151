package state

import (
	"fmt"
	"io"
	"log/slog"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/ripplestream/ripple/internal/configerr"
	"github.com/ripplestream/ripple/internal/pebbleopts"
)

// Defaults applied by New and Builder to zero fields of Config. They bound a
// store's memory: its share of one block cache plus at most two memtables of
// the larger of MemTableBytes and RecoveryMemTableBytes (Pebble grows
// memtables up to that size, so a small partition uses less).
const (
	// DefaultBlockCacheBytes is the default Config.BlockCacheBytes.
	DefaultBlockCacheBytes = 32 << 20
	// DefaultMemTableBytes is the default Config.MemTableBytes.
	DefaultMemTableBytes = 16 << 20
	// DefaultRecoveryMemTableBytes is the default Config.RecoveryMemTableBytes.
	DefaultRecoveryMemTableBytes = 64 << 20
	// DefaultRecoveryBatchBytes is the default Config.RecoveryBatchBytes. It
	// stays under Pebble's 1 MiB batch-reuse limit: larger batches are
	// reallocated on every commit, which showed as ~470 B/op in
	// BenchmarkStorage/pebble/Recover with 4 MiB batches against ~5 B/op.
	DefaultRecoveryBatchBytes = 256 << 10
	// DefaultBallastBytes is the default Config.BallastBytes: room for the
	// WAL blocks Pebble has under way and a manifest edit, which Pebble
	// cannot fail without panicking, and for the flush of a few MiB of
	// memtable.
	DefaultBallastBytes = 4 << 20
)

const (
	minMemTableBytes            = 64 << 10
	maxMemTableBytes            = 1 << 30
	bloomBitsPerKey             = 10
	memTableStopWritesThreshold = 2
	// defaultFormat enables the columnar sstable blocks that are the reason
	// for Pebble v2 (doc.go); Pebble creates new stores in its oldest
	// supported, row-based format unless told otherwise.
	defaultFormat                  = pebble.FormatNewest
	recoveryBatchToMemTableDivisor = 2
)

// ErrInvalidConfig is returned, wrapped with the offending field, by
// Config.Validate and by the constructors that call it. It matches every
// ripple package's ErrInvalidConfig.
var ErrInvalidConfig = configerr.New("state")

// Config configures a Store, or every Store a Builder makes. The zero value
// of each field except Dir means "use the default".
type Config struct {
	// Dir is the directory of the Pebble database. For a Builder it is the
	// parent directory: each partition gets Dir/<topic>.<partition>.
	Dir string

	// BlockCacheBytes bounds Pebble's block cache. One cache is shared by all
	// the stores a Builder makes, so it bounds the process, not a partition.
	// Default DefaultBlockCacheBytes.
	BlockCacheBytes int64

	// MemTableBytes is the memtable size in normal mode. Pebble keeps at most
	// two memtables per store before it stalls writes. Default
	// DefaultMemTableBytes.
	MemTableBytes uint64

	// RecoveryMemTableBytes is the memtable size in recovery mode, until
	// MarkRecovered. A larger memtable means fewer, larger L0 files while the
	// changelog is replayed. Default DefaultRecoveryMemTableBytes.
	RecoveryMemTableBytes uint64

	// RecoveryBatchBytes bounds the write batch that buffers Set, Delete and
	// SetOffset in recovery mode; the batch is committed when it grows past
	// this size, and before reads, iterators, MarkRecovered and Close. The
	// offset is written once per batch, after its data. It must be at most
	// half of RecoveryMemTableBytes. Default DefaultRecoveryBatchBytes.
	RecoveryBatchBytes int

	// RecoveryWAL keeps the write-ahead log on during recovery. By default
	// recovery writes skip the WAL: a crash then loses only what the changelog
	// replays again, and MarkRecovered flushes the memtable before the store
	// reopens with the WAL on.
	RecoveryWAL bool

	// Sync makes every write in normal mode wait for an fsync of the WAL.
	// It is off by default because a store is a cache of its Kafka changelog:
	// an unsynced write lost in a machine crash is written again when goka
	// replays the changelog from the stored offset, and the offset is never
	// stored ahead of the data it covers. Turn it on only for state that has
	// no changelog.
	Sync bool

	// Logger receives Pebble's messages and the store's lifecycle events.
	// Default: discard.
	Logger *slog.Logger

	// BallastBytes is the size of the ballast file a store keeps in its
	// directory. When the disk fills, the store removes it, so that the
	// writes Pebble has under way complete, and fails every later write
	// with a DiskFullError (Pebble itself would block or panic; see
	// diskfull.go). A flush of more than the ballast frees may still fail:
	// Pebble then retries it until the store closes. Default
	// DefaultBallastBytes; -1 keeps no ballast.
	BallastBytes int64

	// FS is the filesystem Pebble uses. Default vfs.Default (the OS); tests
	// use vfs.NewMem or vfs.NewCrashableMem.
	FS vfs.FS
}

// Validate reports the first invalid field of c, wrapped in
// ErrInvalidConfig. Zero fields are valid: they take their defaults.
func (c Config) Validate() error {
	if c.Dir == "" {
		return fmt.Errorf("%w: Dir is empty", ErrInvalidConfig)
	}
	if c.BlockCacheBytes < 0 {
		return fmt.Errorf("%w: BlockCacheBytes %d is negative", ErrInvalidConfig, c.BlockCacheBytes)
	}
	for _, m := range []struct {
		name string
		v    uint64
	}{{"MemTableBytes", c.MemTableBytes}, {"RecoveryMemTableBytes", c.RecoveryMemTableBytes}} {
		if m.v != 0 && (m.v < minMemTableBytes || m.v > maxMemTableBytes) {
			return fmt.Errorf("%w: %s %d outside [%d, %d]", ErrInvalidConfig, m.name, m.v, minMemTableBytes, maxMemTableBytes)
		}
	}
	if c.BallastBytes < -1 {
		return fmt.Errorf("%w: BallastBytes %d is below -1", ErrInvalidConfig, c.BallastBytes)
	}
	if c.RecoveryBatchBytes < 0 {
		return fmt.Errorf("%w: RecoveryBatchBytes %d is negative", ErrInvalidConfig, c.RecoveryBatchBytes)
	}
	d := c.WithDefaults()
	if uint64(d.RecoveryBatchBytes) > d.RecoveryMemTableBytes/recoveryBatchToMemTableDivisor {
		return fmt.Errorf("%w: RecoveryBatchBytes %d is more than half of RecoveryMemTableBytes %d",
			ErrInvalidConfig, d.RecoveryBatchBytes, d.RecoveryMemTableBytes)
	}
	return nil
}

// WithDefaults returns a copy of c with its zero fields set to their
// defaults. NewStore and NewBuilder call it.
func (c Config) WithDefaults() Config {
	if c.BlockCacheBytes == 0 {
		c.BlockCacheBytes = DefaultBlockCacheBytes
	}
	if c.MemTableBytes == 0 {
		c.MemTableBytes = DefaultMemTableBytes
	}
	if c.RecoveryMemTableBytes == 0 {
		c.RecoveryMemTableBytes = DefaultRecoveryMemTableBytes
	}
	if c.RecoveryBatchBytes == 0 {
		c.RecoveryBatchBytes = min(DefaultRecoveryBatchBytes,
			int(c.RecoveryMemTableBytes/recoveryBatchToMemTableDivisor))
	}
	if c.BallastBytes == 0 {
		c.BallastBytes = DefaultBallastBytes
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if c.FS == nil {
		c.FS = vfs.Default
	}
	return c
}

// recoveryDiffers reports whether recovery mode needs other Pebble options
// than normal mode, so that MarkRecovered must reopen the database.
func (c Config) recoveryDiffers() bool {
	return !c.RecoveryWAL || c.RecoveryMemTableBytes != c.MemTableBytes
}

// pebbleOptions returns the Pebble options for normal or recovery mode.
// Bloom filters are on at every level because dedupe-style jobs mostly look
// up keys that are absent.
func (c Config) pebbleOptions(recovery bool, cache *pebble.Cache) *pebble.Options {
	o := &pebble.Options{
		Cache:                       cache,
		MemTableSize:                c.MemTableBytes,
		MemTableStopWritesThreshold: memTableStopWritesThreshold,
		FormatMajorVersion:          defaultFormat,
		Logger:                      pebbleopts.Logger(c.Logger, "state"),
		FS:                          c.FS,
	}
	if recovery {
		o.MemTableSize = c.RecoveryMemTableBytes
		o.DisableWAL = !c.RecoveryWAL
		// A restore only appends: compacting while it runs rewrites the same
		// data again and again. MarkRecovered reopens with compactions on.
		o.DisableAutomaticCompactions = true
	}
	pebbleopts.Bloom(o, bloomBitsPerKey)
	return o
}
