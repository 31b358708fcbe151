//go:build integration

package processor_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/lovoo/goka"
	"github.com/lovoo/goka/codec"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/internal/jobtest"
	"github.com/ripplestream/ripple/internal/kafkaclient"
	"github.com/ripplestream/ripple/internal/testenv"
	"github.com/ripplestream/ripple/processor"
)

// The fault tests run a per-key count job with one output per input, as an
// SRE's probe would: 4 partitions, keys spread over them, a count in state.
// After every fault the state must equal the true count of each key (no
// event applied twice or lost) and every input must have its output.

// faultChildEnv makes the test binary run the count job until killed
// (TestMain), with its settings from the environment.
const faultChildEnv = "RIPPLE_FAULT_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(faultChildEnv) != "" {
		if err := runFaultChild(); err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// countCodec is an int64 state codec.
type countCodec struct{}

func (countCodec) Encode(n int64) ([]byte, error) { return strconv.AppendInt(nil, n, 10), nil }
func (countCodec) Decode(b []byte) (int64, error) { return strconv.ParseInt(string(b), 10, 64) }

// faultJob counts the events of each key of in and emits each event's id to
// out.
func faultJob(name string, in, out processor.Stream) processor.Job[int64] {
	output := processor.NewOutput(out, event.String{})
	return processor.Job[int64]{
		Name:    processor.Group(name),
		State:   countCodec{},
		Outputs: []processor.Declared{output},
		Inputs: []processor.Input[int64]{processor.On(in, event.String{}, func(c *processor.Context[int64], key string, id string) error {
			return countAndEmit(c, output, key, id)
		})},
		// A timer handler, so the job has a timers companion group that
		// must ride out faults too; the job sets no timers.
		Timer: processor.OnTimer(event.String{}, func(*processor.Context[int64], string, string) error { return nil }),
	}
}

// countAndEmit is the probe's handler: one more event of key, and its id
// to the output.
func countAndEmit(c *processor.Context[int64], output processor.Output[string], key, id string) error {
	n, _, err := c.State()
	if err != nil {
		return err
	}
	if err := c.SetState(n + 1); err != nil {
		return err
	}
	return output.Emit(c, key, id)
}

