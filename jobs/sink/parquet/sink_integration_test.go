//go:build integration

package parquet

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/ripplestream/ripple/internal/kafkaclient"
	"github.com/ripplestream/ripple/internal/testenv"
	"github.com/ripplestream/ripple/jobs/sink"
	"github.com/ripplestream/ripple/processor"
)

// progress is a Store that remembers the offsets of the batches it wrote.
type progress struct {
	*Store
	mu     sync.Mutex
	next   map[int32]int64
	writes int
}

func (p *progress) Write(ctx context.Context, b sink.Batch) error {
	err := p.Store.Write(ctx, b)
	if err == nil {
		p.mu.Lock()
		maps.Copy(p.next, b.Next)
		p.writes++
		p.mu.Unlock()
	}
	return err
}

// reached reports whether the store wrote up to end in every partition.
func (p *progress) reached(end map[int32]int64) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	for part, o := range end {
		if p.next[part] < o {
			return fmt.Errorf("partition %d written up to %d of %d", part, p.next[part], o)
		}
	}
	return nil
}

// runSink runs the Parquet sink on dir until stop returns true for its
// store, then stops it and waits for it.
func runSink(t *testing.T, cfg sink.Config, dir string, stop func(*progress) error) {
	t.Helper()
	store, err := Open(Config{Dir: dir, Repository: testRepository(t), Schema: revisionCreate})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	p := &progress{Store: store, next: map[int32]int64{}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sink.Run(ctx, cfg, p) }()
	testenv.Eventually(t, 2*time.Minute, func() error {
		select {
		case err := <-done:
			t.Fatalf("the sink stopped: %v", err)
		default:
		}
		return stop(p)
	})
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	p.mu.Lock()
	t.Logf("the sink stopped after %d batches, at offsets %v", p.writes, p.next)
	p.mu.Unlock()
}

