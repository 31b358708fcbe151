//go:build integration

package parquet

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ripplestream/ripple/internal/testenv"
	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/topology"
)

// TestIntegrationTopologyKind runs a sink-parquet job of a topology file,
// as ripple run does, with ripple's own schemas, and reads its files back
// with DuckDB.
func TestIntegrationTopologyKind(t *testing.T) {
	kc := testenv.Kafka(t)
	stream := testenv.Name(t, "resource-change")
	job := strings.ReplaceAll(testenv.Name(t, "pqkind"), ".", "-")
	dir := t.TempDir()
	t.Setenv("SINK_TEST_DIR", dir)
	t.Cleanup(func() { testenv.DeleteTopics(t, kc, stream, job+".error") })
	file := fmt.Sprintf(`
streams:
  %s:
    partitions: 2
jobs:
  %s:
    kind: sink-parquet
    inputs:
      events: %s
    config:
      dir: ${SINK_TEST_DIR}
      schema: /resource_change/1.0.0
      batch_wait: 20ms
`, stream, job, stream)
	topo, err := topology.Parse("test.yaml", []byte(file))
	if err != nil {
		t.Fatal(err)
	}
	kinds := topology.NewRegistry()
	Register(kinds)
	if err := topo.Validate(kinds); err != nil {
		t.Fatal(err)
	}
	rn, err := topology.Start(context.Background(), topo, topology.RunConfig{Kinds: kinds, Apply: true, MetricsAddr: "127.0.0.1:0",
		Processor: processor.Config{Brokers: kc.Brokers, StateDir: t.TempDir()}})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := rn.Stop(); err != nil {
			t.Error(err)
		}
	}()
	const n = 50
	var recs []testenv.Record
	for i := range n {
		recs = append(recs, testenv.Record{Key: []byte(fmt.Sprint(i)), Value: []byte(fmt.Sprintf(
			`{"$schema":"/resource_change/1.0.0","meta":{"dt":"2026-12-06T07:%02d:00Z","stream":"resource_change","uri":"https://en.wikipedia.org/wiki/P%d"},"tags":["purge"]}`, i, i))})
	}
	testenv.Produce(t, kc, stream, recs)
	end := endOffsets(t, kc, stream)
	topicDir := filepath.Join(dir, stream)
	testenv.Eventually(t, time.Minute, func() error {
		names, _ := filepath.Glob(filepath.Join(topicDir, "datehour=*", "*"+parquetExt))
		got := map[int32]int64{}
		for _, name := range names {
			if bf, ok := parseFileName(filepath.Base(name)); ok {
				got[bf.partition] = max(got[bf.partition], bf.last+1)
			}
		}
		for p, o := range end {
			if got[p] < o {
				return fmt.Errorf("partition %d written up to %d of %d", p, got[p], o)
			}
		}
		return nil
	})
	rows := testenv.DuckDB(t, dir, fmt.Sprintf("SELECT count(DISTINCT meta.uri) AS uris, min(datehour) AS hour FROM read_parquet('%s/**/*.parquet', hive_partitioning = true)", stream))
	if got := fmt.Sprint(rows); got != fmt.Sprintf("[map[hour:2026-12-06T07 uris:%d]]", n) {
		t.Errorf("DuckDB read %s, want %d URIs in hour 07", got, n)
	}
}
