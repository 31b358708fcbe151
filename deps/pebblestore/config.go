package pebblestore

import (
	"fmt"
	"io"
	"log/slog"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/ripplestream/ripple/deps"

	"github.com/ripplestream/ripple/internal/pebbleopts"
)

// Defaults for zero Config fields. Memory is bounded by the block cache plus
// at most memTableStopWritesThreshold memtables.
const (
	DefaultBlockCacheBytes      = 32 << 20
	DefaultMemTableBytes        = 16 << 20
	minMemTableBytes            = 64 << 10
	maxMemTableBytes            = 1 << 30
	memTableStopWritesThreshold = 2
	bloomBitsPerKey             = 10
)

// Config configures a Store. The zero value of every field except Dir means
// "use the default".
type Config struct {
	// Dir is the directory of the Pebble database. Required.
	Dir string

	// BlockCacheBytes bounds Pebble's block cache. Default
	// DefaultBlockCacheBytes.
	BlockCacheBytes int64

	// MemTableBytes is the memtable size; Pebble keeps at most two before it
	// stalls writes. Default DefaultMemTableBytes.
	MemTableBytes uint64

	// Sync makes PutPage and DeletePage wait for an fsync of the WAL. Off
	// by default: a process crash loses nothing (the WAL is written before
	// a call returns); only an OS crash or power loss can lose the last
	// writes, and the next parse of those pages restores them.
	Sync bool

	// Collapse bounds the entity aspects stored per usage.
	Collapse deps.CollapseLimits

	// Logger receives Pebble's messages. Default: discard.
	Logger *slog.Logger

	// FS is the filesystem Pebble uses. Default vfs.Default; tests may use
	// vfs.NewMem.
	FS vfs.FS

	// ReadOnly opens an existing store for reading: Open creates nothing
	// and fails with an error wrapping ErrNotExist when Dir holds no
	// store, and writes fail. Another process may not have it open.
	ReadOnly bool
}

// Validate reports the first invalid field of c, wrapping
// deps.ErrInvalidConfig.
func (c Config) Validate() error {
	if c.Dir == "" {
		return fmt.Errorf("%w: pebblestore: Dir is empty", deps.ErrInvalidConfig)
	}
	if c.BlockCacheBytes < 0 {
		return fmt.Errorf("%w: pebblestore: BlockCacheBytes %d is negative", deps.ErrInvalidConfig, c.BlockCacheBytes)
	}
	if m := c.MemTableBytes; m != 0 && (m < minMemTableBytes || m > maxMemTableBytes) {
		return fmt.Errorf("%w: pebblestore: MemTableBytes %d outside [%d, %d]",
			deps.ErrInvalidConfig, m, minMemTableBytes, maxMemTableBytes)
	}
	return c.Collapse.Validate()
}

// WithDefaults returns a copy of c with its zero fields set to their
// defaults. Open calls it.
func (c Config) WithDefaults() Config {
	if c.BlockCacheBytes == 0 {
		c.BlockCacheBytes = DefaultBlockCacheBytes
	}
	if c.MemTableBytes == 0 {
		c.MemTableBytes = DefaultMemTableBytes
	}
	c.Collapse = c.Collapse.WithDefaults()
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if c.FS == nil {
		c.FS = vfs.Default
	}
	return c
}

// pebbleOptions returns the Pebble options for c. Bloom filters serve the
// point reads of forward records.
func (c Config) pebbleOptions(cache *pebble.Cache) *pebble.Options {
	o := &pebble.Options{
		Cache:                       cache,
		MemTableSize:                c.MemTableBytes,
		MemTableStopWritesThreshold: memTableStopWritesThreshold,
		FormatMajorVersion:          pebble.FormatNewest,
		Logger:                      pebbleopts.Logger(c.Logger, "pebblestore"),
		FS:                          c.FS,
		ReadOnly:                    c.ReadOnly,
		ErrorIfNotExists:            c.ReadOnly,
	}
	pebbleopts.Bloom(o, bloomBitsPerKey)
	return o
}
