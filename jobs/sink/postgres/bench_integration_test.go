//go:build integration

package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ripplestream/ripple/internal/testenv"
	"github.com/ripplestream/ripple/jobs/sink"
	"github.com/ripplestream/ripple/jobs/sink/postgres"
	"github.com/ripplestream/ripple/jobs/sink/sinktest"
	"github.com/ripplestream/ripple/processor"
)

// BenchmarkIntegrationSink measures the PostgreSQL sink on the real broker
// and server: b.N real page_change events over 10,000 keys, produced
// first, then sunk from the start of the topic by batches of 1,000 (COPY
// + upsert + offsets, one transaction each); the clock runs from Run's
// start to the offsets at the end.
func BenchmarkIntegrationSink(b *testing.B) {
	kc := testenv.Kafka(b)
	url := testenv.Postgres(b)
	topic := testenv.Name(b, "page-change")
	testenv.CreateTopic(b, kc, topic, 3)
	name := testenv.Name(b, "pgbench")
	b.Cleanup(func() { testenv.DeleteTopics(b, kc, name+".error") })
	var rnd [4]byte
	_, _ = rand.Read(rnd[:])
	table := "bench_" + hex.EncodeToString(rnd[:])
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	b.Cleanup(func() {
		_, _ = conn.Exec(context.Background(), "DROP TABLE IF EXISTS "+table)
		_, _ = conn.Exec(context.Background(), "DELETE FROM ripple_sink_offsets WHERE sink = $1", name)
	})

	events := sinktest.PageChanges(b, "../testdata/page_change_events")
	recs := sinktest.Versions(b, events, b.N/len(events)+1, 10_000/7)[:b.N]
	var produce []testenv.Record
	for _, r := range recs {
		produce = append(produce, testenv.Record{Key: r.Key, Value: r.Value})
	}
	testenv.Produce(b, kc, topic, produce)
	store, err := postgres.Open(ctx, postgres.Config{Name: name, URL: url, Table: table, CreateTable: true, Columns: []postgres.Column{
		{Name: "page_id", Pointer: "/page/page_id", Type: postgres.BigInt, Required: true},
		{Name: "kind", Pointer: "/page_change_kind"},
		{Name: "dt", Pointer: "/meta/dt", Type: postgres.Timestamptz},
	}})
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	b.ResetTimer()
	start := time.Now()
	sinktest.RunWithStops(b, sink.Config{Name: name, Input: processor.Stream(topic), Brokers: kc.Brokers, BatchSize: 1000},
		store, int64(len(recs)))
	b.StopTimer()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "events/s")
}
