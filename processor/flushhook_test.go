package processor

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/state"
)

// flushJob buffers each event's key outside the processor and writes the
// buffer to written in its Flush, which fails while failing > 0.
type flushJob struct {
	buffered, written []string
	failing           int
	calls             int
	storedAtFlush     []byte // the batch marker stored when Flush ran
	st                func() []byte
	handled           chan struct{} // if set, told of each handled event
	released          []int32       // the partitions Release was called for
	bufferedAtRelease []string
}

func (f *flushJob) job() Job[[]byte] {
	return Job[[]byte]{
		Name:  "flushhook",
		State: event.Raw{},
		Inputs: []Input[[]byte]{On("in", event.Raw{}, func(c *Context[[]byte], key string, raw []byte) error {
			f.buffered = append(f.buffered, key)
			if f.handled != nil {
				f.handled <- struct{}{}
			}
			return c.SetState(raw)
		})},
		Flush: func(ctx context.Context, p int32) error {
			f.calls++
			if err := ctx.Err(); err != nil {
				return err // a write with it would fail
			}
			if f.st != nil {
				f.storedAtFlush = f.st()
			}
			if f.failing > 0 {
				f.failing--
				return errors.New("store unavailable")
			}
			f.written = append(f.written, f.buffered...)
			f.buffered = nil
			return nil
		},
		Release: func(p int32) {
			f.released = append(f.released, p)
			f.bufferedAtRelease = append(f.bufferedAtRelease, f.buffered...)
			f.buffered = nil
		},
	}
}

func TestFlushRunsBeforeTheBatchIsStoredAndWaitsUntilItSucceeds(t *testing.T) {
	f := &flushJob{failing: 2}
	tw := newTestWorker(t, f.job(), nil)
	f.st = func() []byte { return tw.stored(t, state.InputsKey) }
	tw.commit(t)
	if f.calls != 0 {
		t.Fatalf("Flush called %d times for a batch of no record, want 0", f.calls)
	}
	tw.send("in", "a", []byte("1"))
	tw.send("in", "b", []byte("2"))
	tw.commit(t)
	if f.calls != 3 {
		t.Errorf("Flush called %d times (failing twice), want 3", f.calls)
	}
	if !slices.Equal(f.written, []string{"a", "b"}) {
		t.Errorf("Flush wrote %v, want [a b]", f.written)
	}
	if f.storedAtFlush != nil {
		t.Errorf("the batch's input offsets were stored before Flush succeeded: %q", f.storedAtFlush)
	}
	if tw.stored(t, state.InputsKey) == nil || string(tw.stored(t, "b")) != "2" {
		t.Errorf("the batch was not stored after Flush succeeded")
	}
}

func TestFlushOfAStoppedPartitionGetsALiveContext(t *testing.T) {
	f := &flushJob{}
	tw := newTestWorker(t, f.job(), nil)
	tw.send("in", "a", []byte("1"))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	tw.sess = &fakeSession{ctx: ctx}
	if err := tw.flush(); err != nil {
		t.Fatalf("flush of a stopped partition: %v", err)
	}
	if f.calls != 2 || !slices.Equal(f.written, []string{"a"}) {
		t.Errorf("Flush called %d times and wrote %v, want 2 (the stopped context, then a live one) and [a]", f.calls, f.written)
	}
}

func TestReleaseAfterTheLastFlushOfAStoppingPartition(t *testing.T) {
	for _, failing := range []int{0, 1 << 30} {
		f := &flushJob{failing: failing, handled: make(chan struct{}, 1)}
		tw := newTestWorker(t, f.job(), nil)
		tw.e.r.flushGrace = 10 * time.Millisecond
		tw.e.failed = make(chan struct{})
		claim, endClaim := context.WithCancel(context.Background())
		tw.sess = &fakeSession{ctx: claim}
		tw.in <- &sarama.ConsumerMessage{Topic: "in", Key: []byte("a"), Value: []byte("1"), Offset: 1}
		tw.start()
		<-f.handled
		endClaim() // as a rebalance ends the claim, then stops its worker
		err := tw.stop()
		if !slices.Equal(f.released, []int32{0}) {
			t.Errorf("Flush failing %d times: Release called for partitions %v, want [0]", failing, f.released)
		}
		if failing == 0 {
			if err != nil || !slices.Equal(f.written, []string{"a"}) || len(f.bufferedAtRelease) != 0 {
				t.Errorf("a Flush that succeeds at stop: err %v, wrote %v, left %v to Release; want nil, [a], []",
					err, f.written, f.bufferedAtRelease)
			}
			continue
		}
		if err == nil || len(f.written) != 0 || !slices.Equal(f.bufferedAtRelease, []string{"a"}) {
			t.Errorf("a Flush that fails at stop: err %v, wrote %v, left %v to Release; want an error, [], [a]",
				err, f.written, f.bufferedAtRelease)
		}
	}
}
