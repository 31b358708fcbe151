// A worker's batches: the records handled between two flushes, sent to
// the changelog and tracked until acknowledged, then retired.

package processor

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ripplestream/ripple/state"
)

// Bounds of a worker's cache.
const (
	// maxDirty is how many keys a batch may change before it is flushed
	// ahead of CommitInterval.
	maxDirty = 20_000
	// maxCached is how many keys a worker keeps in memory (worker.maxCached
	// unless a test lowers it); beyond it, stored entries are dropped (they
	// are read again from Pebble).
	maxCached = 50_000
	// maxInFlight bounds the flushed batches of one partition awaiting
	// acknowledgement; the worker waits for the oldest beyond it.
	maxInFlight = 8
)

// flush ends the current batch: one changelog record per key it changed
// (coalesced: the last value only), after the records its handlers
// emitted, once the job's Flush wrote what its handlers buffered. The
// batch completes when all are acknowledged and, for a
// stateful job, then its marker (see mark).
func (w *worker[S]) flush() error {
	if err := w.beforeFlush(); err != nil {
		return err
	}
	b := w.cur
	if len(b.marks) == 0 && len(w.dirty) == 0 && b.pending.Load() == 1 {
		return nil
	}
	w.cur = newBatch()
	if w.stateful() {
		w.inputs.Batch++
		b.seq = w.inputs.Batch
		for topic, off := range b.marks {
			w.inputs.Offsets[topic] = off
		}
		b.inputs = w.inputs.Encode()
	}
	if len(w.dirty) > 0 {
		b.muts = make([]state.Mutation, 0, len(w.dirty)+1)
		meta := &produced{batch: b, partition: w.p, seq: state.BatchHeaderValue(b.seq)}
		ents := make([]*entry[S], len(w.dirty))
		for i, d := range w.dirty {
			e := d.e
			e.dirty, e.batch = false, b
			ents[i] = e
			b.muts = append(b.muts, state.Mutation{Key: d.key, Value: e.value, Delete: e.deleted})
			var v []byte
			if !e.deleted {
				v = e.value
			}
			w.send(w.e.table, d.key, v, meta)
		}
		clear(w.dirty) // drop the entries for the collector
		w.dirty = w.dirty[:0]
		// Once stored, the entries are no longer the batch's to keep.
		b.stored = func() {
			for _, e := range ents {
				if e.batch == b {
					e.batch = nil
				}
			}
		}
	}
	w.flight = append(w.flight, b)
	b.seal(w.acked)
	if w.e.eos {
		// The marker goes in the same transaction, which commits it with
		// the batch or not at all; the batch completes at the commit.
		if b.inputs != nil {
			w.mark(b)
		}
		return nil
	}
	if err := w.complete(); err != nil {
		return err
	}
	for len(w.flight) > maxInFlight {
		select {
		case <-w.flight[0].wait():
		case <-w.e.failed:
			return nil
		}
		if err := w.complete(); err != nil {
			return err
		}
	}
	return nil
}

// mark sends the marker of batch b, once every other record of b is
// acknowledged: the InputsKey record with the input offsets b reaches, in
// b's changelog partition after b's state records. A restore applies b
// only once it reads the marker, and the input offsets are stored with b's
// state, so a restart neither applies b's events twice nor loses the
// outputs they emitted.
func (w *worker[S]) mark(b *batch) {
	b.marker = newBatch()
	w.send(w.e.table, state.InputsKey, b.inputs, &produced{batch: b.marker, partition: w.p, seq: state.BatchHeaderValue(b.seq)})
	b.marker.seal(w.acked)
}

