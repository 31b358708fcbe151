package testenv

import (
	"fmt"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/lovoo/goka"

	"github.com/ripplestream/ripple/internal/kafkaclient"
)

// Record is one Kafka record, as Produce writes it and ReadTopic and
// ReadAll return it.
type Record struct {
	Partition int32
	Offset    int64
	Key       []byte
	Value     []byte
	// Timestamp is the record's timestamp; zero means the producer's clock.
	Timestamp time.Time
}

// Produce writes recs to topic in order, partitioned by key the way goka
// partitions (so a job finds each key's state), with one request in flight
// so that every key's records keep their order.
func Produce(t testing.TB, cfg kafkaclient.Config, topic string, recs []Record) {
	t.Helper()
	sc := cfg.Sarama()
	sc.Producer.Partitioner = sarama.NewCustomHashPartitioner(goka.DefaultHasher())
	sc.Producer.Return.Successes = false
	sc.Net.MaxOpenRequests = 1
	p, err := sarama.NewAsyncProducer(cfg.Brokers, sc)
	if err != nil {
		t.Fatalf("producer for %s: %v", topic, err)
	}
	var errs []error
	done := make(chan struct{})
	go func() {
		defer close(done)
		for err := range p.Errors() {
			errs = append(errs, err)
		}
	}()
	for _, r := range recs {
		p.Input() <- &sarama.ProducerMessage{Topic: topic, Key: sarama.ByteEncoder(r.Key), Value: sarama.ByteEncoder(r.Value), Timestamp: r.Timestamp}
	}
	p.AsyncClose()
	<-done
	if len(errs) > 0 {
		t.Fatalf("producing to %s: %d errors, first: %v", topic, len(errs), errs[0])
	}
}

// ReadAll returns every record of topic up to its current end, partition by
// partition, each in offset order.
func ReadAll(t testing.TB, cfg kafkaclient.Config, topic string) []Record {
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
	parts, err := client.Partitions(topic)
	if err != nil {
		t.Fatalf("partitions of %s: %v", topic, err)
	}
	var out []Record
	for _, p := range parts {
		var hwm int64
		Eventually(t, time.Minute, func() error { // a topic a job just made may have no leader yet
			hwm, err = client.GetOffset(topic, p, sarama.OffsetNewest)
			if err != nil {
				_ = client.RefreshMetadata(topic)
				return fmt.Errorf("end of %s/%d: %w", topic, p, err)
			}
			return nil
		})
		if hwm == 0 {
			continue
		}
		pc := ConsumeFromOldest(t, consumer, topic, p)
		timeout := time.After(time.Minute)
		for done := false; !done; {
			select {
			case m := <-pc.Messages():
				out = append(out, Record{Partition: m.Partition, Offset: m.Offset, Key: m.Key, Value: m.Value, Timestamp: m.Timestamp})
				done = m.Offset >= hwm-1
			case <-timeout:
				t.Fatalf("reading %s/%d: no record at offset %d within a minute", topic, p, hwm-1)
			}
		}
		pc.Close()
	}
	return out
}

// ReadTopic reads topic from its beginning until it has n records, failing
// the test if they do not arrive within timeout. It waits for the topic to
// exist and never creates it (a job creates its own output topics, with the
// partition count it needs).
func ReadTopic(t testing.TB, cfg kafkaclient.Config, topic string, n int, timeout time.Duration) []Record {
	t.Helper()
	sc := cfg.Sarama()
	sc.Metadata.AllowAutoTopicCreation = false
	client, err := sarama.NewClient(cfg.Brokers, sc)
	if err != nil {
		t.Fatalf("connecting to %v: %v", cfg.Brokers, err)
	}
	defer client.Close()
	var parts []int32
	Eventually(t, timeout, func() error {
		_ = client.RefreshMetadata(topic)
		parts, err = client.Partitions(topic)
		if err == nil && len(parts) == 0 {
			err = fmt.Errorf("topic %s has no partitions yet", topic)
		}
		return err
	})
	consumer, err := sarama.NewConsumerFromClient(client)
	if err != nil {
		t.Fatal(err)
	}
	defer consumer.Close()
	msgs := make(chan *sarama.ConsumerMessage, 1024)
	for _, p := range parts {
		pc := ConsumeFromOldest(t, consumer, topic, p)
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
			out = append(out, Record{Partition: m.Partition, Offset: m.Offset, Key: m.Key, Value: m.Value, Timestamp: m.Timestamp})
		case <-deadline:
			t.Fatalf("read %d of %d records from %s in %v", len(out), n, topic, timeout)
		}
	}
	return out
}

// Values returns the values of recs.
func Values(recs []Record) [][]byte {
	out := make([][]byte, len(recs))
	for i, r := range recs {
		out[i] = r.Value
	}
	return out
}

// ConsumeFromOldest starts consuming partition p of topic from its oldest
// record. It tries again for up to a minute while the broker cannot serve
// the partition yet: a topic a job has just created may still be electing
// its leader ("not the leader for some partition"), more so on a loaded
// machine.
func ConsumeFromOldest(t testing.TB, consumer sarama.Consumer, topic string, p int32) sarama.PartitionConsumer {
	t.Helper()
	var pc sarama.PartitionConsumer
	Eventually(t, time.Minute, func() error {
		var err error
		if pc, err = consumer.ConsumePartition(topic, p, sarama.OffsetOldest); err != nil {
			return fmt.Errorf("reading %s/%d: %w", topic, p, err)
		}
		return nil
	})
	return pc
}
