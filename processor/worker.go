package processor

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/IBM/sarama"
	"github.com/lovoo/goka/storage"

	"github.com/ripplestream/ripple/state"
)

// worker owns one partition of a job under EngineRipple: its state, the
// cache in front of it and the batches in flight. One goroutine (run) does
// all of a partition's handling; ConsumeClaim feeds it through in.
type worker[S any] struct {
	e    *engine[S]
	p    int32
	sess sarama.ConsumerGroupSession
	st   storage.Storage

	in       chan *sarama.ConsumerMessage
	acked    chan struct{} // a batch of this worker completed its acks
	queries  chan query    // Runner.Get, answered between records
	txns     chan *txnStep // commits, under ExactlyOnce
	quit     chan struct{} // closed by stop
	done     chan struct{} // closed when run returns
	finished chan error    // run's result

	cache     map[string]*entry[S] // state read or written recently
	maxCached int                  // bound of cache
	dirty     []dirtyKey[S]        // keys written since the last flush
	cur       *batch               // the batch being handled
	rec       loopRecord[S]        // the record being handled
	flight    []*batch             // flushed, in order, awaiting acks
	gaveUp    bool                 // a record was given up: handle no more

	// inputs is what the partition's state has applied: the last batch's
	// sequence and each input's last offset (see state.Inputs). A stateful
	// job stores it with every batch, so a restart resumes right after it.
	inputs state.Inputs
	// resume is the changelog offset a restore of this partition would
	// start after, stored with each batch (see complete).
	resume int64

	lag         sync.Map // topic -> *atomic.Int64
	recovering  atomic.Bool
	recoveryLag atomic.Int64
}

// openWorker opens the partition's state and restores it from the
// changelog, from the offset it stored up to the changelog's end.
func (e *engine[S]) openWorker(sess sarama.ConsumerGroupSession, p int32) (*worker[S], error) {
	st, err := e.builder(e.table, p)
	if err != nil {
		return nil, fmt.Errorf("opening state: %w", err)
	}
	w := e.newWorker(sess, p, st)
	if err := st.Open(); err != nil {
		return nil, fmt.Errorf("opening state: %w", err)
	}
	if err := w.recover(sess.Context()); err != nil {
		w.closeStorage()
		return nil, err
	}
	return w, nil
}

// stateful reports whether the worker's job keeps state, and so marks its
// batches with the input offsets they applied.
func (w *worker[S]) stateful() bool { return w.e.r.job.State != nil }

// newWorker returns the worker of partition p on the state st, not yet
// opened.
func (e *engine[S]) newWorker(sess sarama.ConsumerGroupSession, p int32, st storage.Storage) *worker[S] {
	w := &worker[S]{e: e, p: p, sess: sess, st: st, in: make(chan *sarama.ConsumerMessage, 1024),
		acked: make(chan struct{}, 1), queries: make(chan query), txns: make(chan *txnStep), quit: make(chan struct{}), done: make(chan struct{}),
		finished: make(chan error, 1), cache: map[string]*entry[S]{}, maxCached: maxCached,
		inputs: state.Inputs{Offsets: map[string]int64{}}}
	w.rec.w = w
	return w
}

// recover replays the changelog into the state (see state.Restore),
// rewrites a batch a crash tore, and makes each input resume right after
// the last offset the state applied.
func (w *worker[S]) recover(ctx context.Context) error {
	if !w.stateful() {
		return w.st.MarkRecovered()
	}
	w.recovering.Store(true)
	defer w.recovering.Store(false)
	restored, err := state.Restore(ctx, w.e.client, w.e.table, w.p, w.st, w.recoveryLag.Store)
	if err != nil {
		return err
	}
	if w.resume, err = w.st.GetOffset(-1); err != nil {
		return fmt.Errorf("reading the stored changelog offset: %w", err)
	}
	v, err := w.st.Get(state.InputsKey)
	if err != nil {
		return fmt.Errorf("reading the applied input offsets: %w", err)
	}
	if w.inputs, err = state.DecodeInputs(v); err != nil {
		return err
	}
	w.inputs.Batch = max(w.inputs.Batch, restored.LastBatch)
	if w.inputs.Offsets == nil {
		w.inputs.Offsets = map[string]int64{}
	}
	if len(restored.Torn) > 0 {
		if err := w.repair(restored.Torn); err != nil {
			return fmt.Errorf("rewriting %d keys of a batch torn by a crash: %w", len(restored.Torn), err)
		}
	}
	for topic, off := range w.inputs.Offsets {
		if _, ok := w.e.routes[topic]; ok {
			// The session starts each claim at its committed offset: move
			// it to where the state is, forward (MarkOffset) or back
			// (ResetOffset), since each moves one way only.
			w.sess.MarkOffset(topic, w.p, off+1, "")
			w.sess.ResetOffset(topic, w.p, off+1, "")
		}
	}
	return nil
}

