//go:build integration

package filter_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/lovoo/goka"
	"github.com/lovoo/goka/codec"

	"github.com/ripplestream/ripple/internal/jobtest"
	"github.com/ripplestream/ripple/internal/kafkaclient"
	"github.com/ripplestream/ripple/internal/testenv"
	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/processor/filter"
)

// TestIntegrationFilterStage runs the stage on the real broker with a
// watched pattern file: matches out, a bad event on the error topic, and a
// change of the file applied without a restart.
func TestIntegrationFilterStage(t *testing.T) {
	kc := testenv.Kafka(t)
	patterns := filepath.Join(t.TempDir(), "patterns.txt")
	if err := os.WriteFile(patterns, []byte("vandal\nre:\\brv\\b\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := filter.Config{
		Name:         processor.Group(testenv.Name(t, "filter")),
		Input:        processor.Stream(testenv.Name(t, "in")),
		Output:       processor.Stream(testenv.Name(t, "out")),
		Field:        "revision.comment",
		PatternsFile: patterns,
		PollInterval: 20 * time.Millisecond,
		Options:      filter.Options{CaseInsensitive: true, WholeWord: true},
	}
	testenv.CreateTopic(t, kc, string(cfg.Input), 2)
	t.Cleanup(func() {
		testenv.DeleteTopics(t, kc, string(cfg.Output), string(cfg.Name)+".error",
			string(cfg.Name)+".retry."+string(cfg.Input), string(cfg.Name)+".retry."+string(cfg.Input)+".ready")
	})
	f, err := filter.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	jobtest.StartReady(t, f.Job(), processor.Config{Brokers: kc.Brokers, StateDir: t.TempDir(), MaxRetries: -1})
	// Watch reloads the pattern file while the job runs; it is not a job.
	ctx, cancel := context.WithCancel(context.Background())
	watched := make(chan error, 1)
	go func() { watched <- f.Watch(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-watched; err != nil {
			t.Errorf("Watch: %v", err)
		}
	})

	em, err := goka.NewEmitter(kc.Brokers, goka.Stream(cfg.Input), new(codec.Bytes), kc.EmitterOptions()...)
	if err != nil {
		t.Fatal(err)
	}
	defer em.Finish()
	send := func(key string, v any) {
		t.Helper()
		b, _ := json.Marshal(v)
		if err := em.EmitSync(key, b); err != nil {
			t.Fatal(err)
		}
	}
	send("a", recentChange("Reverted VANDAL (rv)"))
	send("b", recentChange("fixed a typo"))
	send("c", recentChange(42)) // wrong type: error topic

	out := consume(t, kc, string(cfg.Output), 1)
	var ev filter.Event
	if err := json.Unmarshal(out[0], &ev); err != nil {
		t.Fatal(err)
	}
	if len(ev.Matches) != 2 || ev.Matches[0].Text != "vandal" {
		t.Fatalf("event %+v", ev)
	}
	var rec processor.ErrorRecord
	if err := json.Unmarshal(consume(t, kc, string(cfg.Name)+".error", 1)[0], &rec); err != nil || rec.Key != "c" {
		t.Fatalf("error record %+v (%v)", rec, err)
	}

	// Change the pattern file: "typo" now matches, with no restart.
	tmp := patterns + ".tmp"
	if err := os.WriteFile(tmp, []byte("typo\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, patterns); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, 30*time.Second, func() error {
		if s := f.Stats(); s.Reloads < 2 {
			return fmt.Errorf("reloads: %+v", s)
		}
		return nil
	})
	send("d", recentChange("another typo"))
	out = consume(t, kc, string(cfg.Output), 2)
	keys := map[string]bool{}
	for _, b := range out {
		var ev filter.Event
		if err := json.Unmarshal(b, &ev); err != nil {
			t.Fatal(err)
		}
		keys[string(ev.Event)] = true
		if len(ev.Matches) == 1 && ev.Matches[0].Text != "typo" {
			t.Fatalf("after reload: %+v", ev.Matches)
		}
	}
	if len(keys) != 2 {
		t.Fatalf("outputs after reload: %d distinct, want 2", len(keys))
	}
}

// consume reads n records of topic from the beginning, waiting up to two
// minutes for the topic to exist and fill.
func consume(t *testing.T, kc kafkaclient.Config, topic string, n int) [][]byte {
	t.Helper()
	return testenv.Values(testenv.ReadTopic(t, kc, topic, n, 2*time.Minute))
}
