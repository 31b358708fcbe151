//go:build integration

package processor_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lovoo/goka"
	"github.com/lovoo/goka/codec"
	"github.com/lovoo/goka/storage"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/internal/jobtest"
	"github.com/ripplestream/ripple/internal/kafkaclient"
	"github.com/ripplestream/ripple/internal/testenv"
	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/schemas"
)

// counted is an EventHook that counts outcomes.
type counted struct{ ok, errs, retries, dropped atomic.Int64 }

func (c *counted) OnEvent(e processor.EventInfo) {
	switch e.Outcome {
	case processor.OutcomeOK:
		c.ok.Add(1)
	case processor.OutcomeError:
		c.errs.Add(1)
	case processor.OutcomeRetry:
		c.retries.Add(1)
	case processor.OutcomeDropped:
		c.dropped.Add(1)
	}
}

type job struct {
	name    processor.Group
	input   processor.Stream
	cfg     kafkaclient.Config
	counter *counted
}

// newJob makes a fresh input stream with 4 partitions and a counting job
// definition over it.
func newJob(t *testing.T) job {
	kc := testenv.Kafka(t)
	name := processor.Group(testenv.Name(t, "job"))
	input := processor.Stream(testenv.Name(t, "in"))
	testenv.CreateTopic(t, kc, string(input), 4)
	t.Cleanup(func() {
		testenv.DeleteTopics(t, kc, string(name)+"-table", string(name)+".error",
			string(name)+".retry."+string(input), string(name)+".retry."+string(input)+".ready")
	})
	return job{name: name, input: input, cfg: kc, counter: &counted{}}
}

func (j job) definition() processor.Job[pageStats] {
	d := countJob(nil)
	d.Name = j.name
	d.Outputs = nil
	d.Inputs = []processor.Input[pageStats]{processor.On(j.input, event.JSON[edit]{}, countEdit, processor.ValidateSchema())}
	return d
}

// running is a job of these tests, run by jobtest.
type running = jobtest.Running[pageStats]

func (j job) start(t *testing.T, stateDir string) *running {
	t.Helper()
	repo, err := event.OpenRepositoryFS(schemas.FS())
	if err != nil {
		t.Fatal(err)
	}
	return startRunner(t, j.definition(), processor.Config{
		Brokers: j.cfg.Brokers, StateDir: stateDir, Schemas: repo,
		Hooks: []processor.Hook{j.counter}, RetryDelay: 10 * time.Millisecond, MaxRetryDelay: 20 * time.Millisecond,
	})
}

// startRunner runs def with cfg until the test ends and waits until it is
// ready.
func startRunner(t *testing.T, def processor.Job[pageStats], cfg processor.Config) *running {
	t.Helper()
	return jobtest.StartReady(t, def, cfg)
}

// stop stops rn, failing t if it does not stop cleanly.
func stop(t *testing.T, rn *running) {
	t.Helper()
	if err := rn.Stop(); err != nil {
		t.Errorf("job stopped with error: %v", err)
	}
}

// produce emits n valid resource_change-shaped edits over keys P0..P(keys-1)
// with goka's partitioner and adds them to want.
func (j job) produce(t *testing.T, from, n, keys int, want map[string]pageStats) {
	t.Helper()
	em, err := goka.NewEmitter(j.cfg.Brokers, goka.Stream(j.input), new(codec.Bytes), j.cfg.EmitterOptions()...)
	if err != nil {
		t.Fatal(err)
	}
	for i := from; i < from+n; i++ {
		key := fmt.Sprintf("P%d", i%keys)
		if _, err := em.Emit(key, validEdit(key, i)); err != nil {
			t.Fatal(err)
		}
		st := want[key]
		st.Edits++
		st.Bytes += i
		want[key] = st
	}
	if err := em.Finish(); err != nil {
		t.Fatalf("producing: %v", err)
	}
}

func validEdit(key string, i int) []byte {
	return []byte(fmt.Sprintf(`{"$schema":"/resource_change/1.0.0","meta":{"stream":"edits","dt":"2026-11-01T00:00:00Z","uri":"https://en.wikipedia.org/wiki/%s","id":"b0caf18d-6c7f-4403-947d-2712bbe28610"},"tags":["t"],"page":%q,"bytes":%d}`, key, key, i))
}

// checkTable reads the job's changelog through a goka view and compares it
// with want.
func (j job) checkTable(t *testing.T, want map[string]pageStats) {
	t.Helper()
	view, err := goka.NewView(j.cfg.Brokers, goka.GroupTable(goka.Group(j.name)), new(codec.Bytes),
		append(j.cfg.ViewOptions(), goka.WithViewStorageBuilder(storage.MemoryBuilder()))...)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- view.Run(ctx) }()
	defer func() { cancel(); <-done }()
	testenv.Eventually(t, 60*time.Second, func() error {
		for key, w := range want {
			v, err := view.Get(key)
			if err != nil {
				return err
			}
			b, _ := v.([]byte)
			got, err := event.JSON[pageStats]{}.Decode(b)
			if b == nil || err != nil || got != w {
				return fmt.Errorf("changelog state of %s = %s, want %+v", key, b, w)
			}
		}
		return nil
	})
}

