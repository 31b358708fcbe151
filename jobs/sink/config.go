package sink

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/IBM/sarama"

	"github.com/ripplestream/ripple/internal/configerr"
	"github.com/ripplestream/ripple/internal/kafkaclient"
	"github.com/ripplestream/ripple/processor"
)

// ErrInvalidConfig is wrapped by the errors of Config.Validate; it matches
// every ripple package's ErrInvalidConfig.
var ErrInvalidConfig = configerr.New("sink")

// Defaults of Config's fields.
const (
	DefaultBatchSize      = 1000
	DefaultBatchWait      = 200 * time.Millisecond
	DefaultRetryDelay     = 100 * time.Millisecond
	DefaultMaxRetryDelay  = 30 * time.Second
	DefaultPartitionPoll  = 30 * time.Second
	DefaultInputWait      = 30 * time.Second
	DefaultMaxRecordBytes = 256 << 10
)

// Config says what a sink reads and how. Unset fields take their defaults
// (WithDefaults).
type Config struct {
	// Name names the sink: its offsets in the store, its error topic
	// <Name>.error, its Kafka client id and its metrics. Required; two
	// sinks into one store need two names.
	Name string
	// Input is the stream the sink reads. Required.
	Input processor.Stream

	// Brokers are the Kafka bootstrap addresses. Required.
	Brokers []string
	// KafkaVersion is the protocol version of the admin client that
	// creates the error topic, as in processor.Config. Default "4.0.0".
	KafkaVersion string
	// Security is TLS and SASL to the brokers, as in processor.Config.
	Security processor.Security
	// Replication is the replication factor of the error topic when the
	// sink creates it. Default 1; use 3 in production.
	Replication int

	// BatchSize is the most records one Write gets. Default
	// DefaultBatchSize.
	BatchSize int
	// BatchWait is the longest a batch waits for more records after its
	// first one. Default DefaultBatchWait.
	BatchWait time.Duration
	// Errors is the error topic. Default <Name>.error.
	Errors processor.Stream
	// MaxRecordBytes bounds the raw record copied into an error record, as
	// in processor.Config. Default 256 KiB.
	MaxRecordBytes int
	// RetryDelay is the wait before retrying a failed store call; it
	// doubles for each further failure up to MaxRetryDelay. Defaults
	// DefaultRetryDelay and DefaultMaxRetryDelay.
	RetryDelay, MaxRetryDelay time.Duration
	// PartitionPoll is how often Run looks for partitions added to Input.
	// Default DefaultPartitionPoll.
	PartitionPoll time.Duration
	// InputWait is how long Run waits for Input to exist before failing.
	// Default DefaultInputWait.
	InputWait time.Duration

	// Logger receives the sink's logs. Default: discard.
	Logger *slog.Logger
	// Hook, when set, observes the sink for metrics.
	Hook Hook
}

// WithDefaults returns a copy of c with its unset fields set to their
// defaults.
func (c Config) WithDefaults() Config {
	if c.KafkaVersion == "" {
		c.KafkaVersion = processor.DefaultKafkaVersion
	}
	if c.Replication == 0 {
		c.Replication = 1
	}
	if c.BatchSize == 0 {
		c.BatchSize = DefaultBatchSize
	}
	if c.BatchWait == 0 {
		c.BatchWait = DefaultBatchWait
	}
	if c.Errors == "" && c.Name != "" {
		c.Errors = processor.Stream(c.Name + ".error")
	}
	if c.MaxRecordBytes == 0 {
		c.MaxRecordBytes = DefaultMaxRecordBytes
	}
	if c.RetryDelay == 0 {
		c.RetryDelay = DefaultRetryDelay
	}
	if c.MaxRetryDelay == 0 {
		c.MaxRetryDelay = DefaultMaxRetryDelay
	}
	if c.PartitionPoll == 0 {
		c.PartitionPoll = DefaultPartitionPoll
	}
	if c.InputWait == 0 {
		c.InputWait = DefaultInputWait
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	c.Security = c.Security.WithDefaults()
	return c
}

// Validate reports the first field of c that cannot work, wrapping
// ErrInvalidConfig. It does not change c.
func (c Config) Validate() error {
	c = c.WithDefaults()
	switch {
	case c.Name == "":
		return fmt.Errorf("%w: no sink name: set Name (it keys the sink's offsets in the store)", ErrInvalidConfig)
	case c.Input == "":
		return fmt.Errorf("%w: sink %s has no input stream: set Input", ErrInvalidConfig, c.Name)
	case c.Errors == c.Input:
		return fmt.Errorf("%w: sink %s: its error topic is its input %s", ErrInvalidConfig, c.Name, c.Input)
	case c.BatchSize < 0 || c.BatchWait < 0 || c.MaxRecordBytes < 0 || c.PartitionPoll < 0 || c.InputWait < 0:
		return fmt.Errorf("%w: sink %s: BatchSize %d, BatchWait %v, MaxRecordBytes %d, PartitionPoll %v and InputWait %v must not be negative",
			ErrInvalidConfig, c.Name, c.BatchSize, c.BatchWait, c.MaxRecordBytes, c.PartitionPoll, c.InputWait)
	case c.RetryDelay < 0 || c.MaxRetryDelay < c.RetryDelay:
		return fmt.Errorf("%w: sink %s: RetryDelay %v must be >= 0 and <= MaxRetryDelay %v", ErrInvalidConfig, c.Name, c.RetryDelay, c.MaxRetryDelay)
	}
	_, err := c.kafka()
	return err
}

// kafka returns the Kafka client configuration of c (c with defaults).
func (c Config) kafka() (kafkaclient.Config, error) {
	kc := kafkaclient.Config{Brokers: c.Brokers, Replication: c.Replication, ClientID: "ripple-sink-" + c.Name, Security: c.Security}
	v, err := sarama.ParseKafkaVersion(c.KafkaVersion)
	if err != nil {
		return kc, fmt.Errorf("%w: KafkaVersion %q: %v", ErrInvalidConfig, c.KafkaVersion, err)
	}
	kc.Version = v
	if err := kc.Validate(); err != nil {
		return kc, fmt.Errorf("%w: sink %s: %v", ErrInvalidConfig, c.Name, err)
	}
	return kc.WithDefaults(), nil
}

// retryDelay is the wait before the given retry (1 = first).
func (c Config) retryDelay(retry int) time.Duration {
	d := c.RetryDelay
	for i := 1; i < retry && d < c.MaxRetryDelay; i++ {
		d *= 2
	}
	return min(d, c.MaxRetryDelay)
}
