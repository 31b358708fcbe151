//go:build integration && unix

// unix: the CPU time of a restore is read with getrusage.

package state_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/lovoo/goka"
	"github.com/lovoo/goka/codec"
	"github.com/lovoo/goka/storage"

	"github.com/ripplestream/ripple/internal/kafkaclient"
	"github.com/ripplestream/ripple/internal/testenv"
	"github.com/ripplestream/ripple/state"
)

const (
	// recoveryKeys is the number of distinct keys in the changelog.
	recoveryKeys = 1_000_000
	// recoveryPartitions is the changelog's partition count.
	recoveryPartitions = 4
	// recoverySamples is how many keys are read back after each restore.
	recoverySamples = 2_000
)

// BenchmarkRecovery measures state recovery through goka's own path: a goka
// View over a compacted changelog of 1,000,000 distinct keys (~100-byte
// values, 4 partitions, produced once per run) restores into empty local
// storage, timed from View.Run until the view is running (every partition
// caught up and marked recovered). It reports keys/s for:
//   - pebble: state.Builder (ripple's store, in recovery mode until goka
//     calls MarkRecovered, which is included in the time);
//   - leveldb: goka's storage.DefaultBuilder;
//   - ripple: state.Restore into Pebble, the path of ripple's engine
//     (EngineRipple): it fetches whole record batches from the leader
//     itself and writes chunks of records as one batch each, no goka
//     partition table in between;
//   - consume: a sarama consumer with the same configuration reading
//     every partition to its end and storing nothing (the ceiling of the
//     goka paths, which read through such a consumer).
//
// Besides wall-clock keys/s it reports keys/cpu-s: keys per second of CPU
// time of the whole process (getrusage), which stays comparable when other
// processes compete for the machine's cores.
//
// After each restore it reads a sample of keys back through the view and
// checks their values, so an empty or partial restore fails the benchmark.
// Each iteration restores the whole changelog (seconds): run it once,
//
//	RIPPLE_KAFKA_BROKERS=127.0.0.1:19092 go test -tags integration -run '^$' \
//	    -bench BenchmarkRecovery -benchtime 1x -timeout 30m ./state/
func BenchmarkRecovery(b *testing.B) {
	kc := testenv.Kafka(b)
	topic := testenv.Name(b, "recovery-table")
	createTable(b, kc, topic)
	produceTable(b, kc, topic)

	builders := []struct {
		name  string
		build func(dir string) storage.Builder
	}{
		{"pebble", func(dir string) storage.Builder { return state.Builder(state.Config{Dir: dir}) }},
		{"leveldb", storage.DefaultBuilder},
	}
	for _, bl := range builders {
		b.Run(bl.name, func(b *testing.B) {
			var cpu time.Duration
			for range b.N {
				cpu += restore(b, kc, topic, bl.build(b.TempDir()))
			}
			reportRecovery(b, cpu)
		})
	}
	b.Run("ripple", func(b *testing.B) {
		var cpu time.Duration
		for range b.N {
			cpu += restoreRipple(b, kc, topic, state.Builder(state.Config{Dir: b.TempDir()}))
		}
		reportRecovery(b, cpu)
	})
	b.Run("consume", func(b *testing.B) {
		var cpu time.Duration
		for range b.N {
			cpu += consumeAll(b, kc, topic)
		}
		reportRecovery(b, cpu)
	})
}

func reportRecovery(b *testing.B, cpu time.Duration) {
	b.ReportMetric(float64(recoveryKeys*b.N)/b.Elapsed().Seconds(), "keys/s")
	b.ReportMetric(float64(recoveryKeys*b.N)/cpu.Seconds(), "keys/cpu-s")
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/restore")
	b.ReportMetric(0, "ns/op")
}

