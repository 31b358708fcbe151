//go:build integration

package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
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

// badEvents returns records that cannot become rows, keyed bad:<n>, with
// the words their reason must have: not JSON, a page id that is not a
// number, a NUL in a title (Go refuses these), and a negative revision id,
// which only the table's CHECK refuses.
func badEvents(t *testing.T, good []byte) (recs []sink.Record, reasons map[string]string) {
	edit := func(f func(m map[string]any)) []byte {
		var m map[string]any
		if err := json.Unmarshal(good, &m); err != nil {
			t.Fatal(err)
		}
		f(m)
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	reasons = map[string]string{
		"bad:1": "not JSON",
		"bad:2": "column page_id (bigint) at /page/page_id: want a 64-bit integer",
		"bad:3": "NUL",
		"bad:4": "rev_id_positive",
	}
	values := map[string][]byte{
		"bad:1": []byte(`{"page": {"page_id": 1`),
		"bad:2": edit(func(m map[string]any) { m["page"].(map[string]any)["page_id"] = "abc" }),
		"bad:3": edit(func(m map[string]any) { m["page"].(map[string]any)["page_title"] = "Q\x00" }),
		"bad:4": edit(func(m map[string]any) { m["revision"].(map[string]any)["rev_id"] = -5 }),
	}
	for _, k := range []string{"bad:1", "bad:2", "bad:3", "bad:4"} {
		recs = append(recs, sink.Record{Key: []byte(k), Value: values[k]})
	}
	return recs, reasons
}

// TestIntegrationExactlyOnceAcrossRestarts sends real page_change events,
// several versions of each key, through the sink into a real PostgreSQL,
// stopping the sink once right after a committed batch and once in the
// middle of one, and checks that the table holds each key once with its
// latest version, that the offsets reach the end of every partition, and
// that the events the table cannot take are in the error topic with their
// reason.
func TestIntegrationExactlyOnceAcrossRestarts(t *testing.T) {
	kc := testenv.Kafka(t)
	url := testenv.Postgres(t)
	topic := testenv.Name(t, "page-change")
	testenv.CreateTopic(t, kc, topic, 3)
	name := testenv.Name(t, "pgsink")
	t.Cleanup(func() { testenv.DeleteTopics(t, kc, name+".error") })

	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var rnd [4]byte
	_, _ = rand.Read(rnd[:])
	table := "page_change_" + hex.EncodeToString(rnd[:])
	// The test makes the table, to add a CHECK that only PostgreSQL
	// enforces.
	if _, err := conn.Exec(ctx, fmt.Sprintf(`CREATE TABLE %s (
		key text PRIMARY KEY, event jsonb NOT NULL,
		page_id bigint NOT NULL, rev_id bigint CONSTRAINT rev_id_positive CHECK (rev_id > 0),
		kind text NOT NULL, dt timestamptz, wiki text,
		kafka_partition integer NOT NULL, kafka_offset bigint NOT NULL, kafka_time timestamptz)`, table)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), url)
		if err != nil {
			return
		}
		defer c.Close(context.Background())
		_, _ = c.Exec(context.Background(), "DROP TABLE "+table)
		_, _ = c.Exec(context.Background(), "DELETE FROM ripple_sink_offsets WHERE sink = $1", name)
	})

	events := sinktest.PageChanges(t, "../testdata/page_change_events")
	recs := sinktest.Versions(t, events, 30, 4)
	bad, reasons := badEvents(t, events[0])
	recs = append(recs[:150:150], append(bad, recs[150:]...)...)
	var produce []testenv.Record
	for _, r := range recs {
		produce = append(produce, testenv.Record{Key: r.Key, Value: r.Value})
	}
	testenv.Produce(t, kc, topic, produce)

	scfg := sink.Config{Name: name, Input: processor.Stream(topic), Brokers: kc.Brokers, BatchSize: 40, BatchWait: 20 * time.Millisecond}
	pcfg := postgres.Config{Name: name, URL: url, Table: table, Columns: []postgres.Column{
		{Name: "page_id", Pointer: "/page/page_id", Type: postgres.BigInt, Required: true},
		{Name: "rev_id", Pointer: "/revision/rev_id", Type: postgres.BigInt},
		{Name: "kind", Pointer: "/page_change_kind", Required: true},
		{Name: "dt", Pointer: "/meta/dt", Type: postgres.Timestamptz},
		{Name: "wiki", Pointer: "/wiki_id"},
	}}
	store, err := postgres.Open(ctx, pcfg)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()

	// Stop after the third batch is committed, then in the middle of the
	// second batch of the next run, then run to the end.
	for _, stop := range []*sinktest.Stopper{{N: 3}, {N: 2, Before: true}} {
		rctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		stop.Store, stop.Cancel = store, cancel
		if err := sink.Run(rctx, scfg, stop); err != nil {
			t.Fatal(err)
		}
		cancel()
		if stop.Calls() < stop.N {
			t.Fatalf("the sink stopped after %d writes, before the stop at %d", stop.Calls(), stop.N)
		}
		if n := offsetSum(t, store, topic); n == 0 || n >= int64(len(recs)) {
			t.Fatalf("after a stop the offsets add up to %d of %d records", n, len(recs))
		}
	}
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- sink.Run(rctx, scfg, store) }()
	testenv.Eventually(t, time.Minute, func() error {
		if n := offsetSum(t, store, topic); n != int64(len(recs)) {
			return fmt.Errorf("the offsets add up to %d of %d records", n, len(recs))
		}
		return nil
	})
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	var read []sink.Record
	for _, r := range testenv.ReadAll(t, kc, topic) {
		read = append(read, sink.Record{Partition: r.Partition, Offset: r.Offset, Key: r.Key, Value: r.Value})
	}
	want := sinktest.LatestByKey(read, func(k string) bool { return strings.HasPrefix(k, "bad:") })
	rows, err := conn.Query(ctx, fmt.Sprintf("SELECT key, kafka_partition, kafka_offset, kind, event->'meta'->>'id', page_id FROM %s", table))
	if err != nil {
		t.Fatal(err)
	}
	got := 0
	var key, kind, id string
	var p int32
	var o, pageID int64
	if _, err := pgx.ForEachRow(rows, []any{&key, &p, &o, &kind, &id, &pageID}, func() error {
		got++
		w, ok := want[key]
		if !ok {
			t.Errorf("row %q is not a key of the stream", key)
			return nil
		}
		var e struct {
			Kind string `json:"page_change_kind"`
			Meta struct {
				ID string `json:"id"`
			} `json:"meta"`
		}
		_ = json.Unmarshal(w.Value, &e)
		if p != w.Partition || o != w.Offset || kind != e.Kind || id != e.Meta.ID {
			t.Errorf("row %q is the version at %d/%d (%s, %s), want the latest, at %d/%d (%s, %s)",
				key, p, o, kind, id, w.Partition, w.Offset, e.Kind, e.Meta.ID)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if got != len(want) {
		t.Errorf("%d rows, want one per key: %d", got, len(want))
	}

	// The invalid events are in the error topic, each with its reason and
	// bytes (an event rejected just before a stop is there twice).
	errs := map[string]processor.ErrorRecord{}
	testenv.Eventually(t, time.Minute, func() error {
		for _, r := range testenv.ReadAll(t, kc, name+".error") {
			rec, raw, err := processor.DecodeErrorRecord(r.Value)
			if err != nil {
				return err
			}
			for _, b := range bad {
				if string(b.Value) == string(raw) {
					errs[string(b.Key)] = rec
				}
			}
		}
		if len(errs) != len(bad) {
			return fmt.Errorf("%d of %d invalid events in the error topic", len(errs), len(bad))
		}
		return nil
	})
	for k, rec := range errs {
		if !strings.Contains(rec.Message, reasons[k]) || rec.Key != k || rec.ErroredStreamName != topic {
			t.Errorf("error record of %s: key %q, stream %q, reason %q; want the reason to say %q", k, rec.Key, rec.ErroredStreamName, rec.Message, reasons[k])
		}
	}
}

func offsetSum(t *testing.T, s *postgres.Store, topic string) int64 {
	t.Helper()
	offs, err := s.Offsets(context.Background(), topic)
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, o := range offs {
		n += o
	}
	return n
}
