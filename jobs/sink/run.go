package sink

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/processor"
)

// Runner runs one sink: New builds it, Run runs it once.
type Runner struct {
	cfg   Config
	store Store
	opts  []kgo.Opt // the Kafka client's, without consumption

	started atomic.Bool
	ready   atomic.Bool
	mu      struct {
		sync.Mutex
		waiting string
		since   time.Time
		err     error // what stopped Run
	}

	// Owned by Run's goroutine.
	consumer, producer *kgo.Client
	known              map[int32]bool  // partitions consumed
	next               map[int32]int64 // offset after the last record written or rejected
	hwm                map[int32]int64 // high watermarks of the last fetches
}

// New checks cfg and returns the runner of a sink that writes cfg.Input
// to store.
func New(cfg Config, store Store) (*Runner, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if store == nil {
		return nil, fmt.Errorf("%w: sink %s has no store", ErrInvalidConfig, cfg.Name)
	}
	cfg = cfg.WithDefaults()
	kc, _ := cfg.kafka() // checked by Validate
	opts, err := kc.Kgo()
	if err != nil {
		return nil, fmt.Errorf("%w: sink %s: %v", ErrInvalidConfig, cfg.Name, err)
	}
	return &Runner{cfg: cfg, store: store, opts: opts}, nil
}

// Run makes a Runner of cfg and store and runs it (see Runner.Run).
func Run(ctx context.Context, cfg Config, store Store) error {
	r, err := New(cfg, store)
	if err != nil {
		return err
	}
	return r.Run(ctx)
}

// Ready reports whether the sink reads its partitions and waits for
// nothing.
func (r *Runner) Ready() bool { return r.ready.Load() && r.Waiting() == "" }

// Waiting says what the sink waits for (a store that fails, Kafka) and
// since when; "" when nothing.
func (r *Runner) Waiting() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.mu.waiting == "" {
		return ""
	}
	return fmt.Sprintf("%s (since %s)", r.mu.waiting, r.mu.since.Format(time.RFC3339))
}

// Healthy returns nil while the sink runs, else the error that stopped it.
func (r *Runner) Healthy() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.mu.err
}

func (r *Runner) wait(what string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.mu.waiting == "" {
		r.mu.since = time.Now()
	}
	r.mu.waiting = what
}

func (r *Runner) waited() { r.wait(""); r.mu.Lock(); r.mu.since = time.Time{}; r.mu.Unlock() }

// Run reads the input from the store's offsets and writes it to the store
// until ctx is cancelled, then returns nil after the batch it is writing
// (a batch cut short by the cancel is not written, and is read again by
// the next Run). It returns an error only for what waiting cannot cure:
// an input that does not appear within InputWait, an error topic it cannot
// create. A store that fails is retried for as long as it takes.
func (r *Runner) Run(ctx context.Context) (err error) {
	if r.started.Swap(true) {
		return ErrStopped
	}
	defer func() {
		if err != nil {
			r.mu.Lock()
			r.mu.err = err
			r.mu.Unlock()
		}
		r.ready.Store(false)
	}()
	r.producer, err = kgo.NewClient(slices.Concat(r.opts, []kgo.Opt{kgo.ProducerLinger(0)})...)
	if err != nil {
		return fmt.Errorf("sink %s: Kafka client: %w", r.cfg.Name, err)
	}
	defer r.producer.Close()
	parts, err := r.waitForInput(ctx)
	if err != nil || ctx.Err() != nil {
		return err
	}
	if err := r.createErrorTopic(len(parts)); err != nil {
		return err
	}
	start, err := r.offsets(ctx, parts)
	if err != nil {
		return nil // cancelled while the store was down
	}
	r.consumer, err = kgo.NewClient(slices.Concat(r.opts, []kgo.Opt{
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{string(r.cfg.Input): start}),
		// An offset the topic no longer has (retention deleted it while
		// the sink was stopped) resumes at the oldest record it has.
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		// Outputs of exactly-once jobs count once they are committed.
		kgo.FetchIsolationLevel(kgo.ReadCommitted())})...)
	if err != nil {
		return fmt.Errorf("sink %s: Kafka client: %w", r.cfg.Name, err)
	}
	defer r.consumer.Close()
	r.ready.Store(true)
	r.cfg.Logger.Info("sink started", "sink", r.cfg.Name, "input", r.cfg.Input, "partitions", len(parts))
	nextCheck := time.Now().Add(r.cfg.PartitionPoll)
	for ctx.Err() == nil {
		if !time.Now().Before(nextCheck) {
			r.addPartitions(ctx)
			nextCheck = time.Now().Add(r.cfg.PartitionPoll)
		}
		recs := r.collect(ctx, nextCheck)
		if len(recs) == 0 || ctx.Err() != nil {
			continue
		}
		if err := r.write(ctx, r.batch(recs)); err != nil {
			return nil // cancelled while the store or Kafka was down
		}
	}
	return nil
}

