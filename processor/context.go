package processor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/lovoo/goka"

	"github.com/ripplestream/ripple/event"
)

// ErrStateless is returned by state methods of a job without a State codec.
var ErrStateless = errors.New("processor: job has no state codec")

// Context is what a handler sees of the event being processed: its key,
// origin and headers, the key's state, and the job's outputs. State changes
// and emits are buffered and take effect only when the handler returns nil.
// A Context is valid only during the handler call.
type Context[S any] struct {
	g       record
	codec   event.Codec[S]
	cache   stateCache[S] // nil: decode the state from g.Value
	logger  *slog.Logger
	outputs map[Stream]struct{}
	stream  Stream
	attempt int
	loop    bool
	now     func() time.Time
	timers  Stream // "" for a job without a Timer handler

	loaded bool
	has    bool
	state  S
	op     stateOp
	emits  []pending
}

type stateOp uint8

const (
	stateKeep stateOp = iota
	stateSet
	stateDelete
)

type pending struct {
	stream Stream // "" for a loopback
	key    string
	value  []byte
}

// Context returns the context of the running job; it is cancelled on
// shutdown.
func (c *Context[S]) Context() context.Context { return c.g.Context() }

// Key returns the event's Kafka key.
func (c *Context[S]) Key() string { return c.g.Key() }

// Stream returns the stream the event was read from (for a retried event,
// the stream it originally came from).
func (c *Context[S]) Stream() Stream { return c.stream }

// Partition returns the partition being processed.
func (c *Context[S]) Partition() int32 { return c.g.Partition() }

// Offset returns the event's offset in the topic it was read from.
func (c *Context[S]) Offset() int64 { return c.g.Offset() }

// Timestamp returns the Kafka record timestamp.
func (c *Context[S]) Timestamp() time.Time { return c.g.Timestamp() }

// Headers returns the Kafka record headers.
func (c *Context[S]) Headers() map[string][]byte { return c.g.Headers() }

// Attempt returns 1 for the first try of an event, 2 for its first retry,
// and so on.
func (c *Context[S]) Attempt() int { return c.attempt }

// Logger returns the job's logger, with the stream, partition and key of
// the event attached.
func (c *Context[S]) Logger() *slog.Logger {
	return c.logger.With("stream", c.stream, "partition", c.g.Partition(), "key", c.g.Key())
}

// State returns the key's state and whether it exists.
func (c *Context[S]) State() (S, bool, error) {
	var zero S
	if c.codec == nil {
		return zero, false, ErrStateless
	}
	if !c.loaded {
		c.loaded = true
		if c.cache != nil {
			if s, has, ok := c.cache.cachedState(); ok {
				c.state, c.has = s, has
				return c.state, c.has, nil
			}
		}
		if b, _ := c.g.Value().([]byte); b != nil {
			s, err := c.codec.Decode(b)
			if err != nil {
				return zero, false, fmt.Errorf("processor: state of key %q is unreadable: %w", c.g.Key(), err)
			}
			c.state, c.has = s, true
			if c.cache != nil {
				c.cache.keepState(s)
			}
		}
	}
	return c.state, c.has, nil
}

// SetState replaces the key's state when the handler succeeds.
func (c *Context[S]) SetState(s S) error {
	if c.codec == nil {
		return ErrStateless
	}
	c.loaded, c.has, c.state, c.op = true, true, s, stateSet
	return nil
}

// DeleteState removes the key's state when the handler succeeds.
func (c *Context[S]) DeleteState() error {
	if c.codec == nil {
		return ErrStateless
	}
	var zero S
	c.loaded, c.has, c.state, c.op = true, false, zero, stateDelete
	return nil
}

func (c *Context[S]) emit(stream Stream, key string, value []byte) error {
	if _, ok := c.outputs[stream]; !ok {
		return Permanent(fmt.Errorf("%w: %q (declare it in Job.Outputs)", ErrUndeclared, stream))
	}
	c.emits = append(c.emits, pending{stream: stream, key: key, value: value})
	return nil
}

// Loopback sends value to this job's Loop handler under key, when the
// handler succeeds. It fails for a job without a Loop.
func (c *Context[S]) Loopback(key string, value []byte) error {
	if !c.loop {
		return Permanent(errors.New("processor: Loopback in a job without a Loop handler (set Job.Loop)"))
	}
	c.emits = append(c.emits, pending{key: key, value: value})
	return nil
}

// Now returns the job's processing time (Config.Now; in processortest, the
// harness clock). Use it, not time.Now, so tests can move time.
func (c *Context[S]) Now() time.Time { return c.now() }

// At sets a timer: when the handler succeeds, the job's Timer handler is
// called with value under key at t or soon after, even if no event arrives
// meanwhile. A timer survives restarts. Timers of one partition fire in the
// order they were set, so one set far ahead delays those set after it for
// an earlier time; give timers of a job a common horizon (a window size, a
// TTL). It fails for a job without a Timer handler.
func (c *Context[S]) At(t time.Time, key string, value []byte) error {
	if c.timers == "" {
		return Permanent(errors.New("processor: timer set in a job without a Timer handler (set Job.Timer)"))
	}
	b, err := json.Marshal(TimerRecord{DueAt: t.UTC(), SetAt: c.now().UTC(), Value: value})
	if err != nil {
		return Permanent(fmt.Errorf("processor: encoding timer for key %q: %w", key, err))
	}
	c.emits = append(c.emits, pending{stream: c.timers, key: key, value: b})
	return nil
}

// After sets a timer that fires d from now (see At).
func (c *Context[S]) After(d time.Duration, key string, value []byte) error {
	return c.At(c.now().Add(d), key, value)
}

// commit applies the buffered state change and emits to goka.
func (c *Context[S]) commit() (emitted int, err error) {
	switch c.op {
	case stateSet:
		b, err := c.codec.Encode(c.state)
		if err != nil {
			return 0, Permanent(fmt.Errorf("processor: encoding state of key %q: %w", c.g.Key(), err))
		}
		c.g.SetValue(b)
		if c.cache != nil {
			c.cache.keepState(c.state)
		}
	case stateDelete:
		c.g.Delete()
	}
	for _, p := range c.emits {
		if p.stream == "" {
			c.g.Loopback(p.key, p.value)
			continue
		}
		c.g.Emit(goka.Stream(p.stream), p.key, p.value)
	}
	return len(c.emits), nil
}