func runFaultChild() error {
	name := os.Getenv("FAULT_NAME")
	r, err := processor.NewRunner(faultJob(name, processor.Stream(name+".in"), processor.Stream(name+".out")),
		processor.Config{Brokers: []string{os.Getenv(testenv.EnvKafka)}, StateDir: os.Getenv("FAULT_STATE"), InstanceID: "child",
			ExactlyOnce: os.Getenv("FAULT_EXACTLY_ONCE") != "",
			Logger:      slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	return r.Run(ctx)
}

// faultRun is one fault test's topics and the truth of its input.
type faultRun struct {
	kc    kafkaclient.Config
	name  string
	in    processor.Stream
	out   processor.Stream
	truth map[string]int64
	sent  int
	// exactlyOnce: the job runs with Config.ExactlyOnce, so its committed
	// outputs must hold no duplicate.
	exactlyOnce bool
}

func newFaultRun(t *testing.T, kc kafkaclient.Config) *faultRun {
	f := &faultRun{kc: kc, name: testenv.Name(t, "fault"), truth: map[string]int64{}}
	f.in, f.out = processor.Stream(f.name+".in"), processor.Stream(f.name+".out")
	testenv.CreateTopic(t, kc, string(f.in), 4)
	t.Cleanup(func() {
		testenv.DeleteTopics(t, kc, string(f.out), f.name+"-table", f.name+".error", f.name+".timer",
			f.name+".timer.ready", f.name+".timers-loop")
	})
	return f
}

// send writes n events over keys key-0 .. key-(keys-1), partitioned as goka
// partitions, each with a unique id.
func (f *faultRun) send(t *testing.T, rng *rand.Rand, n, keys int) {
	t.Helper()
	em, err := goka.NewEmitter(f.kc.Brokers, goka.Stream(f.in), new(codec.String), f.kc.EmitterOptions()...)
	if err != nil {
		t.Fatal(err)
	}
	for range n {
		key := fmt.Sprintf("key-%d", rng.IntN(keys))
		f.truth[key]++
		f.sent++
		if _, err := em.Emit(key, strconv.Itoa(f.sent)); err != nil {
			t.Fatal(err)
		}
	}
	if err := em.Finish(); err != nil {
		t.Fatal(err)
	}
}

// ends returns the high watermark of every partition of topic.
func ends(t *testing.T, client sarama.Client, topic string) map[int32]int64 {
	t.Helper()
	parts, err := client.Partitions(topic)
	if err != nil {
		return nil
	}
	out := map[int32]int64{}
	for _, p := range parts {
		hwm, err := client.GetOffset(topic, p, sarama.OffsetNewest)
		if err != nil {
			return nil
		}
		out[p] = hwm
	}
	return out
}

func total(m map[int32]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}

// waitCaughtUp waits until caughtUp, failing at once if the job stops.
func (f *faultRun) waitCaughtUp(t *testing.T, kc kafkaclient.Config, rn *processor.Runner[int64], timeout time.Duration) {
	t.Helper()
	testenv.Eventually(t, timeout, func() error {
		if err := rn.Healthy(); err != nil {
			t.Fatalf("the job stopped: %v", err)
		}
		return f.caughtUp(kc)
	})
}

// caughtUp reports nil once the job's group has committed the end of every
// input partition: everything sent was applied and stored.
func (f *faultRun) caughtUp(kc kafkaclient.Config) error {
	client, err := sarama.NewClient(kc.Brokers, kc.Sarama())
	if err != nil {
		return err
	}
	defer client.Close()
	admin, err := sarama.NewClusterAdminFromClient(client)
	if err != nil {
		return err
	}
	want := map[int32]int64{}
	parts, err := client.Partitions(string(f.in))
	if err != nil {
		return err
	}
	for _, p := range parts {
		if want[p], err = client.GetOffset(string(f.in), p, sarama.OffsetNewest); err != nil {
			return err
		}
	}
	resp, err := admin.ListConsumerGroupOffsets(f.name, map[string][]int32{string(f.in): parts})
	if err != nil {
		return err
	}
	for p, end := range want {
		b := resp.GetBlock(string(f.in), p)
		if b == nil || b.Offset < end {
			got := int64(-1)
			if b != nil {
				got = b.Offset
			}
			return fmt.Errorf("partition %d committed %d of %d", p, got, end)
		}
	}
	return nil
}

// check compares the job's state of every key with the truth, and reads
// the output stream to its end: every event must have its output.
func (f *faultRun) check(t *testing.T, r *processor.Runner[int64]) {
	t.Helper()
	wrong := 0
	var sum int64
	for key, want := range f.truth {
		var got int64
		testenv.Eventually(t, 30*time.Second, func() error {
			n, _, err := r.Get(key)
			got = n
			return err
		})
		sum += got
		if got != want {
			wrong++
			if wrong <= 5 {
				t.Errorf("state of %s = %d, want %d", key, got, want)
			}
		}
	}
	if wrong > 0 {
		t.Errorf("%d of %d keys wrong: the state counts %d events, %d were sent", wrong, len(f.truth), sum, f.sent)
	}
	if n := f.errorRecords(t); n != 0 {
		t.Errorf("%d records in the error topic: a fault must not make events fail", n)
	}
	ids, outputs := f.outputs(t)
	if len(ids) != f.sent {
		t.Errorf("outputs cover %d of the %d events sent", len(ids), f.sent)
	}
	mode := "at-least-once"
	if f.exactlyOnce {
		mode = "exactly-once, committed outputs read"
		if outputs != len(ids) {
			t.Errorf("%d committed outputs for %d events: %d duplicates under ExactlyOnce", outputs, len(ids), outputs-len(ids))
		}
	}
	t.Logf("%d events over %d keys; state exact on %d keys; %d outputs, %d of them duplicates (%s)",
		f.sent, len(f.truth), len(f.truth)-wrong, outputs, outputs-len(ids), mode)
}

// errorRecords counts the records of the job's error topic.
func (f *faultRun) errorRecords(t *testing.T) int64 {
	t.Helper()
	client, err := sarama.NewClient(f.kc.Brokers, f.kc.Sarama())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	var n int64
	for p, end := range ends(t, client, f.name+".error") {
		start, err := client.GetOffset(f.name+".error", p, sarama.OffsetOldest)
		if err != nil {
			t.Fatal(err)
		}
		n += end - start
	}
	return n
}

// outputs reads the committed records of the output stream, as a
// read-committed consumer downstream would, and returns the distinct event
// ids and the number of records. It first appends an end mark to each
// partition (the job is caught up, so no transaction of its is open) and
// reads up to it.
func (f *faultRun) outputs(t *testing.T) (map[string]bool, int) {
	t.Helper()
	const endMark = "end of the outputs"
	sc := f.kc.Sarama()
	sc.Consumer.IsolationLevel = sarama.ReadCommitted
	sc.Producer.Return.Successes = true
	sc.Producer.Partitioner = sarama.NewManualPartitioner // each end mark to its own partition
	client, err := sarama.NewClient(f.kc.Brokers, sc)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	parts, err := client.Partitions(string(f.out))
	if err != nil {
		t.Fatal(err)
	}
	producer, err := sarama.NewSyncProducerFromClient(client)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range parts {
		if _, _, err := producer.SendMessage(&sarama.ProducerMessage{Topic: string(f.out), Partition: p,
			Value: sarama.StringEncoder(endMark)}); err != nil {
			t.Fatal(err)
		}
	}
	consumer, err := sarama.NewConsumerFromClient(client)
	if err != nil {
		t.Fatal(err)
	}
	defer consumer.Close()
	ids, n := map[string]bool{}, 0
	for _, p := range parts {
		pc := testenv.ConsumeFromOldest(t, consumer, string(f.out), p)
		deadline := time.After(2 * time.Minute)
	read:
		for {
			select {
			case m := <-pc.Messages():
				if string(m.Value) == endMark {
					break read
				}
				ids[string(m.Value)] = true
				n++
			case <-deadline:
				t.Fatalf("no end mark in partition %d of %s after 2 minutes (%d records read): is a transaction of the job still open?", p, f.out, n)
			}
		}
		pc.Close()
	}
	return ids, n
}

// TestFaultKill9ExactState kills the job process with SIGKILL at ten random
// points while it works through 100,000 events, restarting it on the same
// state directory each time, then lets a last run finish: every key's count
// must be exact (no event applied twice, none lost) and every event must
// have its output.
func TestFaultKill9ExactState(t *testing.T) { kill9(t, 100_000, false) }

// TestFaultKill9ExactlyOnce is TestFaultKill9ExactState with
// Config.ExactlyOnce: the committed outputs must also hold no duplicate.
func TestFaultKill9ExactlyOnce(t *testing.T) { kill9(t, 50_000, true) }

func kill9(t *testing.T, events int, exactlyOnce bool) {
	const keys, kills = 1_000, 10
	kc := testenv.Kafka(t)
	f := newFaultRun(t, kc)
	f.exactlyOnce = exactlyOnce
	if exactlyOnce {
		t.Setenv("FAULT_EXACTLY_ONCE", "1")
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 12))
	f.send(t, rng, events, keys)
	stateDir := t.TempDir()
	t.Setenv("FAULT_NAME", f.name)
	t.Setenv("FAULT_STATE", stateDir)

	client, err := sarama.NewClient(kc.Brokers, kc.Sarama())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	for i := range kills {
		before := total(ends(t, client, string(f.out)))
		const step = 500
		// The kill falls at a random point after the job is seen working.
		delay := time.Duration(rng.IntN(1500)) * time.Millisecond
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), faultChildEnv+"=1", testenv.EnvKafka+"="+kc.Brokers[0])
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		testenv.Eventually(t, 2*time.Minute, func() error {
			select {
			case err := <-exited:
				t.Fatalf("run %d: the job exited by itself before its kill: %v", i+1, err)
			default:
			}
			if err := client.RefreshMetadata(string(f.out)); err != nil {
				return err
			}
			if got := total(ends(t, client, string(f.out))); got < before+step && f.caughtUp(kc) != nil {
				return fmt.Errorf("run %d: %d new outputs, waiting for %d", i+1, got-before, step)
			}
			return nil
		})
		time.Sleep(delay) // the fault's schedule, not a wait for a condition
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		<-exited
		t.Logf("run %d killed %v after its %dth new output (or after the end of the input)", i+1, delay, step)
	}

	// A last run, in this process, finishes the input.
	job := faultJob(f.name, f.in, f.out)
	rn := jobtest.Start(t, job, processor.Config{Brokers: kc.Brokers, StateDir: stateDir, InstanceID: "child", ExactlyOnce: exactlyOnce})
	f.waitCaughtUp(t, kc, rn.Runner, 3*time.Minute)
	f.check(t, rn.Runner)
	if err := rn.Stop(); err != nil {
		t.Fatalf("the last run stopped with %v", err)
	}
}