// cpuTime returns the user plus system CPU time of this process so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatalf("getrusage: %v", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// createTable creates topic as a goka table (compacted) and deletes it when
// the benchmark ends.
func createTable(b *testing.B, kc kafkaclient.Config, topic string) {
	b.Helper()
	tm, err := kc.TopicManager()
	if err != nil {
		b.Fatal(err)
	}
	defer tm.Close()
	b.Cleanup(func() { testenv.DeleteTopics(b, kc, topic) })
	if err := tm.EnsureTableExists(topic, recoveryPartitions); err != nil {
		b.Fatalf("creating table %s: %v", topic, err)
	}
}

// produceTable writes recoveryKeys distinct keys to topic with an async
// producer partitioned like goka (FNV-1a of the key), so the view finds
// each key in the partition it looks in.
func produceTable(b *testing.B, kc kafkaclient.Config, topic string) {
	b.Helper()
	sc := kc.Sarama()
	sc.Producer.Partitioner = sarama.NewCustomHashPartitioner(goka.DefaultHasher())
	sc.Producer.Return.Successes = false
	sc.Producer.Flush.Bytes = 1 << 20
	sc.Producer.Flush.Frequency = 10 * time.Millisecond
	p, err := sarama.NewAsyncProducer(kc.Brokers, sc)
	if err != nil {
		b.Fatal(err)
	}
	var (
		wg   sync.WaitGroup
		errs []error
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for err := range p.Errors() {
			errs = append(errs, err)
		}
	}()
	for i := range recoveryKeys {
		p.Input() <- &sarama.ProducerMessage{Topic: topic,
			Key: sarama.StringEncoder(recoveryKey(i)), Value: sarama.ByteEncoder(recoveryValue(i))}
	}
	p.AsyncClose()
	wg.Wait()
	if len(errs) > 0 {
		b.Fatalf("producing the changelog: %d errors, first: %v", len(errs), errs[0])
	}
}

func recoveryKey(i int) string { return fmt.Sprintf("page/%08d", i) }

// recoveryValue is a ~100-byte value that names its key, so a value restored
// under the wrong key is caught.
func recoveryValue(i int) []byte {
	return fmt.Appendf(nil, `{"page":%d,"rev":%d,"sha1":"%040x","pad":"%032d"}`, i, i*7+1, uint64(i)*2654435761, i)
}

// restore recovers the table into storage made by build, checks a sample of
// keys and returns the CPU time of the recovery. Only the recovery is timed.
func restore(b *testing.B, kc kafkaclient.Config, topic string, build storage.Builder) time.Duration {
	b.StopTimer()
	// Deferred first, run last: closing clients and stores is not timed.
	defer b.StartTimer()
	opts := append(kc.ViewOptions(), goka.WithViewStorageBuilder(build),
		goka.WithViewLogger(kafkaclient.GokaLogger(nil)))
	view, err := goka.NewView(kc.Brokers, goka.Table(topic), new(codec.Bytes), opts...)
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	cpu := cpuTime(b)
	b.StartTimer()
	go func() { done <- view.Run(ctx) }()
	select {
	case <-view.WaitRunning():
	case err := <-done:
		cancel()
		b.Fatalf("view stopped before it recovered: %v", err)
	case <-time.After(10 * time.Minute):
		cancel()
		<-done
		b.Fatal("view not recovered after 10 minutes")
	}
	b.StopTimer()
	cpu = cpuTime(b) - cpu
	defer func() {
		cancel()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			b.Errorf("view: %v", err)
		}
	}()
	checkRestored(b, viewGet(view))
	return cpu
}

