//go:build integration

package sink_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/ripplestream/ripple/internal/testenv"
	"github.com/ripplestream/ripple/jobs/sink"
	"github.com/ripplestream/ripple/processor"
)

// TestPartitionAddedLater grows the input stream on the real broker while
// a sink runs, and checks that the sink finds the new partition on its own
// and sinks its records, from its first, once each.
func TestPartitionAddedLater(t *testing.T) {
	kc := testenv.Kafka(t)
	topic := testenv.Name(t, "grown")
	testenv.CreateTopic(t, kc, topic, 2)
	name := testenv.Name(t, "growsink")
	t.Cleanup(func() { testenv.DeleteTopics(t, kc, name+".error") })

	produce := func(partition int32, from, to int) {
		t.Helper()
		cl, err := kgo.NewClient(kgo.SeedBrokers(kc.Brokers...), kgo.DefaultProduceTopic(topic),
			kgo.RecordPartitioner(kgo.ManualPartitioner()))
		if err != nil {
			t.Fatal(err)
		}
		defer cl.Close()
		var recs []*kgo.Record
		for i := from; i < to; i++ {
			recs = append(recs, &kgo.Record{Partition: partition, Key: fmt.Appendf(nil, "p%d-%d", partition, i), Value: fmt.Appendf(nil, `{"i":%d}`, i)})
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := cl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
			t.Fatalf("producing to partition %d of %s: %v", partition, topic, err)
		}
	}
	produce(0, 0, 20)
	produce(1, 0, 20)

	store := newMemStore()
	cfg := sink.Config{Name: name, Input: processor.Stream(topic), Brokers: kc.Brokers, BatchSize: 25,
		BatchWait: 5 * time.Millisecond, PartitionPoll: 100 * time.Millisecond}
	start(t, cfg, store)
	offsetsAre := func(want map[int32]int64) func() error {
		return func() error {
			store.mu.Lock()
			defer store.mu.Unlock()
			for p, o := range want {
				if store.offsets[p] != o {
					return fmt.Errorf("stored offsets %v, want %v", store.offsets, want)
				}
			}
			return nil
		}
	}
	testenv.Eventually(t, time.Minute, offsetsAre(map[int32]int64{0: 20, 1: 20}))

	testenv.AddPartitions(t, kc, topic, 3)
	produce(2, 0, 30)
	produce(0, 20, 25)
	testenv.Eventually(t, time.Minute, offsetsAre(map[int32]int64{0: 25, 1: 20, 2: 30}))

	if n, most := store.count(); n != 75 || most != 1 {
		t.Errorf("%d records written, the most often %d times; want 75, once each", n, most)
	}
	store.mu.Lock()
	defer store.mu.Unlock()
	for i := range 30 {
		if k := fmt.Sprintf("p2-%d", i); string(store.rows[k]) != fmt.Sprintf(`{"i":%d}`, i) {
			t.Errorf("key %s of the new partition holds %q", k, store.rows[k])
		}
	}
}