// TestSinkToDuckDB produces revision-create events (and two invalid
// records) to the real broker, runs the sink, stops it mid-stream, undoes
// its last rename as a crash before it would, produces more and runs it
// again; DuckDB then reads every valid event exactly once, with its nested
// fields, timestamps and hour partition, and the invalid records are on
// the error topic with their reason.
func TestSinkToDuckDB(t *testing.T) {
	kc := testenv.Kafka(t)
	repo := testRepository(t)
	topic := testenv.Name(t, "parquet")
	testenv.CreateTopic(t, kc, topic, 3)
	cfg := sink.Config{Name: testenv.Name(t, "parquet-sink"), Input: processor.Stream(topic), Brokers: kc.Brokers, BatchSize: 20, BatchWait: 50 * time.Millisecond}
	t.Cleanup(func() { testenv.DeleteTopics(t, kc, cfg.Name+".error") })
	dir := t.TempDir()

	base := time.Date(2026, 12, 6, 5, 30, 0, 0, time.UTC)
	perHour := map[string]int{}
	events := func(from, to int) []testenv.Record {
		var recs []testenv.Record
		for i := from; i < to; i++ {
			dt := base.Add(time.Duration(i) * 73 * time.Second)
			perHour[dt.Format(hourLayout)]++
			recs = append(recs, testenv.Record{Key: []byte(strconv.Itoa(i)), Value: revisionEvent(t, repo, int64(i), dt)})
		}
		return recs
	}
	const first, total = 200, 300
	recs := events(0, first)
	bad := strings.Replace(string(revisionEvent(t, repo, 9999, base)), `"page_id":123`, `"page_id":"123"`, 1)
	recs = append(recs, testenv.Record{Key: []byte("bad1"), Value: []byte("not json")}, testenv.Record{Key: []byte("bad2"), Value: []byte(bad)})
	testenv.Produce(t, kc, topic, recs)

	// The first run stops after a few batches, mid-stream.
	runSink(t, cfg, dir, func(p *progress) error {
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.writes < 3 {
			return fmt.Errorf("%d batches written", p.writes)
		}
		return nil
	})
	// A crash before the last rename: the newest file back under a
	// temporary name.
	undoLastRename(t, filepath.Join(dir, topic))

	testenv.Produce(t, kc, topic, events(first, total))
	end := endOffsets(t, kc, topic)
	runSink(t, cfg, dir, func(p *progress) error { return p.reached(end) })

	from := fmt.Sprintf("read_parquet('%s/**/*.parquet', hive_partitioning = true)", topic)
	counts := testenv.DuckDB(t, dir, "SELECT count(*) AS n, count(DISTINCT meta.id) AS ids, count(DISTINCT rev_id) AS revs FROM "+from)
	if got := fmt.Sprint(counts); got != fmt.Sprintf("[map[ids:%d n:%d revs:%d]]", total, total, total) {
		t.Errorf("DuckDB counts %s, want every one of %d events once", got, total)
	}
	row := testenv.DuckDB(t, dir, "SELECT performer.user_groups[3] AS grp, rev_slots['main'].rev_slot_size AS size, dt, meta.stream AS stream, datehour FROM "+from+" WHERE rev_id = 42")
	want := fmt.Sprintf("[map[datehour:%s dt:%s grp:autoconfirmed size:20 stream:mediawiki.revision-create]]",
		base.Add(42*73*time.Second).Format(hourLayout), base.Add(42*73*time.Second).Format("2006-01-02 15:04:05+00"))
	if got := fmt.Sprint(row); got != want {
		t.Errorf("DuckDB row of rev_id 42:\n%s\nwant\n%s", got, want)
	}
	hours := testenv.DuckDB(t, dir, "SELECT datehour, count(*) AS n FROM "+from+" GROUP BY datehour ORDER BY datehour")
	var gotHours []string
	for _, h := range hours {
		gotHours = append(gotHours, fmt.Sprintf("%s=%s", h["datehour"], h["n"]))
	}
	var wantHours []string
	for _, h := range slices.Sorted(maps.Keys(perHour)) {
		wantHours = append(wantHours, fmt.Sprintf("%s=%d", h, perHour[h]))
	}
	if !slices.Equal(gotHours, wantHours) {
		t.Errorf("events per hour: %v, want %v", gotHours, wantHours)
	}

	errs := testenv.ReadTopic(t, kc, cfg.Name+".error", 2, time.Minute)
	var reasons []string
	for _, e := range errs {
		var er processor.ErrorRecord
		if err := json.Unmarshal(e.Value, &er); err != nil {
			t.Fatal(err)
		}
		reasons = append(reasons, er.Message)
	}
	slices.Sort(reasons)
	if len(reasons) != 2 || !strings.Contains(reasons[0]+reasons[1], "page_id") {
		t.Errorf("error topic reasons %q, want the two invalid records, one naming page_id", reasons)
	}
}

// undoLastRename moves the data file with the highest offsets back under a
// temporary name, as if the sink had crashed before renaming it.
func undoLastRename(t *testing.T, topicDir string) {
	t.Helper()
	names, _ := filepath.Glob(filepath.Join(topicDir, "datehour=*", partPrefix+"*"+parquetExt))
	newest, last := "", int64(-1)
	for _, n := range names {
		if bf, ok := parseFileName(filepath.Base(n)); ok && bf.last > last {
			newest, last = n, bf.last
		}
	}
	if newest == "" {
		t.Fatalf("no data file in %s", topicDir)
	}
	if err := os.Rename(newest, filepath.Join(filepath.Dir(newest), tempPrefix+filepath.Base(newest))); err != nil {
		t.Fatal(err)
	}
	t.Logf("crash before renaming %s", newest)
}

// endOffsets returns the end offset of each partition of topic.
func endOffsets(t *testing.T, kc kafkaclient.Config, topic string) map[int32]int64 {
	t.Helper()
	client, err := sarama.NewClient(kc.Brokers, kc.Sarama())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	parts, err := client.Partitions(topic)
	if err != nil {
		t.Fatal(err)
	}
	end := map[int32]int64{}
	for _, p := range parts {
		if end[p], err = client.GetOffset(topic, p, sarama.OffsetNewest); err != nil {
			t.Fatal(err)
		}
	}
	return end
}
