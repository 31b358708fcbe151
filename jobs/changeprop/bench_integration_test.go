//go:build integration

package changeprop_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/ripplestream/ripple/deps"
	"github.com/ripplestream/ripple/deps/depstest"
	"github.com/ripplestream/ripple/deps/dgraphstore"
	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/internal/jobtest"
	"github.com/ripplestream/ripple/internal/kafkaclient"
	"github.com/ripplestream/ripple/internal/testenv"
	"github.com/ripplestream/ripple/jobs/changeprop"
	"github.com/ripplestream/ripple/processor"
)

// benchPartitions is the partitions of the benchmark's dependency stream.
const benchPartitions = 4

// oneByOne hides the Dgraph store's batch writes (deps.BatchPutter): the
// job then stores each dependency event with its own PutPage, as it did
// before it buffered them.
type oneByOne struct{ deps.Store }

// BenchmarkDependencyEvents measures the rate at which the fan-out job
// stores dependency events in Dgraph, from the first record read to the
// last offset committed: b.N new revisions (three edges changed each) of
// b.N articles stored beforehand, waiting in a stream of four partitions;
// events/s is b.N over the time from the first event handled to the last
// offset committed (ns/op includes the job's start and its group's join).
// writes=batched is the job as it runs; writes=per-event hides the store's
// PutPages, so each event is one PutPage, as before the job buffered them.
//
//	source /work/notes/env.sh
//	go test -tags integration -run '^$' -bench BenchmarkDependencyEvents -benchtime 2000x ./jobs/changeprop/
func BenchmarkDependencyEvents(b *testing.B) {
	for _, writes := range []string{"per-event", "batched"} {
		b.Run("writes="+writes, func(b *testing.B) {
			kc := testenv.Kafka(b)
			var r [6]byte
			if _, err := rand.Read(r[:]); err != nil {
				b.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
			defer cancel()
			dg, err := dgraphstore.Open(ctx, dgraphstore.Config{Addrs: []string{testenv.Dgraph(b)}, Prefix: "cpbench_" + hex.EncodeToString(r[:])})
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { dg.Close() })
			articles := depstest.NewArticles(b.N)
			first := make([]deps.PageDeps, b.N)
			for i := range first {
				first[i] = articles.Event(int64(i))
			}
			if _, err := deps.PutPages(ctx, dg, first); err != nil {
				b.Fatal(err)
			}
			var store deps.Store = dg
			if writes == "per-event" {
				store = oneByOne{dg}
			}

			name := testenv.Name(b, "cpbench")
			cfg := changeprop.Config{Name: processor.Group(name), Store: store,
				Dependencies: processor.Stream(name + ".deps"), PageChanges: processor.Stream(name + ".pc"),
				EntityChanges: processor.Stream(name + ".ec"), Purges: processor.Stream(name + ".purges"),
				Rerenders: processor.Stream(name + ".rerenders")}
			for _, s := range []processor.Stream{cfg.Dependencies, cfg.PageChanges, cfg.EntityChanges} {
				testenv.CreateTopic(b, kc, string(s), benchPartitions)
			}
			b.Cleanup(func() {
				testenv.DeleteTopics(b, kc, name+"-table", name+"-loop", name+".purge_candidates", name+".error",
					name+".retry."+string(cfg.Dependencies), name+".retry."+string(cfg.Dependencies)+".ready")
			})
			recs := make([]testenv.Record, b.N)
			for i := range recs {
				// Revision 2 of article i, normalized as a parser sends it
				// (its lists without duplicates).
				p, err := articles.Event(int64(b.N + i)).Normalize(deps.DefaultCollapseLimits())
				if err != nil {
					b.Fatal(err)
				}
				v, err := json.Marshal(dependenciesEvent(p))
				if err != nil {
					b.Fatal(err)
				}
				recs[i] = testenv.Record{Key: []byte(changeprop.PageKey(p.Wiki, p.Page.Title)), Value: v}
			}
			testenv.Produce(b, kc, string(cfg.Dependencies), recs)
			fan, _, err := changeprop.Jobs(cfg)
			if err != nil {
				b.Fatal(err)
			}
			failed := &notOK{}
			b.ResetTimer()
			jobtest.Start(b, fan, processor.Config{Brokers: kc.Brokers, StateDir: b.TempDir(), Hooks: []processor.Hook{failed}})
			testenv.Eventually(b, 10*time.Minute, func() error {
				return committedAll(kc, name, string(cfg.Dependencies), b.N)
			})
			b.StopTimer()
			failed.mu.Lock()
			elapsed := time.Since(failed.first) // the group's join is not the store's work
			failed.mu.Unlock()
			if n, last := failed.get(); n > 0 {
				b.Fatalf("%d dependency events failed, the last %+v", n, last)
			}
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "events/s")
			stored, ok, err := dg.Page(ctx, "enwiki", first[b.N-1].Page.Title)
			if err != nil || !ok || stored.RevID != 2 {
				b.Fatalf("last article: revision %d stored (ok %v, err %v), want 2", stored.RevID, ok, err)
			}
		})
	}
}

// notOK counts the events that failed and keeps the last, and when the
// first event of any outcome was handled.
type notOK struct {
	mu    sync.Mutex
	n     int
	last  processor.EventInfo
	first time.Time
}

func (o *notOK) OnEvent(e processor.EventInfo) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.first.IsZero() {
		o.first = time.Now().Add(-e.Duration)
	}
	if e.Outcome != processor.OutcomeOK {
		o.n, o.last = o.n+1, e
	}
}

func (o *notOK) get() (int, processor.EventInfo) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.n, o.last
}

// dependenciesEvent is the ripple/page/dependencies event of p.
func dependenciesEvent(p deps.PageDeps) deps.PageDependencies {
	dt := time.Date(2026, 12, 6, 4, 0, 0, 0, time.UTC)
	ev := deps.PageDependencies{
		Envelope: event.Envelope{Schema: deps.DependenciesSchema, Meta: event.Meta{Stream: "ripple.page_dependencies", DT: dt}, DT: dt},
		WikiID:   p.Wiki, Page: deps.EventPage{PageID: p.Page.ID, PageTitle: p.Page.Title, NamespaceID: int(p.Page.Namespace)},
		RevID: p.RevID, Templates: p.Templates, Links: p.Links, Files: p.Files, Entities: []deps.EventEntityUsage{},
	}
	for _, u := range p.Entities {
		e := deps.EventEntityUsage{ID: string(u.ID)}
		for _, a := range u.Aspects {
			e.Aspects = append(e.Aspects, string(a))
		}
		ev.Entities = append(ev.Entities, e)
	}
	return ev
}

// committedAll reports whether group committed offsets past n records of
// topic in all.
func committedAll(kc kafkaclient.Config, group, topic string, n int) error {
	client, err := sarama.NewClient(kc.Brokers, kc.Sarama())
	if err != nil {
		return err
	}
	defer client.Close()
	admin, err := sarama.NewClusterAdminFromClient(client)
	if err != nil {
		return err
	}
	parts := make([]int32, benchPartitions)
	for i := range parts {
		parts[i] = int32(i)
	}
	resp, err := admin.ListConsumerGroupOffsets(group, map[string][]int32{topic: parts})
	if err != nil {
		return err
	}
	var total int64
	for _, p := range parts {
		if blk := resp.GetBlock(topic, p); blk != nil && blk.Offset > 0 {
			total += blk.Offset
		}
	}
	if total < int64(n) {
		return fmt.Errorf("%d of %d records committed", total, n)
	}
	return nil
}
