package state

import (
	"fmt"
	"path/filepath"
	"sync"

	"github.com/cockroachdb/pebble/v2"
	"github.com/lovoo/goka/storage"
)

// Builder returns a goka storage.Builder that makes one Store per topic
// partition, in cfg.Dir/<topic>.<partition> (the layout of goka's LevelDB
// builder). All its stores share one block cache of cfg.BlockCacheBytes, so
// the cache bounds the process however many partitions are assigned. An
// invalid cfg is reported by every call of the builder.
//
// Use it with goka.WithStorageBuilder and goka.WithViewStorageBuilder.
func Builder(cfg Config) storage.Builder {
	cfgErr := cfg.Validate()
	cfg = cfg.WithDefaults()
	cache := newSharedCache(cfg.BlockCacheBytes)
	return func(topic string, partition int32) (storage.Storage, error) {
		if cfgErr != nil {
			return nil, fmt.Errorf("state: build storage for %s/%d: %w", topic, partition, cfgErr)
		}
		c := cfg
		c.Dir = filepath.Join(cfg.Dir, fmt.Sprintf("%s.%d", topic, partition))
		c.Logger = cfg.Logger.With("topic", topic, "partition", partition)
		return newStore(c, cache), nil
	}
}

// sharedCache hands one Pebble block cache to the stores that use it and
// frees it when the last one closes; the next Open makes a new one.
type sharedCache struct {
	size int64
	mu   struct {
		sync.Mutex
		cache *pebble.Cache
		users int
	}
}

func newSharedCache(size int64) *sharedCache {
	return &sharedCache{size: size}
}

// acquire returns the cache, creating it for the first user. Pebble takes
// its own reference for every DB opened with it.
func (c *sharedCache) acquire() *pebble.Cache {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.mu.cache == nil {
		c.mu.cache = pebble.NewCache(c.size)
	}
	c.mu.users++
	return c.mu.cache
}

// release drops a user's claim; the last one drops the creation reference.
func (c *sharedCache) release() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.mu.users--
	if c.mu.users == 0 {
		c.mu.cache.Unref()
		c.mu.cache = nil
	}
}