// repair writes the torn keys again with the values they had after the
// last complete batch, in a batch of its own, and waits for it: the
// changelog then ends in a complete batch, and the log cleaner never keeps
// a torn value in place of a complete one.
func (w *worker[S]) repair(keys []string) error {
	w.e.r.cfg.Logger.Warn("a crash left a batch of state changes half in the changelog; writing its keys again",
		"job", w.e.r.job.Name, "partition", w.p, "keys", len(keys))
	w.cur = newBatch()
	for _, k := range keys {
		v, err := w.st.Get(k)
		if err != nil {
			return err
		}
		w.write(k, v, v == nil)
	}
	if err := w.flush(); err != nil {
		return err
	}
	if w.e.eos {
		return nil // the first commit takes it, as any batch
	}
	return w.settle()
}

// lagOf returns where the worker's lag behind the end of topic is kept.
func (w *worker[S]) lagOf(topic string) *atomic.Int64 {
	v, _ := w.lag.LoadOrStore(topic, new(atomic.Int64))
	return v.(*atomic.Int64)
}

func (w *worker[S]) start() {
	go func() { w.finished <- w.run() }()
}

// stop asks the worker to finish and waits for it.
func (w *worker[S]) stop() error {
	close(w.quit)
	return <-w.finished
}

func (w *worker[S]) closeStorage() {
	if err := w.st.Close(); err != nil {
		w.e.r.cfg.Logger.Warn("closing state", "job", w.e.r.job.Name, "partition", w.p, "err", err)
	}
}

// run handles records until stopped, flushing a batch every
// CommitInterval or maxDirty keys, then flushes, waits for the batches in
// flight and closes the state.
func (w *worker[S]) run() (err error) {
	defer close(w.done)
	defer w.closeStorage()
	defer func() {
		switch {
		case w.e.eos:
			// Whatever was not committed stays out: a new run aborts
			// its transaction.
			if err == nil && (len(w.flight) > 0 || len(w.dirty) > 0 || len(w.cur.marks) > 0) {
				err = transient(errors.New("stopped with records not committed"))
			}
		case err == nil:
			err = w.flush()
			fallthrough
		default:
			if werr := w.settle(); err == nil {
				err = werr
			}
		}
		if err != nil {
			w.e.abort(fmt.Errorf("partition %d: %w", w.p, err))
		}
		if release := w.e.r.job.Release; release != nil {
			release(w.p)
		}
	}()
	// Under ExactlyOnce, batches end at commits (see commit) and the run
	// ends with the last one, not with the context.
	var tick <-chan time.Time
	stopping := w.e.ctx.Done()
	if w.e.eos {
		stopping = nil
	} else {
		t := time.NewTicker(w.e.r.cfg.CommitInterval)
		defer t.Stop()
		tick = t.C
	}
	w.cur = newBatch()
	for {
		select {
		case m := <-w.in:
			w.handle(m)
			// Take what else has arrived without the full select.
		burst:
			for range 256 {
				select {
				case m := <-w.in:
					w.handle(m)
				default:
					break burst
				}
			}
			if len(w.dirty) >= maxDirty {
				err = w.flush()
			}
		case <-tick:
			err = w.flush()
		case st := <-w.txns:
			err = w.commitStep(st)
			if err == nil && st.final {
				return nil
			}
		case <-w.acked:
			err = w.complete()
		case q := <-w.queries:
			v, qerr := w.state(q.key)
			q.reply <- answer{v, qerr}
		case <-w.quit:
			return nil
		case <-stopping:
			return nil
		case <-w.e.failed:
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// handle runs the job on one record. Once a record was given up (the
// partition is stopping while the handler's store is down), no later one
// is handled: their offsets must not pass it.
func (w *worker[S]) handle(m *sarama.ConsumerMessage) {
	if w.gaveUp {
		return
	}
	w.rec.m = m
	ok := w.e.routes[m.Topic](&w.rec, m.Value)
	w.rec.m, w.rec.e = nil, nil
	if !ok {
		w.gaveUp = true
		return
	}
	w.cur.marks[m.Topic] = m.Offset
}

// query asks a worker for the state of a key as its handlers see it.
type query struct {
	key   string
	reply chan answer
}

type answer struct {
	value []byte
	err   error
}

// get returns the state of key as the worker's handlers see it now.
func (w *worker[S]) get(ctx context.Context, key string) ([]byte, error) {
	q := query{key: key, reply: make(chan answer, 1)}
	select {
	case w.queries <- q:
	case <-w.done:
		return nil, fmt.Errorf("partition %d is being revoked; retry", w.p)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	a := <-q.reply
	return a.value, a.err
}
