package parquet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	pq "github.com/parquet-go/parquet-go"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/jobs/sink"
)

const revisionCreate = "/mediawiki/revision/create/2.0.0"

// The examples of revisionCreate, read once: the YAML is slow to parse.
var (
	examplesOnce sync.Once
	examples     [][]byte
	examplesErr  error
)

// revisionEvent returns the first revision/create example with rev_id id
// and event time dt.
func revisionEvent(t testing.TB, repo *event.Repository, id int64, dt time.Time) []byte {
	t.Helper()
	examplesOnce.Do(func() { examples, examplesErr = repo.Examples(revisionCreate) })
	if examplesErr != nil {
		t.Fatal(examplesErr)
	}
	var m map[string]any
	if err := json.Unmarshal(examples[0], &m); err != nil {
		t.Fatal(err)
	}
	m["rev_id"] = id
	m["dt"] = dt.UTC().Format(time.RFC3339Nano)
	m["meta"].(map[string]any)["id"] = event.NewID()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func openTestStore(t testing.TB, dir string) *Store {
	t.Helper()
	s, err := Open(Config{Dir: dir, Repository: testRepository(t), Schema: revisionCreate})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// batch makes a batch of topic t with one record per (partition, offset,
// hour) and Next after the last of each partition.
func batch(t testing.TB, repo *event.Repository, topic string, recs ...[3]int64) sink.Batch {
	t.Helper()
	base := time.Date(2026, 12, 6, 7, 0, 0, 0, time.UTC)
	b := sink.Batch{Topic: topic, Next: map[int32]int64{}}
	for _, r := range recs {
		p, off, hour := int32(r[0]), r[1], r[2]
		b.Records = append(b.Records, sink.Record{Topic: topic, Partition: p, Offset: off,
			Value: revisionEvent(t, repo, 1000*int64(p)+off, base.Add(time.Duration(hour)*time.Hour+time.Duration(off)*time.Second))})
		b.Next[p] = max(b.Next[p], off+1)
	}
	return b
}

// files lists the files under dir, relative, sorted.
func files(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, path)
			out = append(out, rel)
		}
		return nil
	})
	slices.Sort(out)
	return out
}

