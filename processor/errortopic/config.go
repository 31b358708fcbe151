package errortopic

import (
	"fmt"
	"time"

	"github.com/IBM/sarama"

	"github.com/ripplestream/ripple/internal/configerr"
	"github.com/ripplestream/ripple/internal/kafkaclient"
	"github.com/ripplestream/ripple/processor"
)

// ErrInvalidConfig is wrapped by the errors of Config.Validate; it matches
// every ripple package's ErrInvalidConfig.
var ErrInvalidConfig = configerr.New("errortopic")

// Defaults for zero Config fields.
const (
	DefaultBatch = 500
	DefaultIdle  = 30 * time.Second
)

// Config says whose error topic to work on and how to reach the broker.
type Config struct {
	// Brokers are the Kafka bootstrap addresses. Required.
	Brokers []string
	// KafkaVersion is the protocol version spoken to the brokers, as in
	// processor.Config. Default "4.0.0".
	KafkaVersion string
	// Security is TLS and SASL to the brokers, as in processor.Config.
	Security processor.Security
	// Job is the job whose error topic, <job>.error, is read. Required.
	Job processor.Group
	// Group is the consumer group that keeps Replay's position. Default
	// <job>.errors-replay.
	Group string
	// Batch is how many records Replay reads before it sends the matching
	// ones and commits its position. Default DefaultBatch.
	Batch int
	// Idle is how long a read waits for the next record before the end of
	// a partition before it fails. Default DefaultIdle.
	Idle time.Duration
}

// WithDefaults returns c with its zero fields set to their defaults.
func (c Config) WithDefaults() Config {
	if c.KafkaVersion == "" {
		c.KafkaVersion = "4.0.0"
	}
	if c.Group == "" {
		c.Group = string(c.Job) + ".errors-replay"
	}
	if c.Batch == 0 {
		c.Batch = DefaultBatch
	}
	if c.Idle == 0 {
		c.Idle = DefaultIdle
	}
	return c
}

// Validate reports the first field of c that cannot work. It does not
// change c.
func (c Config) Validate() error {
	if len(c.Brokers) == 0 {
		return fmt.Errorf("%w: no Kafka brokers: give their addresses (the local test broker is 127.0.0.1:19092)", ErrInvalidConfig)
	}
	if c.Job == "" {
		return fmt.Errorf("%w: no job: give the name the job runs under (processor.Job.Name)", ErrInvalidConfig)
	}
	if _, err := c.client(); err != nil {
		return err
	}
	if c.Batch < 0 || c.Idle < 0 {
		return fmt.Errorf("%w: Batch %d and Idle %v must not be negative", ErrInvalidConfig, c.Batch, c.Idle)
	}
	return nil
}

// Topic returns the error topic, <job>.error.
func (c Config) Topic() string { return string(c.Job) + ".error" }

// client returns the Kafka client configuration of c.
func (c Config) client() (kafkaclient.Config, error) {
	kc := kafkaclient.Config{Brokers: c.Brokers, ClientID: "ripple-errors", Security: c.Security}
	if c.KafkaVersion != "" {
		v, err := sarama.ParseKafkaVersion(c.KafkaVersion)
		if err != nil {
			return kc, fmt.Errorf("%w: KafkaVersion %q: %v", ErrInvalidConfig, c.KafkaVersion, err)
		}
		kc.Version = v
	}
	if err := kc.Validate(); err != nil {
		return kc, fmt.Errorf("%w: %v", ErrInvalidConfig, err)
	}
	return kc.WithDefaults(), nil
}