// complete retires the acknowledged batches at the head of the flight, in
// order: each one's state, its input offsets and its changelog offset go
// to Pebble in one batch, then its input offsets are marked for commit.
func (w *worker[S]) complete() error {
	for len(w.flight) > 0 {
		b := w.flight[0]
		select {
		case <-b.done:
		default:
			return nil
		}
		if w.e.eos && !b.committed {
			return nil
		}
		if b.err != nil {
			return b.err
		}
		offset := b.tableOffset
		if b.inputs != nil {
			if b.marker == nil {
				w.mark(b)
			}
			select {
			case <-b.marker.done:
			default:
				return nil
			}
			if b.marker.err != nil {
				return b.marker.err
			}
			// The next batch's records may precede this marker in the
			// changelog (they are sent while it waits for this batch's
			// acknowledgements), so a restore resumes at this batch's
			// first record, never after its marker: were the store to
			// lose the next batch (a full disk loses writes Pebble
			// acknowledged), a restore from after this marker would
			// miss that batch's first records and apply the rest. A
			// batch of no state records leaves the point where it was.
			if b.tableFirst >= 0 {
				w.resume = b.tableFirst - 1
			}
			offset = w.resume
			b.muts = append(b.muts, state.Mutation{Key: state.InputsKey, Value: b.inputs})
		}
		if err := state.Write(w.st, b.muts, offset); err != nil {
			return fmt.Errorf("storing state with changelog offset %d: %w", offset, err)
		}
		if b.stored != nil {
			b.stored()
		}
		for topic, off := range b.marks {
			w.sess.MarkOffset(topic, w.p, off+1, "")
		}
		w.flight = w.flight[1:]
	}
	w.evict()
	return nil
}

// settle waits for the batches in flight and retires them. While the job
// runs it waits as long as it takes (the producer retries until the broker
// is back); once the job is stopping it gives them a minute.
func (w *worker[S]) settle() error {
	var deadline <-chan time.Time
	stopping := w.e.ctx.Done()
	for len(w.flight) > 0 {
		select {
		case <-w.flight[0].wait():
			if err := w.complete(); err != nil {
				return err
			}
		case <-w.e.failed:
			return nil // their offsets must not be marked
		case <-stopping:
			stopping = nil
			t := time.NewTimer(time.Minute)
			defer t.Stop()
			deadline = t.C
		case <-deadline:
			return fmt.Errorf("%d batches not acknowledged within a minute of shutdown", len(w.flight))
		}
	}
	return nil
}

// batch is the records handled between two flushes, tracked until every
// record it produced is acknowledged.
type batch struct {
	// pending counts records sent and not acknowledged, plus one until
	// the batch is sealed.
	pending atomic.Int64
	done    chan struct{}
	notify  chan<- struct{}
	marks   map[string]int64 // topic -> last offset handled
	muts    []state.Mutation // the state it wrote
	stored  func()           // releases its cache entries once muts are stored
	emitted *produced        // metadata of the records its handlers emitted

	// seq numbers the batch among its partition's; inputs is its marker's
	// value and marker the marker's own tracking, once sent (stateful
	// jobs only; see worker.mark).
	seq    int64
	inputs []byte
	marker *batch

	committed bool // its transaction committed (ExactlyOnce only)

	mu          sync.Mutex
	tableOffset int64 // highest changelog offset acknowledged
	tableFirst  int64 // lowest changelog offset acknowledged
	err         error
}

func newBatch() *batch {
	b := &batch{done: make(chan struct{}), marks: map[string]int64{}, tableOffset: -1, tableFirst: -1}
	b.emitted = &produced{batch: b, partition: -1}
	b.pending.Store(1)
	return b
}

// wait returns what to wait on before the batch can complete: its records'
// acknowledgements, then its marker's.
func (b *batch) wait() <-chan struct{} {
	select {
	case <-b.done:
		if b.marker != nil {
			return b.marker.done
		}
	default:
	}
	return b.done
}

// seal says no record will be added; notify is signalled on completion.
func (b *batch) seal(notify chan<- struct{}) {
	b.notify = notify
	b.release()
}

func (b *batch) release() {
	if b.pending.Add(-1) == 0 {
		close(b.done)
		if b.notify != nil {
			select {
			case b.notify <- struct{}{}:
			default:
			}
		}
	}
}

func (b *batch) ack(table bool, offset int64) {
	if table {
		b.mu.Lock()
		b.tableOffset = max(b.tableOffset, offset)
		if b.tableFirst < 0 || offset < b.tableFirst {
			b.tableFirst = offset
		}
		b.mu.Unlock()
	}
	b.release()
}

func (b *batch) failed(err error) {
	b.mu.Lock()
	if b.err == nil {
		b.err = err
	}
	b.mu.Unlock()
	b.release()
}
