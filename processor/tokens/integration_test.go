//go:build integration

package tokens_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/lovoo/goka"
	"github.com/lovoo/goka/codec"

	"github.com/ripplestream/ripple/internal/jobtest"
	"github.com/ripplestream/ripple/internal/kafkaclient"
	"github.com/ripplestream/ripple/internal/testenv"
	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/processor/tokens"
)

// TestIntegrationTokensStage runs the stage on the real broker: revisions
// in, token deltas out, a stale revision ignored, a bad event on the error
// topic.
func TestIntegrationTokensStage(t *testing.T) {
	kc := testenv.Kafka(t)
	cfg := tokens.Config{
		Name:     processor.Group(testenv.Name(t, "tokens")),
		Input:    processor.Stream(testenv.Name(t, "in")),
		Output:   processor.Stream(testenv.Name(t, "out")),
		Counters: &tokens.Counters{},
	}
	testenv.CreateTopic(t, kc, string(cfg.Input), 2)
	t.Cleanup(func() {
		testenv.DeleteTopics(t, kc, string(cfg.Output), string(cfg.Name)+"-table", string(cfg.Name)+".error",
			string(cfg.Name)+".retry."+string(cfg.Input), string(cfg.Name)+".retry."+string(cfg.Input)+".ready")
	})

	noText := pageChange(1, 13, "")
	noText["revision"] = map[string]any{"rev_id": 13}
	produce(t, kc, cfg.Input, []keyed{
		{"enwiki/1", pageChange(1, 10, "The cat sat on the mat.")},
		{"enwiki/2", pageChange(2, 5, "Привет, мир! 東京 👍🏽")},
		{"enwiki/1", pageChange(1, 12, "The dog sat on the mat.")},
		{"enwiki/1", pageChange(1, 11, "A stale revision.")},
		{"enwiki/1", noText},
	})

	job, err := tokens.Job(cfg)
	if err != nil {
		t.Fatal(err)
	}
	jobtest.StartReady(t, job, processor.Config{Brokers: kc.Brokers, StateDir: t.TempDir(), MaxRetries: -1})
	byRev := map[int64]tokens.Event{}
	for _, b := range consume(t, kc, string(cfg.Output), 3) {
		var ev tokens.Event
		if err := json.Unmarshal(b, &ev); err != nil {
			t.Fatal(err)
		}
		byRev[ev.RevID] = ev
	}
	if ev := byRev[12]; ev.PrevRevID != 10 || ev.Added["dog"] != 1 || ev.Removed["cat"] != 1 || len(ev.Added) != 1 || len(ev.Removed) != 1 {
		t.Fatalf("delta of revision 12: %+v", ev)
	}
	if ev := byRev[5]; fmt.Sprint(ev.Tokens) != "[привет мир 東 京 👍🏽]" {
		t.Fatalf("tokens of revision 5: %q", ev.Tokens)
	}
	var rec processor.ErrorRecord
	if err := json.Unmarshal(consume(t, kc, string(cfg.Name)+".error", 1)[0], &rec); err != nil {
		t.Fatal(err)
	}
	if rec.Key != "enwiki/1" || rec.ErrorType != "handler" {
		t.Fatalf("error record %+v", rec)
	}
	testenv.Eventually(t, 30*time.Second, func() error {
		if n := cfg.Counters.Stale.Load(); n != 1 {
			return fmt.Errorf("stale revisions counted: %d, want 1", n)
		}
		return nil
	})
}

type keyed struct {
	key   string
	value map[string]any
}

func produce(t *testing.T, kc kafkaclient.Config, stream processor.Stream, events []keyed) {
	t.Helper()
	em, err := goka.NewEmitter(kc.Brokers, goka.Stream(stream), new(codec.Bytes), kc.EmitterOptions()...)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range events {
		b, err := json.Marshal(e.value)
		if err != nil {
			t.Fatal(err)
		}
		if err := em.EmitSync(e.key, b); err != nil {
			t.Fatal(err)
		}
	}
	if err := em.Finish(); err != nil {
		t.Fatal(err)
	}
}

// consume reads n records of topic from the beginning, waiting up to two
// minutes for the topic to exist and fill.
func consume(t *testing.T, kc kafkaclient.Config, topic string, n int) [][]byte {
	t.Helper()
	return testenv.Values(testenv.ReadTopic(t, kc, topic, n, 2*time.Minute))
}
