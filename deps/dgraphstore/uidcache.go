package dgraphstore

import "sync"

// uidCache maps node keys to uids, so that writes and traversals skip the
// index lookup of nodes they met before.
//
// A uid, once committed for a key, is the key's for good, on every store of
// the graph: the @upsert index keeps keys unique, a key is written only
// when its node is created, and nodes are never deleted (DeletePage keeps
// the node, which incoming edges still point at). So the cache needs no
// invalidation, as long as it learns only committed uids: those a query
// read, and those of nodes a committed mutation created. DropPredicates is
// the exception; it resets the cache of its own store, and other stores of
// the prefix must be reopened.
//
// It holds two generations of at most max keys each: a key found in the
// old one moves to the current one, and a full current generation becomes
// the old one, dropping the keys not used since.
type uidCache struct {
	max int // per generation; 0 disables the cache

	mu struct {
		sync.Mutex
		cur, old map[string]uint64
	}
}

func newUIDCache(max int) *uidCache {
	c := &uidCache{max: max}
	c.resetLocked()
	return c
}

// get returns the uid of key, 0 if unknown.
func (c *uidCache) get(key string) uint64 {
	if c.max == 0 {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if uid, ok := c.mu.cur[key]; ok {
		return uid
	}
	uid, ok := c.mu.old[key]
	if ok {
		c.putLocked(key, uid)
	}
	return uid
}

// put records the committed uid of key.
func (c *uidCache) put(key string, uid uint64) {
	if c.max == 0 || uid == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.putLocked(key, uid)
}

func (c *uidCache) putLocked(key string, uid uint64) {
	if _, ok := c.mu.cur[key]; !ok && len(c.mu.cur) >= c.max {
		c.mu.old, c.mu.cur = c.mu.cur, make(map[string]uint64, c.max)
	}
	c.mu.cur[key] = uid
}

// reset forgets every uid.
func (c *uidCache) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.resetLocked()
}

func (c *uidCache) resetLocked() {
	c.mu.cur, c.mu.old = map[string]uint64{}, map[string]uint64{}
}
