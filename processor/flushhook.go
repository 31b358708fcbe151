package processor

import (
	"context"
	"fmt"
	"time"

	"github.com/lovoo/goka"
)

// FlushFunc is a job's hook before its records are committed (Job.Flush):
// it writes out what the job's handlers buffered in partition outside the
// processor's state, such as dependency sets kept for one batched store
// write. A handler may call the job's own function too, before it reads
// what the buffer would change.
//
// The runner calls it in the partition's goroutine, after the handlers of
// the records it is about to commit: under EngineRipple before each batch
// is flushed (every Config.CommitInterval, at the bound of a batch, at a
// transaction's commit, when the partition stops), under EngineGoka after
// each record. An error makes the partition wait and call it again with a
// capped backoff, for as long as it takes: the records are not committed
// meanwhile, so a FlushFunc must keep what it could not write. When the
// partition stops it gets one more minute, with a context that is not
// cancelled; if it still fails, the batch is not committed and the
// partition's next owner handles its records again.
type FlushFunc func(ctx context.Context, partition int32) error

// flushGrace bounds the calls of a FlushFunc once its partition stops.
const flushGrace = time.Minute

// beforeFlush calls the job's Flush before the worker's batch is flushed,
// if the batch handled any record.
func (w *worker[S]) beforeFlush() error {
	if w.e.r.job.Flush == nil || len(w.cur.marks) == 0 {
		return nil
	}
	return w.e.r.callFlush(w.sess.Context(), w.p)
}

// callFlush calls the job's Flush for partition p until it succeeds, as
// FlushFunc says. It fails only when the partition stopped before.
func (r *Runner[S]) callFlush(ctx context.Context, p int32) error {
	part := fmt.Sprintf("partition %d", p)
	defer r.waits.end(part)
	var b backoff
	for {
		err := r.job.Flush(ctx, p)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			break
		}
		r.waits.start(part, "the job's flush before its records are committed", err)
		if !b.wait(ctx) {
			break
		}
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.flushGrace)
	defer cancel()
	b.reset()
	for {
		err := r.job.Flush(ctx, p)
		if err == nil {
			return nil
		}
		if !b.wait(ctx) {
			return transient(fmt.Errorf("job %s stopped partition %d before its Flush succeeded; its records are not committed: %w",
				r.job.Name, p, err))
		}
	}
}

// gokaCallback adapts a callback to goka. goka commits a record whose
// callback returned, so a record given up at shutdown is not handled again
// under EngineGoka; the job's Flush runs after each record, before goka
// may commit it.
func (r *Runner[S]) gokaCallback(cb callback) goka.ProcessCallback {
	return func(g goka.Context, msg any) {
		raw, _ := msg.([]byte)
		cb(g, raw)
		if r.job.Flush == nil {
			return
		}
		if err := r.callFlush(g.Context(), g.Partition()); err != nil {
			r.cfg.Logger.Error("the job's Flush failed; goka commits the record anyway", "job", r.job.Name,
				"partition", g.Partition(), "offset", g.Offset(), "err", err)
		}
	}
}
