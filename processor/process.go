package processor

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"
	"time"
	"unicode/utf8"

	"github.com/IBM/sarama"
	"github.com/lovoo/goka"

	"github.com/ripplestream/ripple/event"
)

// origin is where an event first entered the job.
type origin struct {
	partition int32
	offset    int64
}

// record is the event being processed and the sink of its effects: a goka
// context, or a record of ripple's own loop (engine.go). Its methods are
// the part of goka.Context that ripple uses, with goka's signatures.
type record interface {
	Context() context.Context
	Key() string
	Partition() int32
	Offset() int64
	Timestamp() time.Time
	Headers() goka.Headers
	Value() any
	SetValue(value any, opts ...goka.ContextOption)
	Delete(opts ...goka.ContextOption)
	Emit(topic goka.Stream, key string, value any, opts ...goka.ContextOption)
	Loopback(key string, value any, opts ...goka.ContextOption)
}

// callback is how either engine hands a consumed record to the job. It
// reports false if it gave the record up without any effect, because the
// partition stopped while what the handler needs was unavailable or while
// the handler failed: the record must then be handled again, and no later
// one of its partition before it.
type callback func(g record, raw []byte) bool

// consume returns the callback of a job input.
func (r *Runner[S]) consume(in Input[S]) callback {
	return func(g record, raw []byte) bool {
		return r.handle(g, in, raw, 1, r.cfg.MaxRetries, origin{g.Partition(), g.Offset()})
	}
}

// consumeRetry returns the callback of an input's retry-ready stream.
func (r *Runner[S]) consumeRetry(in Input[S]) callback {
	return func(g record, raw []byte) bool {
		var rec RetryRecord
		if err := json.Unmarshal(raw, &rec); err != nil {
			err = &undecodable{err: fmt.Errorf("processor: unreadable retry record: %w", err)}
			r.toError(g, in.stream, raw, err, 1, origin{g.Partition(), g.Offset()})
			r.observe(EventInfo{Stream: in.stream, Partition: g.Partition(), Outcome: OutcomeError, Kind: kindDecode})
			return true
		}
		return r.handle(g, in, rec.original(), rec.Attempt+1, rec.RetriesLeft, origin{rec.OriginalPartition, rec.OriginalOffset})
	}
}

// handle processes one event and routes a failure; retriesLeft is how many
// retries remain should this attempt fail. It reports false if it gave the
// event up without effect (see callback).
func (r *Runner[S]) handle(g record, in Input[S], raw []byte, attempt, retriesLeft int, from origin) bool {
	start := time.Now()
	info := EventInfo{Stream: in.stream, Partition: g.Partition(), Outcome: OutcomeOK}
	if !in.opts.keepCanary && isCanary(raw) {
		info.Outcome = OutcomeDropped
		r.observe(info)
		return true
	}
	emitted, err := r.try(g, in, raw, attempt)
	if IsUnavailable(err) {
		var ok bool
		if emitted, err, ok = r.await(g, in, raw, attempt, err); !ok {
			return false
		}
	}
	if err != nil && g.Context().Err() != nil {
		// The partition is stopping (a rebalance, a shutdown) and the
		// handler failed, most likely for the stop itself (a store call
		// cut short with the context): the event is no failure. Give it
		// up without effect; the partition's next owner handles it again.
		r.cfg.Logger.Debug("event given up: its partition stops", "job", r.job.Name, "stream", in.stream,
			"partition", from.partition, "offset", from.offset, "err", err)
		return false
	}
	info.Duration, info.Emitted = time.Since(start), emitted
	if err != nil {
		info.Kind = failureKind(err)
		if !IsPermanent(err) && retriesLeft > 0 && len(raw) <= r.cfg.MaxRecordBytes {
			info.Outcome = OutcomeRetry
			r.toRetry(g, in.stream, raw, err, attempt, retriesLeft-1, from)
		} else {
			info.Outcome = OutcomeError
			r.toError(g, in.stream, raw, err, attempt, from)
		}
		r.cfg.Logger.Debug("event failed", "job", r.job.Name, "stream", in.stream, "partition", from.partition,
			"offset", from.offset, "key", g.Key(), "attempt", attempt, "outcome", info.Outcome, "err", err)
	}
	r.observe(info)
	return true
}

