// The record a handler sees under EngineRipple: goka's Context over a
// sarama message and the worker that handles it.

package processor

import (
	"context"
	"fmt"
	"time"

	"github.com/IBM/sarama"
	"github.com/lovoo/goka"
)

// loopRecord is the record interface of EngineRipple.
type loopRecord[S any] struct {
	w *worker[S]
	m *sarama.ConsumerMessage
	e *entry[S]  // m's key's cache entry, once looked up while m is handled
	c Context[S] // the Context of every handler call (see contextReuser)
}

// entry returns the cache entry of the record's key (nil: not cached),
// looking it up once per record.
func (r *loopRecord[S]) entry() *entry[S] {
	if r.e == nil {
		r.e = r.w.cache[string(r.m.Key)]
	}
	return r.e
}

func (r *loopRecord[S]) reusedContext() *Context[S] { return &r.c }

func (r *loopRecord[S]) Context() context.Context { return r.w.sess.Context() }
func (r *loopRecord[S]) Key() string              { return string(r.m.Key) }
func (r *loopRecord[S]) Partition() int32         { return r.m.Partition }
func (r *loopRecord[S]) Offset() int64            { return r.m.Offset }
func (r *loopRecord[S]) Timestamp() time.Time     { return r.m.Timestamp }

func (r *loopRecord[S]) Headers() goka.Headers {
	h := make(goka.Headers, len(r.m.Headers))
	for _, rh := range r.m.Headers {
		h[string(rh.Key)] = rh.Value
	}
	return h
}

func (r *loopRecord[S]) Value() any {
	v, e, err := r.w.stateAt(string(r.m.Key), r.entry())
	r.e = e
	if err != nil {
		// The handler sees no state; the job stops on the storage error.
		r.w.e.abort(fmt.Errorf("partition %d: reading state of %q: %w", r.w.p, r.m.Key, err))
		return nil
	}
	if v == nil {
		return nil
	}
	return v
}

func (r *loopRecord[S]) SetValue(value any, _ ...goka.ContextOption) {
	b, _ := value.([]byte)
	r.e = r.w.writeAt(string(r.m.Key), r.entry(), b, false)
}

func (r *loopRecord[S]) Delete(_ ...goka.ContextOption) {
	r.e = r.w.writeAt(string(r.m.Key), r.entry(), nil, true)
}

func (r *loopRecord[S]) cachedState() (s S, exists, ok bool) {
	if !r.w.e.typed {
		return s, false, false
	}
	e := r.entry()
	switch {
	case e == nil:
		return s, false, false
	case e.deleted || e.value == nil:
		return s, false, true
	case e.typed:
		return *e.decoded, true, true
	}
	return s, false, false
}

func (r *loopRecord[S]) keepState(s S) {
	if !r.w.e.typed {
		return
	}
	e := r.entry()
	if e == nil { // not cached: the cache was full
		return
	}
	if e.decoded == nil {
		e.decoded = new(S)
	}
	*e.decoded, e.typed = s, true
}

// Emit sends at once: an output does not wait for the flush, but the input
// offset is committed only after it is acknowledged.
func (r *loopRecord[S]) Emit(topic goka.Stream, key string, value any, _ ...goka.ContextOption) {
	b, _ := value.([]byte)
	r.w.send(string(topic), key, b, r.w.cur.emitted)
}

func (r *loopRecord[S]) Loopback(key string, value any, _ ...goka.ContextOption) {
	r.Emit(goka.Stream(r.w.e.r.job.loopStream()), key, value)
}
