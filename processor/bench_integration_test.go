//go:build integration

package processor_test

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/lovoo/goka"
	"github.com/lovoo/goka/codec"
	"github.com/lovoo/goka/storage"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/internal/kafkaclient"
	"github.com/ripplestream/ripple/internal/testenv"
	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/processor/dedupe"
	"github.com/ripplestream/ripple/processor/ratelimit"
)

// benchEvents is how many events each variant of BenchmarkCounterJob
// processes per iteration.
const benchEvents = 200_000

// BenchmarkCounterJob measures stateful counters on the real broker,
// events/s, for two jobs: json (JSON event in, per-key JSON state
// updated) and count (events counted per key as opaque bytes, the count a
// varint: the engine's own cost), each as
//   - ripple: processor.Runner (EngineRipple) with Pebble state;
//   - goka-leveldb: the same logic as a plain goka processor on goka's
//     default LevelDB storage;
//
// and
//   - pipe: the ceiling, a sarama consumer group that consumes each event
//     and produces it to another topic with the engine's producer
//     (franz-go's), no state.
//
// Run: make bench BENCH=BenchmarkCounterJob (or, with services up,
// go test -tags integration -run '^$' -bench BenchmarkCounterJob -benchtime 1x ./processor/).
func BenchmarkCounterJob(b *testing.B) {
	kc := testenv.Kafka(b)
	input := testenv.Name(b, "bench-in")
	testenv.CreateTopic(b, kc, input, 4)
	produceBench(b, kc, input, benchEvents)

	variants := []benchVariant{
		{"json/ripple", benchRipple}, {"json/goka-leveldb", benchGoka},
		{"count/ripple", benchRippleCount}, {"count/goka-leveldb", benchGokaCount},
		{"pipe", benchPipe},
	}
	runVariants(b, kc, input, variants)
}

// benchVariant is one way of running a benchmark's job over input.
type benchVariant struct {
	name string
	run  func(*testing.B, kafkaclient.Config, string)
}

// runVariants runs each variant as a sub-benchmark and reports its rates.
func runVariants(b *testing.B, kc kafkaclient.Config, input string, variants []benchVariant) {
	for _, v := range variants {
		b.Run(v.name, func(b *testing.B) {
			steady = 0
			var cpu time.Duration
			for range b.N {
				start := cpuTime()
				v.run(b, kc, input)
				cpu += cpuTime() - start
			}
			reportRate(b, cpu)
		})
	}
}

// reportRate reports events/s (wall clock, from the job's start to its
// last event), events/s-steady (from its first event to its last) and events per CPU-second of this process (the client side:
// the broker runs in its own process on the same machine).
func reportRate(b *testing.B, cpu time.Duration) {
	b.ReportMetric(float64(benchEvents*b.N)/b.Elapsed().Seconds(), "events/s")
	if steady > 0 {
		b.ReportMetric(float64(benchEvents*b.N)/steady.Seconds(), "events/s-steady")
	}
	b.ReportMetric(float64(benchEvents*b.N)/cpu.Seconds(), "events/cpu-s")
	b.ReportMetric(0, "ns/op")
}

// cpuTime returns the user and system CPU time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func produceBench(b *testing.B, kc kafkaclient.Config, topic string, n int) {
	b.Helper()
	em, err := goka.NewEmitter(kc.Brokers, goka.Stream(topic), new(codec.Bytes), kc.EmitterOptions()...)
	if err != nil {
		b.Fatal(err)
	}
	for i := range n {
		key := fmt.Sprintf("P%d", i%10_000)
		if _, err := em.Emit(key, fmt.Appendf(nil, `{"meta":{"stream":"edits","dt":"2026-11-01T00:00:00Z"},"page":%q,"bytes":%d}`, key, i)); err != nil {
			b.Fatal(err)
		}
	}
	if err := em.Finish(); err != nil {
		b.Fatal(err)
	}
}