// await calls the handler again, with a capped backoff, for as long as it
// fails because something it needs is unavailable: the partition waits
// (and the job says so in Waiting) rather than sending the event to the
// retry or error topic. It reports false if the partition stopped
// meanwhile.
func (r *Runner[S]) await(g record, in Input[S], raw []byte, attempt int, err error) (int, error, bool) {
	part := fmt.Sprintf("partition %d", g.Partition())
	defer r.waits.end(part)
	var b backoff
	for {
		r.waits.start(part, "a store or service the handler needs", err)
		if !b.wait(g.Context()) {
			return 0, err, false
		}
		emitted, err := r.try(g, in, raw, attempt)
		if !IsUnavailable(err) {
			return emitted, err, true
		}
	}
}

// try validates, decodes and handles one event, then applies its effects.
func (r *Runner[S]) try(g record, in Input[S], raw []byte, attempt int) (emitted int, err error) {
	if in.opts.schema {
		if err := r.cfg.Schemas.Validate(raw); err != nil {
			var de *event.DecodeError
			if errors.As(err, &de) {
				return 0, &undecodable{err: err}
			}
			return 0, &undecodable{err: &schemaInvalid{err: err}}
		}
	}
	c := r.newContext(g, in.stream, attempt)
	func() {
		defer func() {
			if p := recover(); p != nil {
				err = &PanicError{Value: p, Stack: string(debug.Stack())}
			}
		}()
		err = in.handle(c, raw)
	}()
	if err != nil {
		return 0, err
	}
	return c.commit()
}

// newContext returns the Context of one call of a handler on g: a new one,
// or the one a record that handles records one at a time reuses (see
// contextReuser), reset.
func (r *Runner[S]) newContext(g record, stream Stream, attempt int) *Context[S] {
	var c *Context[S]
	emits := []pending(nil)
	if cr, ok := g.(contextReuser[S]); ok {
		c = cr.reusedContext()
		clear(c.emits) // let go of the last record's values
		emits = c.emits[:0]
	} else {
		c = new(Context[S])
	}
	*c = Context[S]{g: g, codec: r.job.State, logger: r.cfg.Logger, outputs: r.outputs, stream: stream,
		attempt: attempt, loop: r.job.Loop != nil, now: r.cfg.Now, timers: r.timers, emits: emits}
	if sc, ok := g.(stateCache[S]); ok {
		c.cache = sc
	}
	return c
}

// contextReuser is the optional capability of a record to lend the
// Context of its handler calls: EngineRipple's worker handles one record
// at a time, so one Context serves them all, without an allocation (and
// the slice of its emits) per record. A Context is valid only during the
// handler call.
type contextReuser[S any] interface {
	reusedContext() *Context[S]
}

// isCanary reports whether raw is an event with meta.domain "canary". The
// byte search keeps the common case free of a JSON parse.
func isCanary(raw []byte) bool {
	if !quotesCanary(raw) {
		return false
	}
	env, err := event.PeekEnvelope(raw)
	return err == nil && env.IsCanary()
}

// quotesCanary reports whether raw contains `"canary"`. It searches for
// the tail `canary"`, whose first byte is far rarer in JSON than a quote
// (a search led by a quote stops at every string), then checks the quote
// before it.
func quotesCanary(raw []byte) bool {
	for i := 0; ; {
		j := bytes.Index(raw[i:], []byte(`canary"`))
		if j < 0 {
			return false
		}
		if i+j > 0 && raw[i+j-1] == '"' {
			return true
		}
		i += j + 1
	}
}

