// Package embedded runs an in-process Kafka-protocol broker (franz-go's
// kfake) on loopback, ripple's embedded default for `ripple demo` and fast
// unit tests. It is not Apache Kafka: integration tests and benchmarks use the
// real broker that deploy/local/kafka starts.
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

// Addrs returns the broker's listen addresses.
func (b *Broker) Addrs() []string { return b.cluster.ListenAddrs() }

// Client returns a validated client configuration for this broker.
//
// It speaks protocol 2.3: from 2.4 on sarama sends flexible-version
// JoinGroup/SyncGroup requests whose replies it fails to decode from kfake
// ("invalid byteslice length"); 2.3 keeps consumer groups working. The real
// Kafka 4 broker is spoken to at 4.0 (kafkaclient's default).
func (b *Broker) Client() kafkaclient.Config {
	cfg := kafkaclient.Config{Brokers: b.Addrs(), Version: sarama.V2_3_0_0}
	if err := cfg.Validate(); err != nil {
		panic(err) // only a programming error: Brokers is non-empty
	}
	return cfg
}

// Close stops the broker; it is safe to call more than once.
func (b *Broker) Close() { b.cluster.Close() }
