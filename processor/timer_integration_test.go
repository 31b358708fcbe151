//go:build integration

package processor_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/internal/testenv"
	"github.com/ripplestream/ripple/processor"
)

// TestIntegrationTimersFireAndSurviveRestart runs a job whose timers flush
// each page's count a few seconds after its first edit, on the real broker:
// every page is flushed once with its full count though no event follows,
// and a timer set before a shutdown fires after the restart.
func TestIntegrationTimersFireAndSurviveRestart(t *testing.T) {
	j := newJob(t)
	out := processor.NewOutput[alert](processor.Stream(testenv.Name(t, "flushed")), event.JSON[alert]{})
	t.Cleanup(func() {
		timers := string(processor.TimerStream(j.name))
		testenv.DeleteTopics(t, j.cfg, string(out.Stream()), timers, timers+".ready", string(j.name)+".timers-loop")
	})
	def := flushJob(0)
	def.Name = j.name
	def.Outputs = []processor.Declared{out}
	def.Inputs = []processor.Input[pageStats]{processor.On(j.input, event.JSON[edit]{},
		func(c *processor.Context[pageStats], key string, ev edit) error {
			st, ok, err := c.State()
			if err != nil {
				return err
			}
			if !ok {
				if err := c.After(3*time.Second, key, []byte(`"flush"`)); err != nil {
					return err
				}
			}
			st.Edits++
			return c.SetState(st)
		})}
	def.Timer = processor.OnTimer(event.JSON[string]{}, func(c *processor.Context[pageStats], key string, _ string) error {
		st, _, err := c.State()
		if err != nil {
			return err
		}
		if err := out.Emit(c, key, alert{Page: key, Edits: st.Edits}); err != nil {
			return err
		}
		return c.DeleteState()
	})
	start := func(dir string) *running {
		return startRunner(t, def, processor.Config{Brokers: j.cfg.Brokers, StateDir: dir, Hooks: []processor.Hook{j.counter}})
	}
	dir := t.TempDir()
	rn := start(dir)
	var recs []testenv.Record
	for i := range 200 {
		key := fmt.Sprintf("P%d", i%20)
		recs = append(recs, testenv.Record{Key: []byte(key), Value: validEdit(key, i)})
	}
	testenv.Produce(t, j.cfg, string(j.input), recs)
	got := map[string]int{}
	for _, rec := range testenv.ReadTopic(t, j.cfg, string(out.Stream()), 20, 60*time.Second) {
		var a alert
		if err := json.Unmarshal(rec.Value, &a); err != nil {
			t.Fatal(err)
		}
		got[a.Page] += a.Edits
	}
	for i := range 20 {
		if key := fmt.Sprintf("P%d", i); got[key] != 10 {
			t.Errorf("%s flushed with %d edits, want 10 (all: %v)", key, got[key], got)
		}
	}

	// A timer set just before a shutdown fires after the restart.
	processed := j.counter.ok.Load()
	testenv.Produce(t, j.cfg, string(j.input), []testenv.Record{{Key: []byte("Late"), Value: validEdit("Late", 1)}})
	waitProcessed(t, j.counter, processed+1)
	stop(t, rn)
	start(dir)
	recs = testenv.ReadTopic(t, j.cfg, string(out.Stream()), 21, 60*time.Second)
	if last := recs[len(recs)-1]; string(last.Key) != "Late" {
		t.Errorf("last flush is for %q, want Late", last.Key)
	}
}