// steady accumulates, over a sub-benchmark's iterations, the time from the
// first event handled to the last (waitCount measures it to 5 ms): the
// run without the group join and startup. The benchmarks run one at a
// time, so a package variable is safe here.
var steady time.Duration

// waitCount stops the timer-independent wait once n events were counted.
func waitCount(b *testing.B, c *atomic.Int64, n int64, errc <-chan error) {
	b.Helper()
	deadline := time.After(5 * time.Minute)
	var first time.Time
	defer func() {
		if !first.IsZero() {
			steady += time.Since(first)
		}
	}()
	for c.Load() < n {
		if first.IsZero() && c.Load() > 0 {
			first = time.Now()
		}
		select {
		case err := <-errc:
			b.Fatalf("stopped after %d of %d events: %v", c.Load(), n, err)
		case <-deadline:
			b.Fatalf("processed %d of %d events in 5 minutes", c.Load(), n)
		case <-time.After(5 * time.Millisecond):
		}
	}
}

type okCounter struct{ n atomic.Int64 }

func (c *okCounter) OnEvent(e processor.EventInfo) {
	if e.Outcome == processor.OutcomeOK {
		c.n.Add(1)
	}
}

func benchRipple(b *testing.B, kc kafkaclient.Config, input string) {
	name := processor.Group(testenv.Name(b, "bench-ripple"))
	b.Cleanup(func() { testenv.DeleteTopics(b, kc, string(name)+"-table", string(name)+".error") })
	var seen okCounter
	job := processor.Job[pageStats]{
		Name:   name,
		State:  event.JSON[pageStats]{},
		Inputs: []processor.Input[pageStats]{processor.On(processor.Stream(input), event.JSON[edit]{}, countEdit)},
	}
	runRipple(b, kc, job, &seen, false)
}

// runRipple runs job until seen has counted benchEvents events, with
// Config.ExactlyOnce if exactlyOnce.
func runRipple[S any](b *testing.B, kc kafkaclient.Config, job processor.Job[S], seen *okCounter, exactlyOnce bool) {
	r, err := processor.NewRunner(job, processor.Config{Brokers: kc.Brokers, StateDir: b.TempDir(),
		MaxRetries: -1, Hooks: []processor.Hook{seen}, ExactlyOnce: exactlyOnce, InstanceID: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- r.Run(ctx) }()
	waitCount(b, &seen.n, benchEvents, errc)
	b.StopTimer()
	cancel()
	<-errc
	b.StartTimer()
}

func benchGoka(b *testing.B, kc kafkaclient.Config, input string) {
	runGoka(b, kc, input, "bench-goka", func(ctx goka.Context, msg []byte) {
		var ev edit
		if err := json.Unmarshal(msg, &ev); err != nil {
			ctx.Fail(err)
		}
		var st pageStats
		if v, _ := ctx.Value().([]byte); v != nil {
			if err := json.Unmarshal(v, &st); err != nil {
				ctx.Fail(err)
			}
		}
		st.Edits++
		st.Bytes += ev.Bytes
		v, _ := json.Marshal(st)
		ctx.SetValue(v)
	})
}

// runGoka runs handle as a goka processor on LevelDB over input until it
// has seen benchEvents events.
func runGoka(b *testing.B, kc kafkaclient.Config, input, prefix string, handle func(goka.Context, []byte)) {
	group := goka.Group(testenv.Name(b, prefix))
	b.Cleanup(func() { testenv.DeleteTopics(b, kc, string(goka.GroupTable(group))) })
	var n atomic.Int64
	cb := func(ctx goka.Context, msg any) {
		handle(ctx, msg.([]byte))
		n.Add(1)
	}
	g := goka.DefineGroup(group, goka.Input(goka.Stream(input), new(codec.Bytes), cb), goka.Persist(new(codec.Bytes)))
	opts := append(kc.ProcessorOptions(), goka.WithStorageBuilder(storage.DefaultBuilder(b.TempDir())),
		goka.WithLogger(kafkaclient.GokaLogger(nil)))
	p, err := goka.NewProcessor(kc.Brokers, g, opts...)
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- p.Run(ctx) }()
	waitCount(b, &n, benchEvents, errc)
	b.StopTimer()
	cancel()
	<-errc
	b.StartTimer()
}

