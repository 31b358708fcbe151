package processor

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/IBM/sarama"
	"github.com/lovoo/goka/storage"

	"github.com/ripplestream/ripple/event"
)

// testWorker runs a job's handlers the way EngineRipple does, on one
// partition, in memory and without Kafka: records are handed to the worker
// directly, and its producer acknowledges every record at once.
type testWorker[S any] struct {
	*worker[S]
	prod   *fakeProducer
	offset int64
}

// newTestWorker returns a worker of job on st (nil: an empty mapStorage).
// It stops when the test ends.
func newTestWorker[S any](tb testing.TB, job Job[S], st storage.Storage) *testWorker[S] {
	tb.Helper()
	r, err := NewRunner(job, Config{Brokers: []string{"127.0.0.1:1"}, MaxRetries: -1})
	if err != nil {
		tb.Fatal(err)
	}
	e := newEngine(r)
	e.ctx, e.cancel = context.WithCancelCause(context.Background())
	prod := newFakeProducer()
	e.producer = prod
	acks := make(chan struct{})
	go func() {
		defer close(acks)
		e.acknowledge()
	}()
	if st == nil {
		st = mapStorage{}
	}
	w := e.newWorker(&fakeSession{ctx: e.ctx}, 0, st)
	w.cur = newBatch()
	tb.Cleanup(func() {
		e.cancel(nil)
		prod.close()
		<-acks
	})
	return &testWorker[S]{worker: w, prod: prod}
}

// send has the worker handle value under key, from topic.
func (tw *testWorker[S]) send(topic Stream, key string, value []byte) {
	tw.offset++
	tw.handle(&sarama.ConsumerMessage{Topic: string(topic), Key: []byte(key), Value: value, Offset: tw.offset})
}

// commit ends the batch and waits until its state is stored.
func (tw *testWorker[S]) commit(tb testing.TB) {
	tb.Helper()
	if err := tw.flush(); err != nil {
		tb.Fatal(err)
	}
	if err := tw.settle(); err != nil {
		tb.Fatal(err)
	}
}

// stored returns what the worker's storage holds under key.
func (tw *testWorker[S]) stored(tb testing.TB, key string) []byte {
	tb.Helper()
	v, err := tw.st.Get(key)
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

// mapStorage is the state of a testWorker. (goka's memory storage sorts
// its keys on every write, which would dominate the benchmarks.)
type mapStorage map[string][]byte

func (m mapStorage) Get(key string) ([]byte, error)     { return m[key], nil }
func (m mapStorage) Set(key string, value []byte) error { m[key] = value; return nil }
func (m mapStorage) Delete(key string) error            { delete(m, key); return nil }
func (m mapStorage) SetOffset(int64) error              { return nil }

// The worker of a testWorker does not open, recover, iterate or close
// its state.
func (m mapStorage) Open() error                         { return nil }
func (m mapStorage) Close() error                        { return nil }
func (m mapStorage) Has(key string) (bool, error)        { _, ok := m[key]; return ok, nil }
func (m mapStorage) GetOffset(def int64) (int64, error)  { return def, nil }
func (m mapStorage) MarkRecovered() error                { return nil }
func (m mapStorage) Iterator() (storage.Iterator, error) { return nil, errors.ErrUnsupported }
func (m mapStorage) IteratorWithRange(_, _ []byte) (storage.Iterator, error) {
	return nil, errors.ErrUnsupported
}

// fakeProducer acknowledges every record it is given, with increasing
// offsets per topic, and keeps them.
type fakeProducer struct {
	sarama.AsyncProducer // nil: the engine uses only the methods below

	in        chan *sarama.ProducerMessage
	successes chan *sarama.ProducerMessage
	errors    chan *sarama.ProducerError
	done      chan struct{}

	mu struct {
		sync.Mutex
		sent    []*sarama.ProducerMessage
		offsets map[string]int64
	}
}

func newFakeProducer() *fakeProducer {
	p := &fakeProducer{in: make(chan *sarama.ProducerMessage), successes: make(chan *sarama.ProducerMessage, 1024),
		errors: make(chan *sarama.ProducerError), done: make(chan struct{})}
	p.mu.offsets = map[string]int64{}
	go func() {
		defer close(p.done)
		defer close(p.successes)
		defer close(p.errors)
		for m := range p.in {
			p.mu.Lock()
			m.Offset = p.mu.offsets[m.Topic]
			p.mu.offsets[m.Topic]++
			p.mu.sent = append(p.mu.sent, m)
			p.mu.Unlock()
			p.successes <- m
		}
	}()
	return p
}

func (p *fakeProducer) Input() chan<- *sarama.ProducerMessage     { return p.in }
func (p *fakeProducer) Successes() <-chan *sarama.ProducerMessage { return p.successes }
func (p *fakeProducer) Errors() <-chan *sarama.ProducerError      { return p.errors }
func (p *fakeProducer) close()                                    { close(p.in); <-p.done }

// sent returns the records sent to topic so far.
func (p *fakeProducer) sent(topic string) []*sarama.ProducerMessage {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []*sarama.ProducerMessage
	for _, m := range p.mu.sent {
		if m.Topic == topic {
			out = append(out, m)
		}
	}
	return out
}

// reset forgets the records sent so far.
func (p *fakeProducer) reset() {
	p.mu.Lock()
	p.mu.sent = nil
	p.mu.Unlock()
}

// fakeSession is the consumer group session of a testWorker.
type fakeSession struct {
	sarama.ConsumerGroupSession // nil: the worker uses only the methods below
	ctx                         context.Context
}

func (s *fakeSession) Context() context.Context                { return s.ctx }
func (s *fakeSession) MarkOffset(string, int32, int64, string) {}

// BenchmarkWorkerCounter measures the per-event cost of the json counter
// job of BenchmarkCounterJob (bench_integration_test.go) in EngineRipple's
// worker, minus Kafka: decode the JSON event, read the key's JSON state,
// update it, encode it; a batch ends every 4,096 events. 10,000 keys, as
// there.
func BenchmarkWorkerCounter(b *testing.B) {
	type edit struct {
		Schema string     `json:"$schema,omitempty"`
		Meta   event.Meta `json:"meta"`
		Page   string     `json:"page"`
		Bytes  int        `json:"bytes"`
	}
	type pageStats struct {
		Edits int `json:"edits"`
		Bytes int `json:"bytes"`
	}
	job := Job[pageStats]{
		Name:  "bench",
		State: event.JSON[pageStats]{},
		Inputs: []Input[pageStats]{On("edits", event.JSON[edit]{},
			func(c *Context[pageStats], key string, ev edit) error {
				st, _, err := c.State()
				if err != nil {
					return err
				}
				st.Edits++
				st.Bytes += ev.Bytes
				return c.SetState(st)
			})},
	}
	const keys = 10_000
	raws := make([][]byte, keys)
	names := make([]string, keys)
	for i := range keys {
		names[i] = fmt.Sprintf("P%d", i)
		raws[i] = fmt.Appendf(nil, `{"meta":{"stream":"edits","dt":"2026-11-01T00:00:00Z"},"page":%q,"bytes":%d}`, names[i], i)
	}
	tw := newTestWorker(b, job, nil)
	for i := range keys { // warm: every key has state
		tw.send("edits", names[i], raws[i])
	}
	tw.commit(b)
	tw.prod.reset()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		k := (i * 7919) % keys
		tw.send("edits", names[k], raws[k])
		if i%4096 == 4095 {
			tw.commit(b)
			tw.prod.reset()
		}
	}
}

