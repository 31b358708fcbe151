package processor_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/processor/processortest"
)

// flushJob counts a page's edits and reports the count one minute after
// the first edit of a burst, when a timer fires, whether or not more edits
// arrive. failTimer makes the timer handler fail that many times first.
func flushJob(failTimer int) processor.Job[pageStats] {
	failed := 0
	return processor.Job[pageStats]{
		Name:    "flusher",
		State:   event.JSON[pageStats]{},
		Outputs: []processor.Declared{alerts},
		Inputs: []processor.Input[pageStats]{
			processor.On(edits, event.JSON[edit]{}, func(c *processor.Context[pageStats], key string, ev edit) error {
				st, ok, err := c.State()
				if err != nil {
					return err
				}
				if !ok {
					if err := c.After(time.Minute, key, []byte(`"flush"`)); err != nil {
						return err
					}
				}
				st.Edits++
				return c.SetState(st)
			}),
		},
		Timer: processor.OnTimer(event.JSON[string]{}, func(c *processor.Context[pageStats], key string, what string) error {
			if failed < failTimer {
				failed++
				return errors.New("flush target unavailable")
			}
			st, _, err := c.State()
			if err != nil {
				return err
			}
			if c.Stream() != processor.TimerStream("flusher") || what != "flush" {
				return processor.Permanent(errors.New("timer delivered with the wrong stream or value"))
			}
			if err := alerts.Emit(c, key, alert{Page: key, Edits: st.Edits}); err != nil {
				return err
			}
			return c.DeleteState()
		}),
	}
}

func TestTimerFiresWithoutFurtherEvents(t *testing.T) {
	h := processortest.New(t, flushJob(0), processor.Config{})
	for range 3 {
		h.SendJSON(edits, "Main_Page", edit{Page: "Main_Page", Bytes: 1})
	}
	h.SendJSON(edits, "Other", edit{Page: "Other", Bytes: 1})
	if n := h.Timers(); n != 2 {
		t.Fatalf("%d timers set, want 2 (one per page)", n)
	}
	h.Advance(59 * time.Second)
	if out := h.Output(alerts.Stream()); len(out) != 0 {
		t.Fatalf("timer fired early: %q", out)
	}
	h.Advance(time.Second)
	out := h.Output(alerts.Stream())
	if len(out) != 2 {
		t.Fatalf("got %d flushes, want 2: %q", len(out), out)
	}
	if out[0].Key != "Main_Page" || !strings.Contains(string(out[0].Value), `"edits":3`) {
		t.Errorf("first flush = %s %s, want Main_Page with 3 edits", out[0].Key, out[0].Value)
	}
	if _, ok := h.State("Main_Page"); ok {
		t.Error("state left after the flush")
	}
	// A new burst sets a new timer.
	h.SendJSON(edits, "Main_Page", edit{Page: "Main_Page", Bytes: 1})
	h.Advance(time.Minute)
	if out := h.Output(alerts.Stream()); len(out) != 1 || !strings.Contains(string(out[0].Value), `"edits":1`) {
		t.Errorf("second burst flushes %q, want one flush of 1 edit", out)
	}
	if n := h.Timers(); n != 0 {
		t.Errorf("%d timers left", n)
	}
}

func TestFailingTimerIsRetried(t *testing.T) {
	h := processortest.New(t, flushJob(2), processor.Config{})
	h.SendJSON(edits, "P", edit{Page: "P"})
	h.Advance(time.Minute)
	if out := h.Output(alerts.Stream()); len(out) != 1 {
		t.Fatalf("got %d flushes after two failures and a retry budget of 3, want 1", len(out))
	}
	if errs := h.Errors(); len(errs) != 0 {
		t.Errorf("unexpected error records: %+v", errs)
	}
}

func TestTimerInJobWithoutTimerHandlerIsAnError(t *testing.T) {
	job := processor.Job[pageStats]{
		Name:  "no-timer",
		State: event.JSON[pageStats]{},
		Inputs: []processor.Input[pageStats]{
			processor.On(edits, event.JSON[edit]{}, func(c *processor.Context[pageStats], key string, ev edit) error {
				return c.After(time.Second, key, nil)
			}),
		},
	}
	h := processortest.New(t, job, processor.Config{})
	h.SendJSON(edits, "P", edit{Page: "P"})
	errs := h.Errors()
	if len(errs) != 1 || !strings.Contains(errs[0].Message, "Job.Timer") {
		t.Fatalf("error records %+v, want one naming Job.Timer", errs)
	}
}
