//go:build integration

package postgres_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ripplestream/ripple/internal/testenv"
	"github.com/ripplestream/ripple/jobs/sink"
	"github.com/ripplestream/ripple/jobs/sink/postgres"
	"github.com/ripplestream/ripple/jobs/sink/sinktest"
	"github.com/ripplestream/ripple/processor"
)

// TestIntegrationServerOutage stops a PostgreSQL server of the test's own
// while the sink runs and has events to write, and checks that the sink
// waits, says why, and writes everything, each key once with its latest
// version, once the server is back.
func TestIntegrationServerOutage(t *testing.T) {
	kc := testenv.Kafka(t)
	pg := testenv.StartPrivatePostgres(t)
	topic := testenv.Name(t, "page-change")
	testenv.CreateTopic(t, kc, topic, 2)
	name := testenv.Name(t, "pgoutage")
	t.Cleanup(func() { testenv.DeleteTopics(t, kc, name+".error") })
	ctx := context.Background()
	store, err := postgres.Open(ctx, postgres.Config{Name: name, URL: pg.URL, Table: "page_change", CreateTable: true,
		Columns: []postgres.Column{{Name: "kind", Pointer: "/page_change_kind"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	r, err := sink.New(sink.Config{Name: name, Input: processor.Stream(topic), Brokers: kc.Brokers, BatchSize: 20,
		BatchWait: 10 * time.Millisecond, MaxRetryDelay: 200 * time.Millisecond}, store)
	if err != nil {
		t.Fatal(err)
	}
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- r.Run(rctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()

	events := sinktest.PageChanges(t, "../testdata/page_change_events")
	recs := sinktest.Versions(t, events, 20, 5)
	produce := func(recs []sink.Record) {
		var out []testenv.Record
		for _, r := range recs {
			out = append(out, testenv.Record{Key: r.Key, Value: r.Value})
		}
		testenv.Produce(t, kc, topic, out)
	}
	reached := func(n int) func() error {
		return func() error {
			if got := sinktest.OffsetSum(t, store, topic); got != int64(n) {
				return fmt.Errorf("the offsets add up to %d of %d records", got, n)
			}
			return nil
		}
	}
	half := len(recs) / 2
	produce(recs[:half])
	testenv.Eventually(t, time.Minute, reached(half))

	pg.Stop()
	produce(recs[half:])
	testenv.Eventually(t, time.Minute, func() error {
		if w := r.Waiting(); !strings.Contains(w, "store of sink "+name+" failed") {
			return fmt.Errorf("the sink waits for %q, want its store", w)
		}
		return nil
	})
	if r.Ready() {
		t.Error("the sink is ready while its store is down")
	}
	pg.Start()
	testenv.Eventually(t, time.Minute, reached(len(recs)))
	if w := r.Waiting(); w != "" || !r.Ready() || r.Healthy() != nil {
		t.Errorf("after the outage: waiting %q, ready %v, healthy %v", w, r.Ready(), r.Healthy())
	}

	var read []sink.Record
	for _, rec := range testenv.ReadAll(t, kc, topic) {
		read = append(read, sink.Record{Partition: rec.Partition, Offset: rec.Offset, Key: rec.Key, Value: rec.Value})
	}
	want := sinktest.LatestByKey(read, nil)
	conn, err := pgx.Connect(ctx, pg.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, "SELECT key, kafka_partition, kafka_offset FROM page_change")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	var key string
	var p int32
	var o int64
	if _, err := pgx.ForEachRow(rows, []any{&key, &p, &o}, func() error {
		n++
		if w := want[key]; w.Partition != p || w.Offset != o {
			t.Errorf("row %s is the version at %d/%d, want %d/%d", key, p, o, w.Partition, w.Offset)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if n != len(want) {
		t.Errorf("%d rows, want %d", n, len(want))
	}
}
