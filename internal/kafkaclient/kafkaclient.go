package kafkaclient

import (
	"fmt"
	"hash"
	"time"

	"github.com/IBM/sarama"
	"github.com/lovoo/goka"

	"github.com/ripplestream/ripple/internal/configerr"
)

// ErrInvalidConfig is wrapped by the errors of Config.Validate; it
// matches every ripple package's ErrInvalidConfig.
var ErrInvalidConfig = configerr.New("kafkaclient")

// ErrNoBrokers is returned by Config.Validate when no broker is named.
var ErrNoBrokers = fmt.Errorf("%w: no brokers: set Brokers (for the local test broker: 127.0.0.1:19092)", ErrInvalidConfig)

// Config says how to reach a Kafka cluster. The zero value plus Brokers is
// usable; unset fields take their defaults (WithDefaults).
type Config struct {
	// Brokers are host:port bootstrap addresses.
	Brokers []string
	// Version is the Kafka protocol version sarama speaks. Default 4.0.0,
	// which Kafka 3.x and 4.x brokers accept.
	Version sarama.KafkaVersion
	// Replication is the replication factor of the topics ripple creates
	// (group tables, changelogs, retry and error topics). Default 1, which
	// suits a single local broker; use 3 in production.
	Replication int
	// ClientID prefixes the client ids sent to the broker. Default "ripple".
	ClientID string
	// StartAtNewest makes a consumer group with no committed offset start at
	// the end of its input streams. By default it starts at the beginning,
	// as Kafka Streams does, so events produced before a job's first start
	// are processed.
	StartAtNewest bool
	// Security is TLS and SASL to the brokers; the zero value is
	// PLAINTEXT.
	Security Security
}

// WithDefaults returns a copy of c with its unset fields set to their
// defaults.
func (c Config) WithDefaults() Config {
	if c.Version == (sarama.KafkaVersion{}) {
		c.Version = sarama.V4_0_0_0
	}
	if c.Replication == 0 {
		c.Replication = 1
	}
	if c.ClientID == "" {
		c.ClientID = "ripple"
	}
	c.Security = c.Security.WithDefaults()
	return c
}

// Validate reports a configuration that cannot work, wrapping
// ErrInvalidConfig. It does not change c; unset fields are valid.
func (c Config) Validate() error {
	c = c.WithDefaults()
	if len(c.Brokers) == 0 {
		return ErrNoBrokers
	}
	if !c.Version.IsAtLeast(sarama.V2_1_0_0) {
		return fmt.Errorf("%w: protocol version %s is older than 2.1.0, which Kafka 4 brokers refuse", ErrInvalidConfig, c.Version)
	}
	if c.Replication < 0 {
		return fmt.Errorf("%w: replication %d must be positive", ErrInvalidConfig, c.Replication)
	}
	return c.Security.Validate()
}

// Sarama returns a fresh sarama config with goka's defaults, c's version
// and c's Security (unset fields of c take their defaults, here and in the
// other builders).
// Each call returns a new value, so builders never share mutable config.
func (c Config) Sarama() *sarama.Config {
	c = c.WithDefaults()
	sc := goka.DefaultConfig()
	sc.Version = c.Version
	sc.ClientID = c.ClientID
	// Kafka 4 rejects the legacy snappy framing some brokers tolerated;
	// LZ4 is cheaper and universally supported.
	sc.Producer.Compression = sarama.CompressionLZ4
	if !c.StartAtNewest {
		sc.Consumer.Offsets.Initial = sarama.OffsetOldest
	}
	c.Security.apply(sc)
	return sc
}

// TopicManagerConfig returns goka's topic manager settings for c.
func (c Config) TopicManagerConfig() *goka.TopicManagerConfig {
	c = c.WithDefaults()
	tmc := goka.NewTopicManagerConfig()
	tmc.Table.Replication = c.Replication
	tmc.Stream.Replication = c.Replication
	tmc.Stream.Retention = 7 * 24 * time.Hour
	return tmc
}

// ProcessorOptions returns the goka options that make a processor use c
// instead of goka's global config.
func (c Config) ProcessorOptions() []goka.ProcessorOption {
	return []goka.ProcessorOption{
		goka.WithConsumerGroupBuilder(c.consumerGroupBuilder()),
		goka.WithConsumerSaramaBuilder(c.consumerBuilder()),
		goka.WithProducerBuilder(c.producerBuilder()),
		goka.WithTopicManagerBuilder(c.topicManagerBuilder()),
	}
}

// ViewOptions returns the goka options that make a view use c.
func (c Config) ViewOptions() []goka.ViewOption {
	return []goka.ViewOption{
		goka.WithViewConsumerSaramaBuilder(c.consumerBuilder()),
		goka.WithViewTopicManagerBuilder(c.topicManagerBuilder()),
	}
}

// EmitterOptions returns the goka options that make an emitter use c.
func (c Config) EmitterOptions() []goka.EmitterOption {
	return []goka.EmitterOption{
		goka.WithEmitterProducerBuilder(c.producerBuilder()),
		goka.WithEmitterTopicManagerBuilder(c.topicManagerBuilder()),
	}
}

// TopicManager connects a goka topic manager for creating and checking topics.
func (c Config) TopicManager() (goka.TopicManager, error) {
	return c.topicManagerBuilder()(c.Brokers)
}

func (c Config) producerBuilder() goka.ProducerBuilder {
	return func(brokers []string, clientID string, hasher func() hash.Hash32) (goka.Producer, error) {
		sc := c.Sarama()
		sc.ClientID = clientID
		sc.Producer.Partitioner = sarama.NewCustomHashPartitioner(hasher)
		return goka.NewProducer(brokers, sc)
	}
}

func (c Config) consumerGroupBuilder() goka.ConsumerGroupBuilder {
	return func(brokers []string, group, clientID string) (sarama.ConsumerGroup, error) {
		sc := c.Sarama()
		sc.ClientID = clientID
		return sarama.NewConsumerGroup(brokers, group, sc)
	}
}

func (c Config) consumerBuilder() goka.SaramaConsumerBuilder {
	return func(brokers []string, clientID string) (sarama.Consumer, error) {
		sc := c.Sarama()
		sc.ClientID = clientID
		return sarama.NewConsumer(brokers, sc)
	}
}

func (c Config) topicManagerBuilder() goka.TopicManagerBuilder {
	return func(brokers []string) (goka.TopicManager, error) {
		sc := c.Sarama()
		sc.ClientID = c.ClientID + "-topic-manager"
		tmc := c.TopicManagerConfig()
		tmc.CreateTopicTimeout = 0 // topicManager waits, in shorter steps
		tm, err := goka.NewTopicManager(brokers, sc, tmc)
		if err != nil {
			return nil, err
		}
		return topicManager{tm}, nil
	}
}
