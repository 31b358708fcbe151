package sink_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/ripplestream/ripple/internal/testenv"
	"github.com/ripplestream/ripple/jobs/sink"
	"github.com/ripplestream/ripple/jobs/sink/sinkprom"
	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/processor/embedded"
)

// memStore is an in-memory Store: records and offsets change together
// under one lock, as a transaction would. It counts how often each
// record was written, fails the writes it is told to, and rejects the
// records whose value has "bad".
type memStore struct {
	mu      sync.Mutex
	offsets map[int32]int64
	rows    map[string][]byte // by key: the latest value
	writes  map[[2]int64]int  // by (partition, offset)
	fail    int               // writes still to fail
	failed  int
	batches int
	// after, when set, runs after each write that succeeded.
	after func()
}

func newMemStore() *memStore {
	return &memStore{offsets: map[int32]int64{}, rows: map[string][]byte{}, writes: map[[2]int64]int{}}
}

func (s *memStore) Offsets(_ context.Context, _ string) (map[int32]int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail > 0 {
		s.fail--
		s.failed++
		return nil, errors.New("memstore: down")
	}
	out := make(map[int32]int64, len(s.offsets))
	for p, o := range s.offsets {
		out[p] = o
	}
	return out, nil
}

func (s *memStore) Write(_ context.Context, b sink.Batch) error {
	s.mu.Lock()
	if s.fail > 0 {
		s.fail--
		s.failed++
		s.mu.Unlock()
		return errors.New("memstore: down")
	}
	var invalid []error
	for _, r := range b.Records {
		if bytes.Contains(r.Value, []byte("bad")) {
			invalid = append(invalid, sink.Reject(r, "value %q is bad", r.Value))
		}
	}
	if len(invalid) > 0 {
		s.mu.Unlock()
		return fmt.Errorf("memstore: %w", errors.Join(invalid...))
	}
	for _, r := range b.Records {
		if o, ok := s.offsets[r.Partition]; ok && r.Offset < o {
			s.mu.Unlock()
			return fmt.Errorf("memstore: offset %d of partition %d is before the stored %d", r.Offset, r.Partition, o)
		}
		s.rows[string(r.Key)] = r.Value
		s.writes[[2]int64{int64(r.Partition), r.Offset}]++
	}
	for p, o := range b.Next {
		s.offsets[p] = o
	}
	s.batches++
	after := s.after
	s.mu.Unlock()
	if after != nil {
		after()
	}
	return nil
}

func (s *memStore) Close() error { return nil }

// count returns the records written and the most writes of one.
func (s *memStore) count() (records, most int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range s.writes {
		records++
		most = max(most, n)
	}
	return records, most
}

func (s *memStore) setFail(n int) {
	s.mu.Lock()
	s.fail = n
	s.mu.Unlock()
}

type broker struct {
	*embedded.Broker
	t *testing.T
}

func startBroker(t *testing.T, topic string, partitions int) broker {
	b, err := embedded.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	if err := b.CreateTopic(topic, partitions); err != nil {
		t.Fatal(err)
	}
	return broker{b, t}
}

func (b broker) client(opts ...kgo.Opt) *kgo.Client {
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(b.Addrs()...)}, opts...)...)
	if err != nil {
		b.t.Fatal(err)
	}
	b.t.Cleanup(cl.Close)
	return cl
}

// produce sends values[i] with key k<i mod keys>.
func (b broker) produce(topic string, keys int, values ...string) {
	cl := b.client(kgo.DefaultProduceTopic(topic))
	var recs []*kgo.Record
	for i, v := range values {
		recs = append(recs, &kgo.Record{Key: fmt.Appendf(nil, "k%d", i%keys), Value: []byte(v)})
	}
	if err := cl.ProduceSync(context.Background(), recs...).FirstErr(); err != nil {
		b.t.Fatal(err)
	}
}

// read returns the first n records of topic.
func (b broker) read(topic string, n int) []*kgo.Record {
	cl := b.client(kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out []*kgo.Record
	for len(out) < n {
		f := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			b.t.Fatalf("read %d of %d records of %s", len(out), n, topic)
		}
		out = append(out, f.Records()...)
	}
	return out
}

func (b broker) config(name string, input processor.Stream) sink.Config {
	return sink.Config{Name: name, Input: input, Brokers: b.Addrs(), KafkaVersion: embedded.KafkaVersion,
		BatchSize: 25, BatchWait: 5 * time.Millisecond, RetryDelay: time.Millisecond, MaxRetryDelay: 10 * time.Millisecond}
}

// start runs a sink until the test ends or stop is called.
func start(t *testing.T, cfg sink.Config, store sink.Store) (stop func() error) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sink.Run(ctx, cfg, store) }()
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() { cancel(); err = <-done })
		return err
	}
	t.Cleanup(func() { _ = stop() })
	return stop
}

func values(from, to int) []string {
	var out []string
	for i := from; i < to; i++ {
		out = append(out, fmt.Sprintf(`{"i":%d}`, i))
	}
	return out
}