// TestFaultBrokerOutage starts the job while its (private) broker is down,
// then stops the broker for 20 s while the job is busy and again while it
// is idle: the job must ride each out in its process, say it waits while
// the broker is away, resume by itself, and end with exact state and every
// output.
func TestFaultBrokerOutage(t *testing.T) {
	const outage = 20 * time.Second
	broker := testenv.StartPrivateKafka(t, 19392)
	kc := broker.Config
	f := newFaultRun(t, kc)
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 34))
	f.send(t, rng, 30_000, 1_000)
	job := faultJob(f.name, f.in, f.out)
	broker.Stop()
	rn := jobtest.Start(t, job, processor.Config{Brokers: kc.Brokers, StateDir: t.TempDir(), RetryDelay: 100 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))})
	testenv.Eventually(t, time.Minute, func() error {
		if err := rn.Healthy(); err != nil {
			t.Fatalf("the job started while the broker was down stopped: %v", err)
		}
		if rn.Ready() || rn.Waiting() == "" {
			return fmt.Errorf("ready = %v, waiting = %q, started while the broker is down", rn.Ready(), rn.Waiting())
		}
		return nil
	})
	t.Logf("started while the broker is down; the job says: %s", rn.Waiting())
	broker.Start()
	client, err := sarama.NewClient(kc.Brokers, kc.Sarama())
	if err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, 2*time.Minute, func() error {
		if err := rn.Healthy(); err != nil {
			t.Fatalf("the job stopped: %v", err)
		}
		if err := client.RefreshMetadata(string(f.out)); err != nil {
			return err
		}
		if n := total(ends(t, client, string(f.out))); n < 3_000 {
			return fmt.Errorf("%d outputs so far", n)
		}
		return nil
	})
	client.Close()

	down := func(what string) {
		t.Helper()
		broker.Stop()
		testenv.Eventually(t, time.Minute, func() error {
			if rn.Ready() || rn.Waiting() == "" {
				return fmt.Errorf("ready = %v, waiting = %q while the broker is down", rn.Ready(), rn.Waiting())
			}
			return nil
		})
		t.Logf("broker down while %s; the job says: %s", what, rn.Waiting())
		time.Sleep(outage) // the outage itself, not a wait for a condition
		if err := rn.Healthy(); err != nil {
			t.Fatalf("the job stopped during the outage: %v", err)
		}
		broker.Start()
		testenv.Eventually(t, 3*time.Minute, func() error {
			if err := rn.Healthy(); err != nil {
				t.Fatalf("the job stopped after the broker came back: %v", err)
			}
			if !rn.Ready() {
				return fmt.Errorf("not ready after the broker came back: %s", rn.Waiting())
			}
			return f.caughtUp(kc)
		})
	}
	down("busy")
	down("idle")
	f.send(t, rng, 5_000, 1_000)
	f.waitCaughtUp(t, kc, rn.Runner, 2*time.Minute)
	f.check(t, rn.Runner)
	if err := rn.Stop(); err != nil {
		t.Fatalf("the job stopped with %v", err)
	}
}