// truncate returns at most n bytes of b, cut at a UTF-8 boundary, with a
// note of the original size when cut.
func truncate(b []byte, n int) []byte {
	if len(b) <= n {
		return b
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(b[cut]) {
		cut--
	}
	return append(b[:cut:cut], fmt.Sprintf("... [truncated: %d bytes in all]", len(b))...)
}

func (r *Runner[S]) emitterID() string {
	if r.cfg.EmitterID != "" {
		return r.cfg.EmitterID
	}
	return "ripple/" + string(r.job.Name)
}

func (r *Runner[S]) toRetry(g record, stream Stream, raw []byte, cause error, attempt, retriesLeft int, from origin) {
	now := r.cfg.Now().UTC()
	rs := r.job.retryStream(stream)
	rec := RetryRecord{
		Schema:            retrySchema,
		Meta:              event.Meta{Stream: string(rs), ID: event.NewID(), DT: now},
		EmitterID:         r.emitterID(),
		RetriesLeft:       retriesLeft,
		Reason:            cause.Error(),
		OriginalStream:    string(stream),
		OriginalKey:       g.Key(),
		OriginalPartition: from.partition,
		OriginalOffset:    from.offset,
		Attempt:           attempt,
		DueAt:             now.Add(r.cfg.retryDelay(attempt)),
	}
	if isJSONObject(raw) {
		rec.OriginalEvent = raw
	} else {
		rec.OriginalRaw = raw
	}
	b, _ := json.Marshal(rec) // plain struct: cannot fail
	g.Emit(goka.Stream(rs), g.Key(), b)
}

func (r *Runner[S]) toError(g record, stream Stream, raw []byte, cause error, attempts int, from origin) {
	now := r.cfg.Now().UTC()
	es := r.job.errorStream()
	rec := ErrorRecord{
		Schema:            errorSchema,
		Meta:              event.Meta{Stream: string(es), ID: event.NewID(), DT: now},
		DT:                now,
		EmitterID:         r.emitterID(),
		ErrorType:         failureKind(cause),
		Message:           cause.Error(),
		ErroredStreamName: string(stream),
		Key:               g.Key(),
		Partition:         from.partition,
		Offset:            from.offset,
		Attempts:          attempts,
	}
	rec.SetRaw(raw, r.cfg.MaxRecordBytes)
	if p, ok := asPanic(cause); ok {
		rec.Stack = p.Stack
	}
	b, _ := json.Marshal(rec) // plain struct: cannot fail
	g.Emit(goka.Stream(es), g.Key(), b)
}

// hold returns the callback of a delay processor: it holds each record
// until its due_at, then forwards it to ready. On shutdown a retry is
// forwarded at once (early, never lost); a timer (early false) goes round
// the loopback topic instead, to be held again after the restart.
func (r *Runner[S]) hold(ready Stream, early bool) goka.ProcessCallback {
	return func(g goka.Context, msg any) {
		raw, _ := msg.([]byte)
		var rec struct {
			DueAt time.Time `json:"due_at"`
		}
		_ = json.Unmarshal(raw, &rec) // unreadable: forward now; the job routes it to its error topic
		if d := rec.DueAt.Sub(r.cfg.Now()); d > 0 {
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-g.Context().Done():
				t.Stop()
				if !early {
					g.Loopback(g.Key(), raw)
					return
				}
			}
		}
		g.Emit(goka.Stream(ready), g.Key(), raw)
	}
}

func (r *Runner[S]) observe(info EventInfo) {
	info.Job = r.job.Name
	for _, h := range r.events {
		h.OnEvent(info)
	}
}

// sampleLoop reports partition statistics from stats to the
// PartitionHooks until ctx ends.
func (r *Runner[S]) sampleLoop(ctx context.Context, stats func(context.Context) []PartitionInfo) {
	if len(r.parts) == 0 {
		return
	}
	t := time.NewTicker(r.cfg.StatsInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		infos := stats(ctx)
		owned := make([]int32, 0, len(infos))
		for _, info := range infos {
			owned = append(owned, info.Partition)
			info.Job = r.job.Name
			if st := r.stores.get(info.Partition); st != nil {
				if s, err := st.Stats(); err == nil {
					info.State = &s
				}
			}
			for _, h := range r.parts {
				h.OnPartition(info)
			}
		}
		for _, h := range r.parts {
			if sh, ok := h.(PartitionSetHook); ok {
				sh.OnPartitions(r.job.Name, owned)
			}
		}
	}
}

// gokaStats samples the partitions of a goka processor.
func (r *Runner[S]) gokaStats(ctx context.Context, main *goka.Processor) []PartitionInfo {
	stats := main.StatsWithContext(ctx)
	if stats == nil {
		return nil
	}
	var out []PartitionInfo
	for p, ps := range stats.Group {
		info := PartitionInfo{Partition: p, Lag: map[Stream]int64{}}
		for topic, in := range ps.Input {
			info.Lag[Stream(topic)] = max(in.OffsetLag, 0)
		}
		if ts := ps.TableStats; ts != nil && ts.Recovery != nil {
			info.Recovering = ts.Status == goka.PartitionRecovering
			info.RecoveryLag = max(ts.Recovery.Hwm-ts.Recovery.Offset, 0)
		}
		out = append(out, info)
	}
	return out
}

func kafkaVersion(v string) (sarama.KafkaVersion, error) { return sarama.ParseKafkaVersion(v) }