func TestWriteLayoutAndOffsets(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openTestStore(t, dir)
	repo := testRepository(t)
	// Partition 0: offsets 0-2 in hour 07, 3 in hour 08; partition 1: 0-1 in hour 07.
	if err := s.Write(ctx, batch(t, repo, "rc", [3]int64{0, 0, 0}, [3]int64{1, 0, 0}, [3]int64{0, 1, 0}, [3]int64{0, 2, 0}, [3]int64{1, 1, 0}, [3]int64{0, 3, 1})); err != nil {
		t.Fatal(err)
	}
	// Partition 1 gets a batch of one more record.
	if err := s.Write(ctx, batch(t, repo, "rc", [3]int64{1, 2, 0})); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"rc/datehour=2026-12-06T07/part-0-0-3.1of2.parquet",
		"rc/datehour=2026-12-06T07/part-1-0-1.parquet",
		"rc/datehour=2026-12-06T07/part-1-2-2.parquet",
		"rc/datehour=2026-12-06T08/part-0-0-3.2of2.parquet",
	}
	if got := files(t, dir); !slices.Equal(got, want) {
		t.Errorf("files:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	off, err := s.Offsets(ctx, "rc")
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(off) != "map[0:4 1:3]" {
		t.Errorf("Offsets = %v, want map[0:4 1:3]", off)
	}
	// The files' rows and metadata.
	f, err := os.Open(filepath.Join(dir, want[0]))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	pf, err := pq.OpenFile(f, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	if pf.NumRows() != 3 {
		t.Errorf("%s has %d rows, want 3", want[0], pf.NumRows())
	}
	for k, v := range map[string]string{MetaSchema: revisionCreate, MetaTopic: "rc", MetaPartition: "0", MetaOffsets: "0-3", MetaPart: "1/2"} {
		if got, _ := pf.Lookup(k); got != v {
			t.Errorf("metadata %s = %q, want %q", k, got, v)
		}
	}
}

func TestWriteInvalid(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openTestStore(t, dir)
	repo := testRepository(t)
	b := batch(t, repo, "rc", [3]int64{0, 0, 0}, [3]int64{0, 1, 0}, [3]int64{0, 2, 0}, [3]int64{0, 3, 0})
	b.Records[1].Value = []byte("not json")
	b.Records[2].Value = []byte(strings.Replace(string(b.Records[2].Value), `"page_id":123`, `"page_id":"123"`, 1))
	err := s.Write(ctx, b)
	rejected := sink.Rejected(err)
	if len(rejected) != 2 || rejected[0].Record.Offset != 1 || rejected[1].Record.Offset != 2 {
		t.Fatalf("Write = %v, want *sink.Invalid for offsets 1 and 2", err)
	}
	if !strings.Contains(rejected[1].Error(), "page_id") {
		t.Errorf("the reason does not name the field: %v", rejected[1])
	}
	if got := files(t, dir); len(got) != 0 {
		t.Fatalf("a rejected batch wrote %v", got)
	}
	// The runner writes the rest, with the same Next.
	b.Records = slices.Delete(b.Records, 1, 3)
	if err := s.Write(ctx, b); err != nil {
		t.Fatal(err)
	}
	// A batch of only invalid records leaves a marker that moves the offset.
	if err := s.Write(ctx, sink.Batch{Topic: "rc", Next: map[int32]int64{0: 6}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Write(ctx, sink.Batch{Topic: "rc", Next: map[int32]int64{0: 9}}); err != nil {
		t.Fatal(err)
	}
	want := []string{"rc/_offsets/part-0-8", "rc/datehour=2026-12-06T07/part-0-0-3.parquet"}
	if got := files(t, dir); !slices.Equal(got, want) {
		t.Errorf("files %v, want %v", got, want)
	}
	if off, _ := s.Offsets(ctx, "rc"); off[0] != 9 {
		t.Errorf("Offsets = %v, want partition 0 at 9", off)
	}
	// An event of another title is invalid.
	other := sink.Batch{Topic: "rc", Next: map[int32]int64{0: 10}, Records: []sink.Record{{Topic: "rc", Offset: 9,
		Value: []byte(`{"$schema":"/resource_change/1.0.0","meta":{"dt":"2026-12-06T07:00:00Z","stream":"x"}}`)}}}
	if rejected := sink.Rejected(s.Write(ctx, other)); len(rejected) != 1 || !strings.Contains(rejected[0].Error(), "not of title") {
		t.Errorf("an event of another title: %v", rejected)
	}
}

// TestOffsetsAfterCrash checks what Offsets makes of a batch a crash cut
// short between its renames, and of a temporary file.
func TestOffsetsAfterCrash(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openTestStore(t, dir)
	repo := testRepository(t)
	if err := s.Write(ctx, batch(t, repo, "rc", [3]int64{0, 0, 0}, [3]int64{0, 1, 0})); err != nil {
		t.Fatal(err)
	}
	if err := s.Write(ctx, batch(t, repo, "rc", [3]int64{0, 2, 0}, [3]int64{0, 3, 1}, [3]int64{0, 4, 2})); err != nil {
		t.Fatal(err)
	}
	// The crash: the third file of the second batch was never renamed.
	cut := filepath.Join(dir, "rc/datehour=2026-12-06T09/part-0-2-4.3of3.parquet")
	if err := os.Rename(cut, filepath.Join(filepath.Dir(cut), tempPrefix+"x")); err != nil {
		t.Fatal(err)
	}
	s2 := openTestStore(t, dir)
	off, err := s2.Offsets(ctx, "rc")
	if err != nil {
		t.Fatal(err)
	}
	if off[0] != 2 {
		t.Errorf("Offsets = %v, want partition 0 at 2 (the cut batch is not written)", off)
	}
	want := []string{"rc/datehour=2026-12-06T07/part-0-0-1.parquet"}
	if got := files(t, dir); !slices.Equal(got, want) {
		t.Errorf("after recovery: files %v, want %v", got, want)
	}
	if _, err := s2.Offsets(ctx, "nothing"); err != nil {
		t.Errorf("Offsets of a topic never written: %v", err)
	}
}

func TestClosed(t *testing.T) {
	s := openTestStore(t, t.TempDir())
	s.Close()
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := s.Offsets(context.Background(), "rc"); !errors.Is(err, ErrClosed) {
		t.Errorf("Offsets after Close = %v, want ErrClosed", err)
	}
}

// BenchmarkWrite measures Write of 1,000-event batches of revision-create
// events over three partitions and two hours, to local disk.
func BenchmarkWrite(b *testing.B) {
	repo := testRepository(b)
	s := openTestStore(b, b.TempDir())
	var recs [][3]int64
	for i := range int64(1000) {
		recs = append(recs, [3]int64{i % 3, i, i / 500})
	}
	base := batch(b, repo, "rc", recs...)
	var bytes int64
	for _, r := range base.Records {
		bytes += int64(len(r.Value))
	}
	b.SetBytes(bytes)
	b.ResetTimer()
	for i := range b.N {
		bt := sink.Batch{Topic: "rc", Records: base.Records, Next: map[int32]int64{}}
		for p := range int32(3) {
			bt.Next[p] = int64(i+1) * 1000 // a new batch each time
		}
		if err := s.Write(context.Background(), bt); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(base.Records))/b.Elapsed().Seconds(), "events/s")
}