// consumeAll reads every partition of topic from the oldest offset to the
// high watermark with a plain sarama consumer, storing nothing, and returns
// the CPU time it took.
func consumeAll(b *testing.B, kc kafkaclient.Config, topic string) time.Duration {
	b.StopTimer()
	// Deferred first, run last: closing clients and stores is not timed.
	defer b.StartTimer()
	client, err := sarama.NewClient(kc.Brokers, kc.Sarama())
	if err != nil {
		b.Fatal(err)
	}
	defer client.Close()
	consumer, err := sarama.NewConsumerFromClient(client)
	if err != nil {
		b.Fatal(err)
	}
	defer consumer.Close()
	hwms := make([]int64, recoveryPartitions)
	for p := range hwms {
		if hwms[p], err = client.GetOffset(topic, int32(p), sarama.OffsetNewest); err != nil {
			b.Fatal(err)
		}
	}
	cpu := cpuTime(b)
	b.StartTimer()
	var (
		wg sync.WaitGroup
		mu sync.Mutex
		n  int
	)
	for p, hwm := range hwms {
		pc, err := consumer.ConsumePartition(topic, int32(p), sarama.OffsetOldest)
		if err != nil {
			b.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			// As Restore did before it fetched by itself: a synchronous
			// close waits out the broker's fetch wait at the topic's end.
			defer pc.AsyncClose()
			var got int
			for m := range pc.Messages() {
				got++
				if m.Offset >= hwm-1 {
					break
				}
			}
			mu.Lock()
			n += got
			mu.Unlock()
		}()
	}
	wg.Wait()
	b.StopTimer()
	cpu = cpuTime(b) - cpu
	if n != recoveryKeys {
		b.Fatalf("consumed %d records, want %d", n, recoveryKeys)
	}
	return cpu
}

// checkRestored reads recoverySamples keys spread over the whole key range,
// the first and the last, and one key that was never written, through get.
func checkRestored(b *testing.B, get func(key string) ([]byte, error)) {
	b.Helper()
	step := recoveryKeys / recoverySamples
	for i := 0; i < recoveryKeys; i += step {
		checkKey(b, get, i)
	}
	checkKey(b, get, recoveryKeys-1)
	if v, err := get(recoveryKey(recoveryKeys)); err != nil || v != nil {
		b.Fatalf("key %s was never written but reads %q (%v)", recoveryKey(recoveryKeys), v, err)
	}
}

func checkKey(b *testing.B, get func(key string) ([]byte, error), i int) {
	got, err := get(recoveryKey(i))
	if err != nil {
		b.Fatalf("reading %s after restore: %v", recoveryKey(i), err)
	}
	if want := recoveryValue(i); string(got) != string(want) {
		b.Fatalf("after restore %s = %q, want %q", recoveryKey(i), got, want)
	}
}

// viewGet reads through a goka view.
func viewGet(view *goka.View) func(string) ([]byte, error) {
	return func(key string) ([]byte, error) {
		v, err := view.Get(key)
		b, _ := v.([]byte)
		return b, err
	}
}

// restoreRipple recovers the table with state.Restore, the path ripple's
// engine takes, one goroutine per partition into Pebble stores made by
// build, checks a sample of keys and returns the CPU time of the recovery.
func restoreRipple(b *testing.B, kc kafkaclient.Config, topic string, build storage.Builder) time.Duration {
	b.StopTimer()
	// Deferred first, run last: closing clients and stores is not timed.
	defer b.StartTimer()
	sc := kc.Sarama()
	sc.ChannelBufferSize = 4096 // as processor's engine client
	client, err := sarama.NewClient(kc.Brokers, sc)
	if err != nil {
		b.Fatal(err)
	}
	defer client.Close()
	stores := make([]storage.Storage, recoveryPartitions)
	for p := range stores {
		if stores[p], err = build(topic, int32(p)); err != nil {
			b.Fatal(err)
		}
		if err := stores[p].Open(); err != nil {
			b.Fatal(err)
		}
		defer stores[p].Close()
	}
	cpu := cpuTime(b)
	b.StartTimer()
	errs := make([]error, recoveryPartitions)
	var wg sync.WaitGroup
	for p, st := range stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[p] = state.Restore(context.Background(), client, topic, int32(p), st, nil)
		}()
	}
	wg.Wait()
	b.StopTimer()
	cpu = cpuTime(b) - cpu
	if err := errors.Join(errs...); err != nil {
		b.Fatal(err)
	}
	checkRestored(b, func(key string) ([]byte, error) {
		for _, st := range stores {
			if v, err := st.Get(key); err != nil || v != nil {
				return v, err
			}
		}
		return nil, nil
	})
	return cpu
}
