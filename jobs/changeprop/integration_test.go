//go:build integration

package changeprop_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/lovoo/goka"
	"github.com/lovoo/goka/codec"

	"github.com/ripplestream/ripple/deps"
	"github.com/ripplestream/ripple/deps/pebblestore"
	"github.com/ripplestream/ripple/deps/propagate"
	"github.com/ripplestream/ripple/internal/jobtest"
	"github.com/ripplestream/ripple/internal/kafkaclient"
	"github.com/ripplestream/ripple/internal/testenv"
	"github.com/ripplestream/ripple/jobs/changeprop"
	"github.com/ripplestream/ripple/processor"
)

// steps counts the loop steps the fan-out job finished.
type steps struct{ n atomic.Int64 }

func (s *steps) OnEvent(e processor.EventInfo) {
	if e.Outcome == processor.OutcomeOK && e.Stream == processor.Stream(string(e.Job)+"-loop") {
		s.n.Add(1)
	}
}

// collect reads topic from the start into a set of keys until stopped.
func collect(t *testing.T, kc kafkaclient.Config, topic string) (keys func() map[string]int, stop func()) {
	t.Helper()
	client, err := sarama.NewClient(kc.Brokers, kc.Sarama())
	if err != nil {
		t.Fatal(err)
	}
	consumer, err := sarama.NewConsumerFromClient(client)
	if err != nil {
		t.Fatal(err)
	}
	parts, err := consumer.Partitions(topic)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	var pcs []sarama.PartitionConsumer
	for _, p := range parts {
		pc := testenv.ConsumeFromOldest(t, consumer, topic, p)
		pcs = append(pcs, pc)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for m := range pc.Messages() {
				mu.Lock()
				seen[string(m.Key)]++
				mu.Unlock()
			}
		}()
	}
	return func() map[string]int {
			mu.Lock()
			defer mu.Unlock()
			out := make(map[string]int, len(seen))
			for k, v := range seen {
				out[k] = v
			}
			return out
		}, func() {
			for _, pc := range pcs {
				pc.AsyncClose()
			}
			wg.Wait()
			consumer.Close()
			client.Close()
		}
}

// TestIntegrationFanoutSurvivesRestart edits a template used by 20,000
// pages, stops the job in the middle of the fan-out, restarts it on empty
// local state (recovered from the changelog) and checks every page is
// purged, with at most the in-flight step's batch sent twice.
func TestIntegrationFanoutSurvivesRestart(t *testing.T) {
	const pages, batch = 20_000, 500
	kc := testenv.Kafka(t)
	store, err := pebblestore.Open(pebblestore.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	ctx := context.Background()
	for i := range pages {
		p := deps.PageDeps{Wiki: "enwiki", RevID: 1, Page: deps.PageRef{ID: int64(i + 1), Title: fmt.Sprintf("P%05d", i)}, Templates: []string{"Template:Hub"}}
		if _, err := store.PutPage(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	cfg := changeprop.Config{
		Name: processor.Group(testenv.Name(t, "cp")), Store: store, Engine: propagate.Config{BatchSize: batch},
		Dependencies: processor.Stream(testenv.Name(t, "deps")), PageChanges: processor.Stream(testenv.Name(t, "pc")),
		EntityChanges: processor.Stream(testenv.Name(t, "ec")), Purges: processor.Stream(testenv.Name(t, "purge")),
		Rerenders: processor.Stream(testenv.Name(t, "rerender")),
	}
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, s := range []processor.Stream{cfg.Dependencies, cfg.PageChanges, cfg.EntityChanges} {
		testenv.CreateTopic(t, kc, string(s), 4)
	}
	t.Cleanup(func() {
		testenv.DeleteTopics(t, kc, string(cfg.Name)+"-table", string(cfg.Name)+"-loop", string(cfg.CandidatesStream()),
			string(cfg.Purges), string(cfg.Rerenders), string(cfg.Name)+"-coalesce-table")
	})
	fan, coalesce, err := changeprop.Jobs(cfg)
	if err != nil {
		t.Fatal(err)
	}
	em, err := goka.NewEmitter(kc.Brokers, goka.Stream(cfg.PageChanges), new(codec.Bytes), kc.EmitterOptions()...)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(pageChange("edit", "Template:Hub", 10, time.Now().UTC()))
	if err := em.EmitSync("enwiki:Template:Hub", b); err != nil {
		t.Fatal(err)
	}
	em.Finish()

	var done steps
	pcfg := processor.Config{Brokers: kc.Brokers, StateDir: t.TempDir(), Hooks: []processor.Hook{&done}}
	first := jobtest.Start(t, fan, pcfg)
	testenv.Eventually(t, 120*time.Second, func() error {
		if n := done.n.Load(); n < 8 {
			return fmt.Errorf("%d of %d steps done", n, pages/batch)
		}
		return nil
	})
	if err := first.Stop(); err != nil {
		t.Fatalf("the first run stopped with: %v", err)
	}
	stoppedAt := done.n.Load()
	if stoppedAt >= pages/batch {
		t.Fatalf("the fan-out finished (%d steps) before the stop; make it larger", stoppedAt)
	}

	pcfg.StateDir = t.TempDir() // recover the walk from the changelog
	jobtest.Start(t, fan, pcfg)
	jobtest.Start(t, coalesce, processor.Config{Brokers: kc.Brokers, StateDir: t.TempDir()})

	purged, stopPurges := collect(t, kc, string(cfg.Purges))
	defer stopPurges()
	testenv.Eventually(t, 180*time.Second, func() error {
		if n := len(purged()); n < pages+1 {
			return fmt.Errorf("%d of %d pages purged (stopped after step %d)", n, pages+1, stoppedAt)
		}
		return nil
	})
	for uri, n := range purged() {
		if n != 1 {
			t.Fatalf("%s purged %d times, want once after coalescing", uri, n)
		}
	}
	cands, stopCands := collect(t, kc, string(cfg.CandidatesStream()))
	defer stopCands()
	total := 0
	testenv.Eventually(t, 30*time.Second, func() error {
		total = 0
		for _, n := range cands() {
			total += n
		}
		if total < pages+1 {
			return fmt.Errorf("read %d candidates", total)
		}
		return nil
	})
	if total > pages+1+batch {
		t.Fatalf("%d candidates for %d pages: finished batches were sent again", total, pages+1)
	}
	t.Logf("stopped after %d steps; %d candidates for %d pages", stoppedAt, total, pages+1)
}