// count is a binary int64 state codec: the counter without JSON.
type count struct{}

func (count) Encode(n int64) ([]byte, error) { return binary.AppendVarint(nil, n), nil }
func (count) Decode(b []byte) (int64, error) {
	n, k := binary.Varint(b)
	if k <= 0 {
		return 0, fmt.Errorf("bad count %x", b)
	}
	return n, nil
}

// benchRippleCount counts events per key, the events taken as opaque
// bytes and the count kept as a varint: the engine's own cost.
func benchRippleCount(b *testing.B, kc kafkaclient.Config, input string) {
	name := processor.Group(testenv.Name(b, "bench-ripple-count"))
	b.Cleanup(func() { testenv.DeleteTopics(b, kc, string(name)+"-table", string(name)+".error") })
	var seen okCounter
	job := processor.Job[int64]{
		Name:  name,
		State: count{},
		Inputs: []processor.Input[int64]{processor.On(processor.Stream(input), event.Raw{},
			func(c *processor.Context[int64], key string, _ []byte) error {
				n, _, err := c.State()
				if err != nil {
					return err
				}
				return c.SetState(n + 1)
			})},
	}
	runRipple(b, kc, job, &seen, false)
}

// benchGokaCount is benchRippleCount's logic as a plain goka processor.
func benchGokaCount(b *testing.B, kc kafkaclient.Config, input string) {
	runGoka(b, kc, input, "bench-goka-count", func(ctx goka.Context, _ []byte) {
		var n int64
		if v, _ := ctx.Value().([]byte); v != nil {
			n, _ = binary.Varint(v)
		}
		ctx.SetValue(binary.AppendVarint(nil, n+1))
	})
}

// pipeHandler consumes and produces each event: the client's ceiling,
// with the engine's clients (a sarama consumer group, franz-go's producer
// set as the engine's by kafkaclient.Config.JobProducer).
type pipeHandler struct {
	out      string
	producer *kgo.Client
	failed   func(*kgo.Record, error)
	n        *atomic.Int64
}

func (pipeHandler) Setup(sarama.ConsumerGroupSession) error   { return nil }
func (pipeHandler) Cleanup(sarama.ConsumerGroupSession) error { return nil }
func (h pipeHandler) ConsumeClaim(s sarama.ConsumerGroupSession, c sarama.ConsumerGroupClaim) error {
	for m := range c.Messages() {
		h.producer.Produce(context.Background(), &kgo.Record{Topic: h.out, Key: m.Key, Value: m.Value}, h.failed)
		s.MarkMessage(m, "")
		h.n.Add(1)
	}
	return nil
}

func benchPipe(b *testing.B, kc kafkaclient.Config, input string) {
	out := testenv.Name(b, "bench-pipe-out")
	testenv.CreateTopic(b, kc, out, 4)
	opts, err := kc.JobProducer()
	if err != nil {
		b.Fatal(err)
	}
	producer, err := kgo.NewClient(opts...)
	if err != nil {
		b.Fatal(err)
	}
	failed := func(_ *kgo.Record, err error) {
		if err != nil {
			b.Errorf("pipe produce: %v", err)
		}
	}
	group, err := sarama.NewConsumerGroup(kc.Brokers, testenv.Name(b, "bench-pipe"), kc.Sarama())
	if err != nil {
		b.Fatal(err)
	}
	var n atomic.Int64
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		for ctx.Err() == nil {
			if err := group.Consume(ctx, []string{input}, pipeHandler{out: out, producer: producer, failed: failed, n: &n}); err != nil {
				errc <- err
				return
			}
		}
	}()
	waitCount(b, &n, benchEvents, errc)
	b.StopTimer()
	cancel()
	group.Close()
	if err := producer.Flush(context.Background()); err != nil {
		b.Error(err)
	}
	producer.Close()
	b.StartTimer()
}