// TestFaultStoreUnavailable has the handler fail with ErrUnavailable (as a
// store that is down makes deps.Store calls fail) for a while: the
// partition must pause and say so, send nothing to the retry or error
// topics, and apply every event exactly once when the store is back.
func TestFaultStoreUnavailable(t *testing.T) {
	kc := testenv.Kafka(t)
	f := newFaultRun(t, kc)
	var down atomic.Bool
	down.Store(true)
	var calls atomic.Int64
	counter := &counted{}
	rn := jobtest.Start(t, withGate(faultJob(f.name, f.in, f.out), f.in, f.out, &down, &calls), processor.Config{Brokers: kc.Brokers, StateDir: t.TempDir(),
		Hooks: []processor.Hook{counter}, RetryDelay: 100 * time.Millisecond})
	f.send(t, rand.New(rand.NewPCG(7, 8)), 2_000, 100)
	testenv.Eventually(t, time.Minute, func() error {
		if rn.Waiting() == "" || rn.Ready() || calls.Load() < 8 {
			return fmt.Errorf("waiting = %q, ready = %v, %d calls", rn.Waiting(), rn.Ready(), calls.Load())
		}
		return nil
	})
	t.Logf("while the store is down the job says: %s", rn.Waiting())
	down.Store(false)
	f.waitCaughtUp(t, kc, rn.Runner, 2*time.Minute)
	if n := counter.retries.Load() + counter.errs.Load(); n != 0 {
		t.Errorf("%d events went to the retry or error topic while the store was down", n)
	}
	if rn.Waiting() != "" {
		t.Errorf("still waiting after the store is back: %s", rn.Waiting())
	}
	f.check(t, rn.Runner)
}

