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
	c Context[S] // the Context of every handler call (see contextReuser)
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
	v, err := r.w.state(string(r.m.Key))
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
	r.w.write(string(r.m.Key), b, false)
}

func (r *loopRecord[S]) Delete(_ ...goka.ContextOption) {
	r.w.write(string(r.m.Key), nil, true)
}

func (r *loopRecord[S]) cachedState() (s S, exists, ok bool) {
	if !r.w.e.typed {
		return s, false, false
	}
	e := r.w.cache[string(r.m.Key)]
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
	e := r.w.cache[string(r.m.Key)]
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
	r.w.send(&sarama.ProducerMessage{Topic: string(topic), Key: sarama.StringEncoder(key), Value: sarama.ByteEncoder(b)},
		r.w.cur.emitted)
}

func (r *loopRecord[S]) Loopback(key string, value any, _ ...goka.ContextOption) {
	r.Emit(goka.Stream(r.w.e.r.job.loopStream()), key, value)
}