// BenchmarkOperatorJobs measures the dedupe and ratelimit stages on the
// real broker, events/s and events per CPU-second, from first start to the
// last event, next to the pipe ceiling in the same run (the pipe variant of
// BenchmarkCounterJob, over the same input). The input is 200,000
// client-error-like events (about 300 bytes) with a meta.id, on 10,000
// keys, one in ten a redelivery of its key's previous id, 4 partitions;
// record timestamps are those of the producer:
//   - dedupe: the stage with the default TTL (1 h) and MaxIDs, with its
//     expiry timers (one per key is set; none fires during the run);
//   - dedupe-notimers: the same with Config.NoTimers, for the timers' cost;
//   - ratelimit: 5 events a second per key in bursts of 5, Sample policy,
//     summaries to a stream (so each key held back sets a summary timer);
//   - pipe: a sarama consumer group that consumes each event and produces
//     it to another topic with the engine's producer, no state.
//
// Run: make bench BENCH=BenchmarkOperatorJobs (or, with services up,
// go test -tags integration -run '^$' -bench BenchmarkOperatorJobs -benchtime 1x ./processor/).
func BenchmarkOperatorJobs(b *testing.B) {
	kc := testenv.Kafka(b)
	input := testenv.Name(b, "bench-ops-in")
	testenv.CreateTopic(b, kc, input, 4)
	b.Cleanup(func() { testenv.DeleteTopics(b, kc, input) })
	produceOperatorBench(b, kc, input, benchEvents)

	variants := []benchVariant{
		{"dedupe", func(b *testing.B, kc kafkaclient.Config, input string) { benchDedupeJob(b, kc, input, false) }},
		{"dedupe-notimers", func(b *testing.B, kc kafkaclient.Config, input string) { benchDedupeJob(b, kc, input, true) }},
		{"ratelimit", benchRateLimitJob},
		{"pipe", benchPipe},
	}
	runVariants(b, kc, input, variants)
}

// produceOperatorBench writes n events with a meta.id on 10,000 keys; one
// in ten repeats its key's previous id.
func produceOperatorBench(b *testing.B, kc kafkaclient.Config, topic string, n int) {
	b.Helper()
	em, err := goka.NewEmitter(kc.Brokers, goka.Stream(topic), new(codec.Bytes), kc.EmitterOptions()...)
	if err != nil {
		b.Fatal(err)
	}
	last := map[string]int{}
	for i := range n {
		key := fmt.Sprintf("E%d", i%10_000)
		id := i
		if prev, ok := last[key]; ok && i%10 == 3 {
			id = prev
		}
		last[key] = id
		v := fmt.Appendf(nil, `{"$schema":"/mediawiki/client/error/2.0.0","meta":{"stream":"mediawiki.client.error","id":"00000000-0000-4000-8000-%012d","dt":"2026-11-01T00:00:00Z","domain":"en.wikipedia.org"},"message":"Uncaught TypeError: e is undefined","error_class":"TypeError","url":"https://en.wikipedia.org/wiki/%s"}`, id, key)
		if _, err := em.Emit(key, v); err != nil {
			b.Fatal(err)
		}
	}
	if err := em.Finish(); err != nil {
		b.Fatal(err)
	}
}

// inputCounter counts the events of one stream a job handled without
// error (a job's timers are events too, of another stream).
type inputCounter struct {
	stream processor.Stream
	n      atomic.Int64
}

func (c *inputCounter) OnEvent(e processor.EventInfo) {
	if e.Stream == c.stream && e.Outcome == processor.OutcomeOK {
		c.n.Add(1)
	}
}

