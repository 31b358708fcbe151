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
	if e, ok := w.cache[key]; ok {
		if e.deleted {
			return nil, nil
		}
		return e.value, nil
	}
	v, err := w.st.Get(key)
	if err != nil {
		return nil, err
	}
	if len(w.cache) < w.maxCached {
		w.cache[key] = &entry[S]{value: v, deleted: v == nil}
	}
	return v, nil
}

// write changes key's state in the cache; the next flush sends it.
func (w *worker[S]) write(key string, value []byte, deleted bool) {
	e, ok := w.cache[key]
	if !ok {
		e = &entry[S]{}
		w.cache[key] = e
	}
	if !e.dirty {
		e.dirty = true
		w.dirty = append(w.dirty, key)
	}
	e.value, e.deleted, e.typed = value, deleted, false
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
