package processor

import (
	"strconv"
	"testing"

	"github.com/ripplestream/ripple/event"
)

type countCodec struct{}

func (countCodec) Encode(n int64) ([]byte, error) { return strconv.AppendInt(nil, n, 10), nil }
func (countCodec) Decode(b []byte) (int64, error) { return strconv.ParseInt(string(b), 10, 64) }

// TestFailureAtStopIsGivenUp: a handler that fails while its partition
// stops (a store call cut short by a rebalance: its context ends) sends the
// event to no retry or error topic and leaves no effect; the event is
// given up, and no later one handled, for the partition's next owner to
// handle them again. A handler failing while the partition runs still
// sends the event to the error topic (retries are off here).
func TestFailureAtStopIsGivenUp(t *testing.T) {
	var tw *testWorker[int64]
	job := Job[int64]{Name: "giveup", State: countCodec{},
		Inputs: []Input[int64]{On("in", event.String{}, func(c *Context[int64], key, v string) error {
			if err := c.SetState(1); err != nil {
				return err
			}
			if v == "stop" {
				tw.e.cancel(nil) // the rebalance, while the handler waits on its store
				return c.Context().Err()
			}
			return strconv.ErrSyntax
		})}}
	tw = newTestWorker(t, job, nil)
	tw.send("in", "a", []byte("fails"))
	tw.commit(t)
	if n := len(tw.prod.sent("giveup.error")); n != 1 {
		t.Fatalf("a failure while the partition runs: %d records in the error topic, want 1", n)
	}
	tw.send("in", "b", []byte("stop"))
	tw.send("in", "c", []byte("fails"))
	if !tw.gaveUp {
		t.Error("the event that failed at the stop was not given up")
	}
	if len(tw.cur.marks) != 0 {
		t.Errorf("input offsets marked %v after the stop, want none: the next owner must handle those events", tw.cur.marks)
	}
	if e, ok := tw.cache["b"]; ok && e.dirty {
		t.Errorf("the given-up event left state %q", e.value)
	}
	tw.commit(t)
	if n := len(tw.prod.sent("giveup.error")); n != 1 {
		t.Errorf("a failure while the partition stops: %d records in the error topic, want the first one only", n)
	}
}
