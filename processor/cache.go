// A worker's cache of the state of its keys: read from it, written to
// it, stored in Pebble once the changelog has the write.

package processor

// entry is a key's state in a worker's cache. A written value is stored
// in Pebble only once the changelog record that carries it is
// acknowledged, so the store never runs ahead of the changelog: until then
// the cache is where it is read.
type entry[S any] struct {
	value   []byte
	deleted bool
	dirty   bool   // written since the last flush
	batch   *batch // the flushed batch that carries it, until stored

	// decoded is value decoded, when typed is set (see stateCache). It
	// is kept when value changes, for the next decoding to reuse.
	decoded *S
	typed   bool
}

// state returns the state of key: from the cache, else from the store.
func (w *worker[S]) state(key string) ([]byte, error) {
	v, _, err := w.stateAt(key, nil)
	return v, err
}

// stateAt is state with key's cache entry e, if the caller has it (nil:
// look it up); it returns the entry too (nil: not cached).
func (w *worker[S]) stateAt(key string, e *entry[S]) ([]byte, *entry[S], error) {
	if e == nil {
		e = w.cache[key]
	}
	if e != nil {
		if e.deleted {
			return nil, e, nil
		}
		return e.value, e, nil
	}
	v, err := w.st.Get(key)
	if err != nil {
		return nil, nil, err
	}
	if len(w.cache) < w.maxCached {
		e = &entry[S]{value: v, deleted: v == nil}
		w.cache[key] = e
	}
	return v, e, nil
}

// write changes key's state in the cache; the next flush sends it.
func (w *worker[S]) write(key string, value []byte, deleted bool) {
	w.writeAt(key, nil, value, deleted)
}

// writeAt is write with key's cache entry e, if the caller has it (nil:
// look it up); it returns the entry.
func (w *worker[S]) writeAt(key string, e *entry[S], value []byte, deleted bool) *entry[S] {
	if e == nil {
		e = w.cache[key]
	}
	if e == nil {
		e = &entry[S]{}
		w.cache[key] = e
	}
	if !e.dirty {
		e.dirty = true
		w.dirty = append(w.dirty, dirtyKey[S]{key, e})
	}
	e.value, e.deleted, e.typed = value, deleted, false
	return e
}

// dirtyKey is a key written since the last flush, with its cache entry
// (which evict keeps while it is dirty or in flight).
type dirtyKey[S any] struct {
	key string
	e   *entry[S]
}

// evict drops stored entries while the cache is over maxCached.
func (w *worker[S]) evict() {
	for k, e := range w.cache {
		if len(w.cache) <= w.maxCached {
			return
		}
		if !e.dirty && e.batch == nil {
			delete(w.cache, k)
		}
	}
}