func waitProcessed(t *testing.T, c *counted, n int64) {
	t.Helper()
	// Generous: under -race, with other packages' tests beside it, goka
	// processes only a few thousand events a second here.
	testenv.Eventually(t, 10*time.Minute, func() error {
		if got := c.ok.Load() + c.errs.Load(); got < n {
			return fmt.Errorf("processed %d of %d", got, n)
		}
		return nil
	})
}

func TestIntegrationStatefulJobIsExactAndRecovers(t *testing.T) {
	j := newJob(t)
	want := map[string]pageStats{}
	j.produce(t, 0, 100_000, 1000, want)
	r := j.start(t, t.TempDir())
	waitProcessed(t, j.counter, 100_000)
	for _, key := range []string{"P0", "P1", "P999"} {
		if got, ok, err := r.Get(key); err != nil || !ok || got != want[key] {
			t.Fatalf("local state of %s = %+v %v %v, want %+v", key, got, ok, err, want[key])
		}
	}
	j.checkTable(t, want)
	if e := j.counter.errs.Load(); e != 0 {
		t.Fatalf("%d events went to the error topic", e)
	}
	stop(t, r)

	// Restart on empty local state: it is recovered from the changelog and
	// counting continues from it.
	r2 := j.start(t, t.TempDir())
	if got, _, err := r2.Get("P7"); err != nil || got != want["P7"] {
		t.Fatalf("recovered state of P7 = %+v (%v), want %+v", got, err, want["P7"])
	}
	j.produce(t, 100_000, 5_000, 1000, want)
	waitProcessed(t, j.counter, 105_000)
	j.checkTable(t, want)
}

func TestIntegrationRebalanceKeepsState(t *testing.T) {
	j := newJob(t)
	want := map[string]pageStats{}
	j.produce(t, 0, 4_000, 200, want)
	a := j.start(t, t.TempDir())
	waitProcessed(t, j.counter, 4_000)

	b := j.start(t, t.TempDir()) // joins the group: partitions are split
	j.produce(t, 4_000, 4_000, 200, want)
	waitProcessed(t, j.counter, 8_000)
	j.checkTable(t, want)
	owned := 0
	for key, w := range want {
		for _, r := range []*running{a, b} {
			if got, ok, err := r.Get(key); err == nil && ok {
				if got != w {
					t.Fatalf("state of %s on an owner = %+v, want %+v", key, got, w)
				}
				owned++
			}
		}
	}
	if owned < len(want) {
		t.Fatalf("only %d of %d keys found on the two instances", owned, len(want))
	}

	stop(t, a) // b takes every partition over, recovering a's state
	j.produce(t, 8_000, 2_000, 200, want)
	waitProcessed(t, j.counter, 10_000)
	j.checkTable(t, want)
	testenv.Eventually(t, 60*time.Second, func() error {
		for key, w := range want {
			got, ok, err := b.Get(key)
			if err != nil || !ok || got != w {
				return fmt.Errorf("after rebalance, state of %s on the survivor = %+v %v %v, want %+v", key, got, ok, err, w)
			}
		}
		return nil
	})
}

func TestIntegrationBadInputIsRoutedAndCounted(t *testing.T) {
	j := newJob(t)
	em, err := goka.NewEmitter(j.cfg.Brokers, goka.Stream(j.input), new(codec.Bytes), j.cfg.EmitterOptions()...)
	if err != nil {
		t.Fatal(err)
	}
	const n = 3000
	var valid, bad int64
	want := map[string]pageStats{}
	for i := range n {
		key := fmt.Sprintf("P%d", i%50)
		var v []byte
		switch i % 10 {
		case 3:
			v, bad = []byte(`{"truncated`), bad+1
		case 7:
			v, bad = []byte(strings.Replace(string(validEdit(key, i)), `"meta":{"stream":"edits",`, `"meta":{`, 1)), bad+1
		default:
			v, valid = validEdit(key, i), valid+1
			st := want[key]
			st.Edits++
			st.Bytes += i
			want[key] = st
		}
		if _, err := em.Emit(key, v); err != nil {
			t.Fatal(err)
		}
	}
	if err := em.Finish(); err != nil {
		t.Fatal(err)
	}
	j.start(t, t.TempDir())
	waitProcessed(t, j.counter, n)
	j.checkTable(t, want)
	if ok, errs := j.counter.ok.Load(), j.counter.errs.Load(); ok != valid || errs != bad || ok+errs != n {
		t.Fatalf("in %d = processed %d + errors %d? want %d + %d", n, ok, errs, valid, bad)
	}
	// The error topic holds each bad event with its reason.
	recs := readErrors(t, j, int(bad))
	kinds := map[string]int{}
	for _, r := range recs {
		kinds[r.ErrorType]++
		if r.Message == "" || r.RawEvent == "" {
			t.Fatalf("error record without reason or event: %+v", r)
		}
	}
	if kinds["decode"]+kinds["schema"] != int(bad) || kinds["schema"] != n/10 {
		t.Fatalf("error kinds %v, want %d schema and %d decode-or-schema", kinds, n/10, bad)
	}
}

func readErrors(t *testing.T, j job, n int) []processor.ErrorRecord {
	t.Helper()
	var recs []processor.ErrorRecord
	for _, r := range testenv.ReadTopic(t, j.cfg, string(j.name)+".error", n, 60*time.Second) {
		var rec processor.ErrorRecord
		if err := json.Unmarshal(r.Value, &rec); err != nil {
			t.Fatalf("error record %q: %v", r.Value, err)
		}
		recs = append(recs, rec)
	}
	return recs
}