// collect polls up to BatchSize records: it waits for the first until
// ctx ends or until, then for more up to BatchWait after the first.
func (r *Runner) collect(ctx context.Context, until time.Time) []*kgo.Record {
	var recs []*kgo.Record
	pctx, cancel := context.WithDeadline(ctx, until)
	defer cancel()
	for len(recs) < r.cfg.BatchSize {
		f := r.consumer.PollRecords(pctx, r.cfg.BatchSize-len(recs))
		f.EachPartition(func(p kgo.FetchTopicPartition) {
			if p.HighWatermark >= 0 {
				r.hwm[p.Partition] = p.HighWatermark
			}
		})
		for _, fe := range f.Errors() {
			if !errors.Is(fe.Err, context.Canceled) && !errors.Is(fe.Err, context.DeadlineExceeded) && fe.Topic != "" {
				r.cfg.Logger.Warn("sink fetch", "sink", r.cfg.Name, "topic", fe.Topic, "partition", fe.Partition, "err", fe.Err)
			}
		}
		first := len(recs) == 0
		recs = append(recs, f.Records()...)
		if pctx.Err() != nil {
			break
		}
		if first && len(recs) > 0 { // once: the batch waits BatchWait from its first record
			bctx, bcancel := context.WithTimeout(ctx, r.cfg.BatchWait)
			defer bcancel()
			pctx = bctx
		}
	}
	return recs
}

// batch makes the Batch of recs, in the order read (offset order per
// partition).
func (r *Runner) batch(recs []*kgo.Record) Batch {
	b := Batch{Topic: string(r.cfg.Input), Records: make([]Record, 0, len(recs)), Next: map[int32]int64{}}
	for _, kr := range recs {
		b.Records = append(b.Records, Record{Topic: kr.Topic, Partition: kr.Partition, Offset: kr.Offset,
			Key: kr.Key, Value: kr.Value, Time: kr.Timestamp})
		b.Next[kr.Partition] = kr.Offset + 1
	}
	return b
}

// write writes b, sending what the store rejects to the error topic and
// retrying failures, until it is written; it fails only when ctx ends.
func (r *Runner) write(ctx context.Context, b Batch) error {
	n, rejected := len(b.Records), 0
	for try := 1; ; try++ {
		began := time.Now()
		err := r.store.Write(ctx, b)
		if err == nil {
			r.waited()
			r.written(b, n-rejected, rejected, time.Since(began))
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if inv := Rejected(err); len(inv) > 0 {
			if err := r.reject(ctx, inv); err != nil {
				return err
			}
			kept := drop(b.Records, inv)
			rejected += len(b.Records) - len(kept)
			if len(kept) == len(b.Records) { // rejected records not in the batch: a store bug
				err = fmt.Errorf("store rejected records that are not in the batch: %w", err)
			} else {
				b.Records, try = kept, 0
				continue
			}
		}
		d := r.cfg.retryDelay(try)
		r.wait(fmt.Sprintf("store of sink %s failed %d times, retrying in %v: %v", r.cfg.Name, try, d, err))
		r.cfg.Logger.Warn("sink store failed", "sink", r.cfg.Name, "try", try, "retry_in", d, "err", err)
		if r.cfg.Hook != nil {
			r.cfg.Hook.StoreFailed(r.cfg.Name, b.Topic, err)
		}
		if err := pause(ctx, d); err != nil {
			return err
		}
	}
}

func (r *Runner) written(b Batch, written, rejected int, took time.Duration) {
	for p, o := range b.Next {
		r.next[p] = o
	}
	h := r.cfg.Hook
	if h == nil {
		return
	}
	h.Wrote(r.cfg.Name, b.Topic, written, rejected, took)
	for p := range b.Next {
		if hw, ok := r.hwm[p]; ok {
			h.Lag(r.cfg.Name, b.Topic, p, max(0, hw-r.next[p]))
		}
	}
}

// drop returns recs without those of inv.
func drop(recs []Record, inv []*Invalid) []Record {
	type at struct {
		p int32
		o int64
	}
	bad := make(map[at]bool, len(inv))
	for _, i := range inv {
		bad[at{i.Record.Partition, i.Record.Offset}] = true
	}
	kept := make([]Record, 0, len(recs))
	for _, rec := range recs {
		if !bad[at{rec.Partition, rec.Offset}] {
			kept = append(kept, rec)
		}
	}
	return kept
}

// reject sends inv to the error topic, retrying until the broker
// acknowledges them or ctx ends.
func (r *Runner) reject(ctx context.Context, inv []*Invalid) error {
	now := time.Now().UTC()
	recs := make([]*kgo.Record, 0, len(inv))
	for _, i := range inv {
		er := processor.ErrorRecord{
			Schema:            processor.ErrorSchema,
			Meta:              event.Meta{Stream: string(r.cfg.Errors), ID: event.NewID(), DT: now},
			DT:                now,
			EmitterID:         "ripple/sink/" + r.cfg.Name,
			ErrorType:         "sink",
			Message:           fmt.Sprintf("sink %s: %v", r.cfg.Name, i.Err),
			ErroredStreamName: i.Record.Topic,
			Key:               string(i.Record.Key),
			Partition:         i.Record.Partition,
			Offset:            i.Record.Offset,
			Attempts:          1,
		}
		er.SetRaw(i.Record.Value, r.cfg.MaxRecordBytes)
		v, _ := json.Marshal(er) // plain struct: cannot fail
		recs = append(recs, &kgo.Record{Topic: string(r.cfg.Errors), Key: i.Record.Key, Value: v})
		r.cfg.Logger.Warn("sink rejected a record", "sink", r.cfg.Name, "err", i)
	}
	for try := 1; ; try++ {
		err := r.producer.ProduceSync(ctx, recs...).FirstErr()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		d := r.cfg.retryDelay(try)
		r.wait(fmt.Sprintf("sink %s cannot write to its error topic %s, retrying in %v: %v", r.cfg.Name, r.cfg.Errors, d, err))
		if err := pause(ctx, d); err != nil {
			return err
		}
	}
}

// pause waits d or until ctx ends.
func pause(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