// withGate is faultJob whose handler fails with ErrUnavailable while down.
func withGate(job processor.Job[int64], in, out processor.Stream, down *atomic.Bool, calls *atomic.Int64) processor.Job[int64] {
	output := processor.NewOutput(out, event.String{})
	job.Inputs = []processor.Input[int64]{processor.On(in, event.String{}, func(c *processor.Context[int64], key, id string) error {
		calls.Add(1)
		if down.Load() {
			return processor.Unavailable(errors.New("the store does not answer"))
		}
		return countAndEmit(c, output, key, id)
	})}
	return job
}

// TestRebalanceExactState runs the count job on one instance, starts a
// second while the first is busy (the partitions move: each leaves with
// its batches acknowledged and stored), then stops the second (they move
// back): the state is exact and every event has its output.
func TestRebalanceExactState(t *testing.T) { rebalance(t, false) }

// TestExactlyOnceRebalance is TestRebalanceExactState with
// Config.ExactlyOnce (each owner leaves with a last transaction): the
// committed outputs must also hold each event exactly once.
func TestExactlyOnceRebalance(t *testing.T) { rebalance(t, true) }

func rebalance(t *testing.T, exactlyOnce bool) {
	kc := testenv.Kafka(t)
	f := newFaultRun(t, kc)
	f.exactlyOnce = exactlyOnce
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 56))
	f.send(t, rng, 40_000, 1_000)
	config := func(id string) processor.Config {
		return processor.Config{Brokers: kc.Brokers, StateDir: t.TempDir(), InstanceID: id, ExactlyOnce: exactlyOnce}
	}
	a := jobtest.Start(t, faultJob(f.name, f.in, f.out), config("a"))
	client, err := sarama.NewClient(kc.Brokers, kc.Sarama())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	testenv.Eventually(t, 2*time.Minute, func() error {
		if err := a.Healthy(); err != nil {
			t.Fatalf("instance a stopped: %v", err)
		}
		if err := client.RefreshMetadata(string(f.out)); err != nil {
			return err
		}
		if n := total(ends(t, client, string(f.out))); n < 5_000 {
			return fmt.Errorf("%d outputs so far", n)
		}
		return nil
	})
	b := jobtest.Start(t, faultJob(f.name, f.in, f.out), config("b"))
	testenv.Eventually(t, 2*time.Minute, func() error {
		for _, r := range []*jobtest.Running[int64]{a, b} {
			if err := r.Healthy(); err != nil {
				t.Fatalf("an instance stopped: %v", err)
			}
		}
		if !b.Ready() {
			return errors.New("instance b has not joined")
		}
		return nil
	})
	f.send(t, rng, 10_000, 1_000)
	if err := b.Stop(); err != nil {
		t.Fatalf("instance b stopped with %v", err)
	}
	f.waitCaughtUp(t, kc, a.Runner, 3*time.Minute)
	f.check(t, a.Runner)
}
