//go:build integration

package diff_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/lovoo/goka"
	"github.com/lovoo/goka/codec"

	"github.com/ripplestream/ripple/internal/jobtest"
	"github.com/ripplestream/ripple/internal/kafkaclient"
	"github.com/ripplestream/ripple/internal/testenv"
	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/processor/diff"
)

// TestIntegrationDiffStage runs the stage on the real broker: a page
// created and edited, a late older revision ignored and counted, and a bad
// event on the error topic.
func TestIntegrationDiffStage(t *testing.T) {
	kc := testenv.Kafka(t)
	cfg := diff.Config{
		Name:     processor.Group(testenv.Name(t, "diff")),
		Input:    processor.Stream(testenv.Name(t, "in")),
		Output:   processor.Stream(testenv.Name(t, "out")),
		Counters: &diff.Counters{},
	}
	testenv.CreateTopic(t, kc, string(cfg.Input), 2)
	t.Cleanup(func() {
		testenv.DeleteTopics(t, kc, string(cfg.Output), string(cfg.Name)+"-table", string(cfg.Name)+".error",
			string(cfg.Name)+".retry."+string(cfg.Input), string(cfg.Name)+".retry."+string(cfg.Input)+".ready")
	})
	noText := pageChange("edit", 9, "")
	noText["revision"] = map[string]any{"rev_id": 9}
	em, err := goka.NewEmitter(kc.Brokers, goka.Stream(cfg.Input), new(codec.Bytes), kc.EmitterOptions()...)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []map[string]any{
		pageChange("create", 1, "Hello [[World]].\n{{Stub}}\n"),
		pageChange("edit", 3, "Hello [[Mars]].\n{{Stub}}\n[[Category:Planets]]\n"),
		pageChange("edit", 2, "a late revision\n"),
		noText,
	} {
		b, _ := json.Marshal(v)
		if err := em.EmitSync("enwiki/7", b); err != nil {
			t.Fatal(err)
		}
	}
	if err := em.Finish(); err != nil {
		t.Fatal(err)
	}

	job, err := diff.Job(cfg)
	if err != nil {
		t.Fatal(err)
	}
	r := jobtest.StartReady(t, job, processor.Config{Brokers: kc.Brokers, StateDir: t.TempDir(), MaxRetries: -1})

	out := read(t, kc, string(cfg.Output), 2)
	var evs []diff.Event
	for _, b := range out {
		var ev diff.Event
		if err := json.Unmarshal(b, &ev); err != nil {
			t.Fatal(err)
		}
		evs = append(evs, ev)
	}
	slices.SortFunc(evs, func(a, b diff.Event) int { return int(a.RevID - b.RevID) })
	e := evs[1]
	if e.RevID != 3 || e.PrevRevID != 1 || !slices.Equal(e.Lines.Added, []string{"Hello [[Mars]].", "[[Category:Planets]]"}) ||
		!slices.Equal(e.Deps.Links.Removed, []string{"World"}) || !slices.Equal(e.Deps.Categories.Added, []string{"Category:Planets"}) {
		t.Fatalf("edit event %+v", e)
	}
	var rec processor.ErrorRecord
	if err := json.Unmarshal(read(t, kc, string(cfg.Name)+".error", 1)[0], &rec); err != nil || rec.Key != "enwiki/7" {
		t.Fatalf("error record %+v (%v)", rec, err)
	}
	testenv.Eventually(t, 30*time.Second, func() error {
		if n := cfg.Counters.Stale.Load(); n != 1 {
			return fmt.Errorf("stale revisions counted: %d, want 1", n)
		}
		return nil
	})
	if st, ok, err := r.Get("enwiki/7"); err != nil || !ok || st.RevID != 3 || st.Stale != 1 {
		t.Fatalf("state %+v %v %v", st, ok, err)
	}
}

// read reads n records of topic from the beginning.
func read(t *testing.T, kc kafkaclient.Config, topic string, n int) [][]byte {
	t.Helper()
	return testenv.Values(testenv.ReadTopic(t, kc, topic, n, 2*time.Minute))
}