// runBenchJob runs job until it has handled benchEvents events of input,
// then stops it (untimed) and deletes its topics when the benchmark ends.
func runBenchJob[S any](b *testing.B, kc kafkaclient.Config, job processor.Job[S], input string, outputs ...string) {
	b.Helper()
	b.Cleanup(func() {
		timers := string(processor.TimerStream(job.Name))
		topics := append([]string{string(job.Name) + "-table", string(job.Name) + ".error"}, outputs...)
		if job.Timer != nil {
			topics = append(topics, timers, timers+".ready", string(job.Name)+".timers-loop")
		}
		testenv.DeleteTopics(b, kc, topics...)
	})
	seen := inputCounter{stream: processor.Stream(input)}
	r, err := processor.NewRunner(job, processor.Config{Brokers: kc.Brokers, StateDir: b.TempDir(),
		MaxRetries: -1, Hooks: []processor.Hook{&seen}})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- r.Run(ctx) }()
	waitCount(b, &seen.n, benchEvents, errc)
	b.StopTimer()
	cancel()
	<-errc
	b.StartTimer()
}

func benchDedupeJob(b *testing.B, kc kafkaclient.Config, input string, noTimers bool) {
	output := testenv.Name(b, "bench-dedupe-out")
	job, err := dedupe.Job(dedupe.Config{Name: processor.Group(testenv.Name(b, "bench-dedupe")),
		Input: processor.Stream(input), Output: processor.Stream(output), NoTimers: noTimers})
	if err != nil {
		b.Fatal(err)
	}
	runBenchJob(b, kc, job, input, output)
}

func benchRateLimitJob(b *testing.B, kc kafkaclient.Config, input string) {
	output, summaries := testenv.Name(b, "bench-ratelimit-out"), testenv.Name(b, "bench-ratelimit-sum")
	job, err := ratelimit.Job(ratelimit.Config{Name: processor.Group(testenv.Name(b, "bench-ratelimit")),
		Input: processor.Stream(input), Output: processor.Stream(output), SummaryOutput: processor.Stream(summaries),
		Limiter: ratelimit.Limiter{Limit: ratelimit.Limit{Rate: 5, Burst: 5}, Policy: ratelimit.Sample}})
	if err != nil {
		b.Fatal(err)
	}
	runBenchJob(b, kc, job, input, output, summaries)
}

// BenchmarkExactlyOnce measures what Config.ExactlyOnce costs: a job that
// counts events per key (opaque bytes, a varint count) and emits one output
// per event, run at-least-once (the default) and exactly-once, in
// events/s as BenchmarkCounterJob reports them, with the pipe as the
// ceiling of the same run.
//
// Run: make bench BENCH=BenchmarkExactlyOnce (or, with services up,
// go test -tags integration -run '^$' -bench BenchmarkExactlyOnce -benchtime 1x ./processor/).
func BenchmarkExactlyOnce(b *testing.B) {
	kc := testenv.Kafka(b)
	input := testenv.Name(b, "bench-in")
	testenv.CreateTopic(b, kc, input, 4)
	produceBench(b, kc, input, benchEvents)
	emitting := func(exactlyOnce bool) func(*testing.B, kafkaclient.Config, string) {
		return func(b *testing.B, kc kafkaclient.Config, input string) {
			name := processor.Group(testenv.Name(b, "bench-eos"))
			out := processor.NewOutput(processor.Stream(string(name)+".out"), event.Raw{})
			b.Cleanup(func() {
				testenv.DeleteTopics(b, kc, string(name)+"-table", string(name)+".error", string(name)+".out")
			})
			var seen okCounter
			job := processor.Job[int64]{
				Name:    name,
				State:   count{},
				Outputs: []processor.Declared{out},
				Inputs: []processor.Input[int64]{processor.On(processor.Stream(input), event.Raw{},
					func(c *processor.Context[int64], key string, v []byte) error {
						n, _, err := c.State()
						if err != nil {
							return err
						}
						if err := c.SetState(n + 1); err != nil {
							return err
						}
						return out.Emit(c, key, v)
					})},
			}
			runRipple(b, kc, job, &seen, exactlyOnce)
		}
	}
	runVariants(b, kc, input, []benchVariant{
		{"count-emit/at-least-once", emitting(false)},
		{"count-emit/exactly-once", emitting(true)},
		{"pipe", benchPipe},
	})
}
