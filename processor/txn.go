package processor

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/IBM/sarama"
)

// Exactly-once (Config.ExactlyOnce). The engine's producer is
// transactional, and one transaction spans every partition of the
// process: each CommitInterval, commit pauses every worker at a batch
// boundary, adds the input offsets of the batches they flushed to the
// transaction and commits it, so the records those batches emitted, their
// changelog records (with their markers) and their input offsets are
// committed together. A worker stores a batch's state in Pebble only once
// its transaction is committed; a crash before that leaves the transaction
// open, and the next producer with the same transactional id aborts it
// (restore reads committed records only).

// txnStep is a worker's part in one commit.
type txnStep struct {
	final bool // the worker stops after the commit: its partition goes

	// Set by the worker before it closes ready: the last input offsets
	// of its batches in the transaction, or the error that stopped it.
	marks map[string]int64
	err   error
	ready chan struct{}

	done chan error // the commit's outcome, for the worker
}

// transactionalID names the transactions of this process of the job.
func (e *engine[S]) transactionalID() string {
	return string(e.r.job.Name) + "/" + e.r.cfg.InstanceID
}

// commitLoop commits every CommitInterval until ctx ends or the run fails.
func (e *engine[S]) commitLoop(ctx context.Context) {
	tick := time.NewTicker(e.r.cfg.CommitInterval)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
			if e.commit(false) != nil {
				return
			}
		case <-ctx.Done():
			return
		case <-e.failed:
			return
		}
	}
}

// commit ends the current transaction and begins the next: the workers
// flush and pause, their input offsets join the transaction, it commits,
// and they go on (or stop, if final). A failure aborts the run: the next
// one's producer aborts the open transaction.
func (e *engine[S]) commit(final bool) error {
	e.txnMu.Lock()
	defer e.txnMu.Unlock()
	e.mu.Lock()
	workers := slices.Collect(maps.Values(e.mu.workers))
	e.mu.Unlock()
	var steps []*txnStep
	offsets := map[string][]*sarama.PartitionOffsetMetadata{}
	var err error
	for _, w := range workers {
		st := &txnStep{final: final, ready: make(chan struct{}), done: make(chan error, 1)}
		select {
		case w.txns <- st:
		case <-w.done:
			continue
		case <-e.failed:
			return errors.New("the run failed")
		}
		steps = append(steps, st)
		<-st.ready
		if st.err != nil {
			err = errors.Join(err, fmt.Errorf("partition %d: %w", w.p, st.err))
		}
		for topic, off := range st.marks {
			offsets[topic] = append(offsets[topic], &sarama.PartitionOffsetMetadata{Partition: w.p, Offset: off + 1})
		}
	}
	if err == nil {
		err = e.commitTxn(offsets)
	}
	if err != nil {
		e.abort(err)
	}
	for _, st := range steps {
		st.done <- err
	}
	return err
}

// commitTxn commits the producer's transaction with the given input
// offsets and begins the next.
func (e *engine[S]) commitTxn(offsets map[string][]*sarama.PartitionOffsetMetadata) error {
	if len(offsets) > 0 {
		if err := e.producer.AddOffsetsToTxn(offsets, string(e.r.job.Name)); err != nil {
			return e.txnError("adding input offsets to the transaction", err)
		}
	}
	if err := e.producer.CommitTxn(); err != nil {
		return e.txnError("committing the transaction", err)
	}
	if err := e.producer.BeginTxn(); err != nil {
		return e.txnError("beginning a transaction", err)
	}
	return nil
}

// txnError says what failed; a fenced producer means another process
// commits under this one's transactional id, which no new run cures.
func (e *engine[S]) txnError(what string, err error) error {
	if errors.Is(err, sarama.ErrProducerFenced) {
		return fmt.Errorf("%s: %w: another process runs job %s with InstanceID %q; give each process its own",
			what, err, e.r.job.Name, e.r.cfg.InstanceID)
	}
	return transient(fmt.Errorf("%s: %w", what, err))
}

// commitStep is a worker's part in a commit: flush, hand over the input
// offsets of the batches in the transaction, wait for the outcome, then
// store the committed batches' state.
func (w *worker[S]) commitStep(st *txnStep) error {
	if err := w.flush(); err != nil {
		st.err = err
		close(st.ready)
		return err
	}
	st.marks = map[string]int64{}
	for _, b := range w.flight {
		maps.Copy(st.marks, b.marks)
	}
	close(st.ready)
	select {
	case err := <-st.done:
		if err != nil {
			return nil // the run aborts: nothing of this transaction is stored
		}
	case <-w.e.failed:
		return nil
	}
	for _, b := range w.flight {
		b.committed = true
	}
	return w.settle()
}
