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
	"github.com/ripplestream/ripple/jobs/sink/postgres"
	"github.com/ripplestream/ripple/jobs/sink/sinktest"
	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/topology"
)

// TestIntegrationTopologyKind runs a sink-postgres job of a topology file,
// as ripple run does, and checks that the table it creates gets a row per
// key.
func TestIntegrationTopologyKind(t *testing.T) {
	kc := testenv.Kafka(t)
	url := testenv.Postgres(t)
	t.Setenv("SINK_TEST_URL", url)
	stream := testenv.Name(t, "page-change")
	job := strings.ReplaceAll(testenv.Name(t, "pgkind"), ".", "-")
	table := strings.NewReplacer(".", "_", "-", "_").Replace(strings.ToLower(job))
	if len(table) > 63 {
		table = table[len(table)-63:]
		table = "t" + table[1:]
	}
	t.Cleanup(func() { testenv.DeleteTopics(t, kc, stream, job+".error") })
	file := fmt.Sprintf(`
streams:
  %s:
    partitions: 2
jobs:
  %s:
    kind: sink-postgres
    inputs:
      events: %s
    config:
      url: ${SINK_TEST_URL}
      table: %s
      create_table: true
      columns:
        - {name: page_id, pointer: /page/page_id, type: bigint, required: true}
        - {name: kind, pointer: /page_change_kind}
      batch_wait: 20ms
`, stream, job, stream, table)
	topo, err := topology.Parse("test.yaml", []byte(file))
	if err != nil {
		t.Fatal(err)
	}
	kinds := topology.NewRegistry()
	postgres.Register(kinds)
	if err := topo.Validate(kinds); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	rn, err := topology.Start(ctx, topo, topology.RunConfig{Kinds: kinds, Apply: true, MetricsAddr: "127.0.0.1:0",
		Processor: processor.Config{Brokers: kc.Brokers, StateDir: t.TempDir()}})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := rn.Stop(); err != nil {
			t.Error(err)
		}
	}()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	t.Cleanup(func() {
		_, _ = conn.Exec(context.Background(), "DROP TABLE IF EXISTS "+table)
		_, _ = conn.Exec(context.Background(), "DELETE FROM ripple_sink_offsets WHERE sink = $1", job)
	})

	events := sinktest.PageChanges(t, "../testdata/page_change_events")
	var recs []testenv.Record
	keys := map[string]bool{}
	for _, r := range sinktest.Versions(t, events, 2, 1) {
		recs = append(recs, testenv.Record{Key: r.Key, Value: r.Value})
		keys[string(r.Key)] = true
	}
	testenv.Produce(t, kc, stream, recs)
	testenv.Eventually(t, time.Minute, func() error {
		var n int
		if err := conn.QueryRow(ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil {
			return err
		}
		var kind string
		if err := conn.QueryRow(ctx, "SELECT kind FROM "+table+" WHERE key = 'testwikidatawiki:330275:0'").Scan(&kind); err != nil {
			return err
		}
		if n != len(keys) || kind != "visibility_change" {
			return fmt.Errorf("%d rows, want %d; the page's kind %q, want its latest, visibility_change", n, len(keys), kind)
		}
		return nil
	})
}