// The worker's handlers share one Context (see contextReuser): what a call
// buffered and did not commit, or committed, never reaches the next.
func TestWorkerContextCarriesNothingToTheNextRecord(t *testing.T) {
	out := NewOutput[[]byte]("out", event.Raw{})
	job := Job[[]byte]{
		Name:  "reuse",
		State: event.Raw{},
		Inputs: []Input[[]byte]{On("in", event.Raw{}, func(c *Context[[]byte], key string, raw []byte) error {
			if st, has, _ := c.State(); has {
				return fmt.Errorf("key %s already has state %q", key, st)
			}
			switch string(raw) {
			case "emit":
				if err := out.Emit(c, key, raw); err != nil {
					return err
				}
				return c.SetState(raw)
			case "fail":
				_ = out.Emit(c, key, raw)
				_ = c.SetState(raw)
				return Permanent(errors.New("fails after buffering an emit and a state"))
			}
			return nil // nothing
		})},
		Outputs: []Declared{out},
	}
	tw := newTestWorker(t, job, nil)
	tw.send("in", "a", []byte("emit"))
	tw.send("in", "b", []byte("fail"))
	tw.send("in", "c", []byte("nothing"))
	tw.send("in", "d", []byte("nothing"))
	tw.commit(t)
	var got []string
	for _, m := range tw.prod.sent("out") {
		k, _ := m.Key.Encode()
		got = append(got, string(k))
	}
	if fmt.Sprint(got) != "[a]" {
		t.Errorf("emitted under keys %v, want [a]", got)
	}
	for key, want := range map[string]string{"a": "emit", "b": "", "c": "", "d": ""} {
		if v := tw.stored(t, key); string(v) != want {
			t.Errorf("state of %s = %q, want %q", key, v, want)
		}
	}
}

// BenchmarkWorkerEmit measures the per-event cost of EngineRipple's worker
// for a job that emits one output per input and writes its key's state
// (the shape of dedupe and ratelimit), minus Kafka and minus the
// operator: the state is the raw event, the output the event itself; a
// batch ends every 4,096 events. 10,000 keys.
func BenchmarkWorkerEmit(b *testing.B) {
	out := NewOutput[[]byte]("out", event.Raw{})
	job := Job[[]byte]{
		Name:  "bench",
		State: event.Raw{},
		Inputs: []Input[[]byte]{On("in", event.Raw{}, func(c *Context[[]byte], key string, raw []byte) error {
			if _, _, err := c.State(); err != nil {
				return err
			}
			if err := out.Emit(c, key, raw); err != nil {
				return err
			}
			return c.SetState(raw)
		})},
		Outputs: []Declared{out},
	}
	const keys = 10_000
	raws := make([][]byte, keys)
	names := make([]string, keys)
	for i := range keys {
		names[i] = fmt.Sprintf("E%d", i)
		raws[i] = fmt.Appendf(nil, `{"meta":{"stream":"in","id":"00000000-0000-4000-8000-%012d","dt":"2026-11-01T00:00:00Z"},"page":%q}`, i, names[i])
	}
	tw := newTestWorker(b, job, nil)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		k := i % keys
		tw.send("in", names[k], raws[k])
		if i%4096 == 4095 {
			tw.commit(b)
			tw.prod.reset()
		}
	}
}
