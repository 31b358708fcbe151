package testenv

import (
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/ripplestream/ripple/internal/kafkaclient"
)

// Record is one Kafka record read by ReadTopic.
type Record struct {
	Partition int32
	Offset    int64
	Key       []byte
	Value     []byte
}

// ReadTopic reads topic from its beginning until it has n records, failing
// the test if they do not arrive within timeout.
func ReadTopic(t testing.TB, cfg kafkaclient.Config, topic string, n int, timeout time.Duration) []Record {
	t.Helper()
	client, err := sarama.NewClient(cfg.Brokers, cfg.Sarama())
	if err != nil {
		t.Fatalf("connecting to %v: %v", cfg.Brokers, err)
	}
	defer client.Close()
	consumer, err := sarama.NewConsumerFromClient(client)
	if err != nil {
		t.Fatal(err)
	}
	defer consumer.Close()
	parts, err := consumer.Partitions(topic)
	if err != nil {
		t.Fatalf("partitions of %s: %v", topic, err)
	}
	msgs := make(chan *sarama.ConsumerMessage, 1024)
	for _, p := range parts {
		pc, err := consumer.ConsumePartition(topic, p, sarama.OffsetOldest)
		if err != nil {
			t.Fatalf("reading %s/%d: %v", topic, p, err)
		}
		defer pc.AsyncClose()
		go func() {
			for m := range pc.Messages() {
				msgs <- m
			}
		}()
	}
	out := make([]Record, 0, n)
	deadline := time.After(timeout)
	for len(out) < n {
		select {
		case m := <-msgs:
			out = append(out, Record{Partition: m.Partition, Offset: m.Offset, Key: m.Key, Value: m.Value})
		case <-deadline:
			t.Fatalf("read %d of %d records from %s in %v", len(out), n, topic, timeout)
		}
	}
	return out
}
