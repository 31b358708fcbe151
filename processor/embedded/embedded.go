package embedded

import (
	"fmt"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/ripplestream/ripple/internal/kafkaclient"
)

// Broker is a running in-process broker. Close stops it.
type Broker struct {
	cluster *kfake.Cluster
}

// Start starts a single in-process broker listening on a random loopback port.
func Start() (*Broker, error) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.DefaultNumPartitions(4))
	if err != nil {
		return nil, fmt.Errorf("embedded: starting in-process broker: %w", err)
	}
	return &Broker{cluster: c}, nil
}

// Addrs returns the broker's listen addresses, for processor.Config.Brokers.
func (b *Broker) Addrs() []string { return b.cluster.ListenAddrs() }

// KafkaVersion is the protocol version to speak to the embedded broker, for
// processor.Config.KafkaVersion.
//
// It is 2.3: from 2.4 on sarama sends flexible-version JoinGroup/SyncGroup
// requests whose replies it fails to decode from kfake ("invalid byteslice
// length"); 2.3 keeps consumer groups working. The real Kafka 4 broker is
// spoken to at 4.0 (processor.Config's default).
const KafkaVersion = "2.3.0"

// client is the configuration of this package's own clients.
func (b *Broker) client() kafkaclient.Config {
	return kafkaclient.Config{Brokers: b.Addrs(), Version: sarama.V2_3_0_0}.WithDefaults()
}

// Close stops the broker; it is safe to call more than once.
func (b *Broker) Close() { b.cluster.Close() }

// Record is one event to produce.
type Record struct {
	Key   string
	Value []byte
}

// CreateTopic creates topic with the given partition count.
func (b *Broker) CreateTopic(topic string, partitions int) error {
	tm, err := b.client().TopicManager()
	if err != nil {
		return fmt.Errorf("embedded: %w", err)
	}
	defer tm.Close()
	if err := tm.EnsureStreamExists(topic, partitions); err != nil {
		return fmt.Errorf("embedded: creating %s: %w", topic, err)
	}
	return nil
}

// Produce writes records to topic, partitioned by key the way ripple jobs
// expect (FNV-1a, goka's default), and returns once all are acknowledged.
func (b *Broker) Produce(topic string, records ...Record) error {
	sc := b.client().Sarama()
	sc.Producer.Partitioner = sarama.NewHashPartitioner
	p, err := sarama.NewSyncProducer(b.Addrs(), sc)
	if err != nil {
		return fmt.Errorf("embedded: producer: %w", err)
	}
	defer p.Close()
	msgs := make([]*sarama.ProducerMessage, len(records))
	for i, r := range records {
		msgs[i] = &sarama.ProducerMessage{Topic: topic, Key: sarama.StringEncoder(r.Key), Value: sarama.ByteEncoder(r.Value)}
	}
	if err := p.SendMessages(msgs); err != nil {
		return fmt.Errorf("embedded: producing to %s: %w", topic, err)
	}
	return nil
}

// Count returns the number of records in topic, from its partitions'
// offsets.
func (b *Broker) Count(topic string) (int64, error) {
	client, err := sarama.NewClient(b.Addrs(), b.client().Sarama())
	if err != nil {
		return 0, fmt.Errorf("embedded: %w", err)
	}
	defer client.Close()
	parts, err := client.Partitions(topic)
	if err != nil {
		return 0, fmt.Errorf("embedded: partitions of %s: %w", topic, err)
	}
	var n int64
	for _, p := range parts {
		var ends [2]int64
		for i, at := range []int64{sarama.OffsetOldest, sarama.OffsetNewest} {
			if ends[i], err = client.GetOffset(topic, p, at); err != nil {
				return 0, fmt.Errorf("embedded: offsets of %s/%d: %w", topic, p, err)
			}
		}
		n += ends[1] - ends[0]
	}
	return n, nil
}

// Consume reads every record currently in topic, in partition order.
func (b *Broker) Consume(topic string) ([]Record, error) {
	client, err := sarama.NewClient(b.Addrs(), b.client().Sarama())
	if err != nil {
		return nil, fmt.Errorf("embedded: %w", err)
	}
	defer client.Close()
	consumer, err := sarama.NewConsumerFromClient(client)
	if err != nil {
		return nil, fmt.Errorf("embedded: %w", err)
	}
	defer consumer.Close()
	parts, err := consumer.Partitions(topic)
	if err != nil {
		return nil, fmt.Errorf("embedded: partitions of %s: %w", topic, err)
	}
	var out []Record
	for _, p := range parts {
		end, err := client.GetOffset(topic, p, sarama.OffsetNewest)
		if err != nil {
			return nil, fmt.Errorf("embedded: end of %s/%d: %w", topic, p, err)
		}
		if end == 0 {
			continue
		}
		pc, err := consumer.ConsumePartition(topic, p, sarama.OffsetOldest)
		if err != nil {
			return nil, fmt.Errorf("embedded: reading %s/%d: %w", topic, p, err)
		}
		for m := range pc.Messages() {
			out = append(out, Record{Key: string(m.Key), Value: m.Value})
			if m.Offset+1 >= end {
				break
			}
		}
		pc.Close()
	}
	return out, nil
}