// TestExactlyOnceAcrossRestarts stops a sink mid-stream twice, once
// right after a Write (as a crash after the store's commit would), and
// through a store outage, and checks that every record reached the store
// once.
func TestExactlyOnceAcrossRestarts(t *testing.T) {
	const topic = "edits"
	b := startBroker(t, topic, 3)
	b.produce(topic, 50, values(0, 300)...)
	store := newMemStore()
	cfg := b.config("mem", topic)

	// Stop right after the fourth batch is committed.
	ctx, cancel := context.WithCancel(context.Background())
	store.after = func() {
		if store.batches == 4 {
			cancel()
		}
	}
	if err := sink.Run(ctx, cfg, store); err != nil {
		t.Fatal(err)
	}
	if n, _ := store.count(); n == 0 || n >= 300 {
		t.Fatalf("stopped after 4 batches, the store has %d records, want some of 300", n)
	}
	store.mu.Lock()
	store.after = nil
	store.mu.Unlock()

	// Run again through a store outage; stop it mid-stream, produce more,
	// and run it to the end.
	store.setFail(5)
	stop := start(t, cfg, store)
	testenv.Eventually(t, time.Minute, func() error {
		if n, _ := store.count(); n < 200 {
			return fmt.Errorf("%d records written", n)
		}
		return nil
	})
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	b.produce(topic, 50, values(300, 400)...)
	start(t, cfg, store)
	testenv.Eventually(t, time.Minute, func() error {
		if n, _ := store.count(); n != 400 {
			return fmt.Errorf("%d records written, want 400", n)
		}
		return nil
	})
	if _, most := store.count(); most != 1 {
		t.Errorf("a record was written %d times", most)
	}
	if store.failed < 5 {
		t.Errorf("the store failed %d times, want 5", store.failed)
	}
	store.mu.Lock()
	defer store.mu.Unlock()
	var next int64
	for _, o := range store.offsets {
		next += o
	}
	if next != 400 {
		t.Errorf("the stored offsets add up to %d, want 400", next)
	}
}

// TestInvalidRecordsGoToTheErrorTopic checks that records the store
// rejects land in <name>.error with the reason and their bytes, and that
// the offsets move past them.
func TestInvalidRecordsGoToTheErrorTopic(t *testing.T) {
	const topic = "edits"
	b := startBroker(t, topic, 2)
	vals := values(0, 40)
	vals[7] = "bad \xff bytes"
	vals[39] = `{"bad":true}` // the last record: offsets must still move past it
	b.produce(topic, 40, vals...)
	store := newMemStore()
	reg := prometheus.NewRegistry()
	m, err := sinkprom.New(reg)
	if err != nil {
		t.Fatal(err)
	}
	cfg := b.config("mem", topic)
	cfg.Hook = m
	start(t, cfg, store)
	testenv.Eventually(t, time.Minute, func() error {
		store.mu.Lock()
		defer store.mu.Unlock()
		var next int64
		for _, o := range store.offsets {
			next += o
		}
		if next != 40 {
			return fmt.Errorf("offsets add up to %d, want 40", next)
		}
		return nil
	})
	if n, most := store.count(); n != 38 || most != 1 {
		t.Errorf("%d records written (most %d times), want 38 once", n, most)
	}
	const want = `
# HELP ripple_sink_records_rejected_total Records a sink's store rejected as invalid, sent to the sink's error topic.
# TYPE ripple_sink_records_rejected_total counter
ripple_sink_records_rejected_total{sink="mem",stream="edits"} 2
# HELP ripple_sink_records_written_total Records a sink wrote to its store.
# TYPE ripple_sink_records_written_total counter
ripple_sink_records_written_total{sink="mem",stream="edits"} 38
# HELP ripple_sink_lag_records Records of a partition after a sink's stored offset, as of its last fetch.
# TYPE ripple_sink_lag_records gauge
ripple_sink_lag_records{partition="0",sink="mem",stream="edits"} 0
ripple_sink_lag_records{partition="1",sink="mem",stream="edits"} 0
`
	testenv.Eventually(t, time.Minute, func() error { // the hook runs after the offsets are stored
		return testutil.GatherAndCompare(reg, strings.NewReader(want),
			"ripple_sink_records_written_total", "ripple_sink_records_rejected_total", "ripple_sink_lag_records")
	})
	got := map[string]processor.ErrorRecord{}
	for _, r := range b.read("mem.error", 2) {
		rec, raw, err := processor.DecodeErrorRecord(r.Value)
		if err != nil {
			t.Fatal(err)
		}
		if string(r.Key) != rec.Key || rec.ErroredStreamName != topic {
			t.Errorf("error record %+v: key %q", rec, r.Key)
		}
		got[string(raw)] = rec
	}
	for _, v := range []string{vals[7], vals[39]} {
		rec, ok := got[v]
		if !ok {
			t.Errorf("no error record of %q; got %v", v, got)
			continue
		}
		want := fmt.Sprintf("sink mem: value %q is bad", v)
		if rec.Message != want {
			t.Errorf("reason %q, want %q", rec.Message, want)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	ok := sink.Config{Name: "s", Input: "in", Brokers: []string{"b:1"}}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []sink.Config{
		{Input: "in", Brokers: []string{"b:1"}},
		{Name: "s", Brokers: []string{"b:1"}},
		{Name: "s", Input: "in"},
		{Name: "s", Input: "in", Brokers: []string{"b:1"}, Errors: "in"},
		{Name: "s", Input: "in", Brokers: []string{"b:1"}, BatchSize: -1},
		{Name: "s", Input: "in", Brokers: []string{"b:1"}, RetryDelay: time.Minute, MaxRetryDelay: time.Second},
	} {
		if err := c.Validate(); !errors.Is(err, sink.ErrInvalidConfig) || !errors.Is(err, processor.ErrInvalidConfig) {
			t.Errorf("Validate(%+v) = %v, want ErrInvalidConfig", c, err)
		}
	}
}
