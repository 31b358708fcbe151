package processor

import (
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/IBM/sarama"
	"github.com/lovoo/goka"
	"github.com/lovoo/goka/storage"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/internal/configerr"
)

// Config says where and how a job runs. Unset fields take their defaults
// (WithDefaults).
type Config struct {
	// Brokers are the Kafka bootstrap addresses. Required, unless
	// GokaOptions bring their own clients (as processortest does).
	Brokers []string
	// KafkaVersion is the protocol version spoken to the brokers, such as
	// "4.0.0" (the default) or "3.7.0"; at least "2.1.0".
	KafkaVersion string
	// Replication is the replication factor of topics the job creates:
	// its table, retry, error and output streams. Default 1; use 3 in
	// production.
	Replication int
	// StartAtNewest makes a new job start at the end of its inputs instead
	// of their beginning.
	StartAtNewest bool
	// Security is TLS and SASL to the brokers (see Security); the zero
	// value is PLAINTEXT.
	Security Security
	// InstanceID, when set, makes this process a static member of the
	// job's consumer group (Kafka 2.3+, KIP-345): restarted with the same
	// id, it takes its partitions back at once instead of waiting for the
	// broker to time the old member out and rebalance. Give each process
	// of a job its own stable id, such as its pod name.
	InstanceID string

	// StateDir holds the job's Pebble state, one database per partition in
	// StateDir/<job>. Default "ripple-state".
	StateDir string
	// Storage overrides the state storage (by default Pebble, package
	// state). goka's storage.MemoryBuilder() suits tests.
	Storage storage.Builder

	// Schemas validates inputs declared with ValidateSchema.
	Schemas *event.Repository

	// MaxRetries is how often a failed event is retried before it goes to
	// the error topic. Default 3; a negative value disables retries.
	MaxRetries int
	// RetryDelay is the delay before the first retry; it doubles for each
	// further retry up to MaxRetryDelay. Defaults 1 s and 1 min.
	RetryDelay, MaxRetryDelay time.Duration

	// Logger receives the job's logs. Default: discard.
	Logger *slog.Logger
	// Hooks observe the job for metrics (see Hook).
	Hooks []Hook
	// StatsInterval is how often PartitionHooks are sampled. Default 5 s.
	StatsInterval time.Duration
	// EmitterID names this process in retry and error records. Default
	// "ripple/<job>".
	EmitterID string
	// InputWait is how long Run waits for an input stream that does not
	// exist yet (another job of the pipeline may create it) before failing.
	// Default 30 s.
	InputWait time.Duration
	// MaxRecordBytes bounds the raw event copied into retry and error
	// records, so they stay under the broker's message size limit. A larger
	// event is not retried; its error record carries its first
	// MaxRecordBytes bytes. Default 256 KiB.
	MaxRecordBytes int

	// Now is the job's processing-time clock (Context.Now, timers).
	// Default time.Now.
	Now func() time.Time
	// ExternalTimers stops the runner from delivering timers: something
	// else moves records from <job>.timer to <job>.timer.ready when due.
	// processortest sets it to fire timers on its own clock.
	ExternalTimers bool

	// Engine runs the job's main consumer group: EngineRipple (the
	// default) or EngineGoka (the default when GokaOptions are set, as
	// processortest does). See Engine.
	Engine Engine

	// CommitInterval is how often EngineRipple ends a batch: it sends
	// the changelog records of the state the batch changed (one per key,
	// however often it changed), stores that state once they are
	// acknowledged, and commits the input offsets. Longer coalesces more
	// writes of hot keys; state read by Runner.Get, and by another
	// instance after a rebalance, lags by up to this. Outputs are sent at
	// once either way. Default 100 ms.
	CommitInterval time.Duration

	// ExactlyOnce makes the batches of EngineRipple Kafka transactions:
	// the records handlers emit, the changelog records of the state they
	// change and their input offsets are committed together or not at
	// all, so a consumer that reads committed records only (Kafka's
	// isolation.level=read_committed; ripple's own jobs do when this is
	// set) sees each output once, across crashes and restarts too. Every
	// CommitInterval the partitions of a process pause at a batch
	// boundary while one transaction commits; outputs reach
	// read-committed consumers at that commit rather than at once.
	// It needs InstanceID: the transactional id is <job>/<InstanceID>, so
	// a process restarted with its id aborts what its predecessor left
	// open. Records moved by the retry and timer companions stay
	// at-least-once. See RELIABILITY.md for what it costs.
	ExactlyOnce bool

	// GokaOptions are appended to the goka options ripple builds, for
	// settings ripple does not expose. processortest passes goka's tester.
	GokaOptions []goka.ProcessorOption
}

// ErrInvalidConfig is wrapped by the errors of Config.Validate, and of
// the constructors that call it. It matches under errors.Is the
// ErrInvalidConfig of every ripple package (the operators', state's, the
// stores'), so one check tells a configuration error from a runtime one.
var ErrInvalidConfig = configerr.New("processor")

// ErrNoBrokers is returned by Validate when Brokers is empty; it wraps
// ErrInvalidConfig.
var ErrNoBrokers = fmt.Errorf("%w: no Kafka brokers: set Config.Brokers (the local test broker is 127.0.0.1:19092, started by deploy/local/kafka up)", ErrInvalidConfig)

// Default values of Config's fields.
const (
	DefaultKafkaVersion   = "4.0.0"
	DefaultStateDir       = "ripple-state"
	DefaultMaxRetries     = 3
	DefaultRetryDelay     = time.Second
	DefaultMaxRetryDelay  = time.Minute
	DefaultStatsInterval  = 5 * time.Second
	DefaultInputWait      = 30 * time.Second
	DefaultCommitInterval = 100 * time.Millisecond
	DefaultMaxRecordBytes = 256 << 10
)

// WithDefaults returns a copy of c with its unset fields set to their
// defaults. NewRunner calls it; call it to see what a job will run with.
func (c Config) WithDefaults() Config {
	if c.KafkaVersion == "" {
		c.KafkaVersion = DefaultKafkaVersion
	}
	if c.Replication == 0 {
		c.Replication = 1
	}
	if c.StateDir == "" {
		c.StateDir = DefaultStateDir
	}
	switch {
	case c.MaxRetries == 0:
		c.MaxRetries = DefaultMaxRetries
	case c.MaxRetries < 0:
		c.MaxRetries = 0
	}
	if c.RetryDelay == 0 {
		c.RetryDelay = DefaultRetryDelay
	}
	if c.MaxRetryDelay == 0 {
		c.MaxRetryDelay = DefaultMaxRetryDelay
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.StatsInterval == 0 {
		c.StatsInterval = DefaultStatsInterval
	}
	if c.InputWait == 0 {
		c.InputWait = DefaultInputWait
	}
	if c.Engine == "" {
		c.Engine = EngineRipple
		if len(c.GokaOptions) > 0 {
			c.Engine = EngineGoka
		}
	}
	if c.CommitInterval == 0 {
		c.CommitInterval = DefaultCommitInterval
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.MaxRecordBytes == 0 {
		c.MaxRecordBytes = DefaultMaxRecordBytes
	}
	c.Security = c.Security.WithDefaults()
	return c
}

// Validate reports the first field of c that cannot work, wrapping
// ErrInvalidConfig. It does not change c: unset fields are valid, and
// the checks apply to the values WithDefaults gives them.
func (c Config) Validate() error {
	c = c.WithDefaults()
	if len(c.Brokers) == 0 && len(c.GokaOptions) == 0 {
		return ErrNoBrokers
	}
	v, err := sarama.ParseKafkaVersion(c.KafkaVersion)
	if err != nil {
		return fmt.Errorf("%w: KafkaVersion %q: %v", ErrInvalidConfig, c.KafkaVersion, err)
	}
	if !v.IsAtLeast(sarama.V2_1_0_0) {
		return fmt.Errorf("%w: KafkaVersion %s is older than 2.1.0, which Kafka 4 brokers refuse", ErrInvalidConfig, c.KafkaVersion)
	}
	if c.Replication < 0 {
		return fmt.Errorf("%w: Replication %d must be positive", ErrInvalidConfig, c.Replication)
	}
	if c.RetryDelay < 0 || c.MaxRetryDelay < c.RetryDelay {
		return fmt.Errorf("%w: RetryDelay %v must be >= 0 and <= MaxRetryDelay %v", ErrInvalidConfig, c.RetryDelay, c.MaxRetryDelay)
	}
	if c.Engine != EngineRipple && c.Engine != EngineGoka {
		return fmt.Errorf("%w: unknown Engine %q: use %q or %q", ErrInvalidConfig, c.Engine, EngineRipple, EngineGoka)
	}
	if c.CommitInterval < 0 {
		return fmt.Errorf("%w: CommitInterval %v must be positive", ErrInvalidConfig, c.CommitInterval)
	}
	if c.ExactlyOnce && c.Engine != EngineRipple {
		return fmt.Errorf("%w: ExactlyOnce needs Engine %q, not %q", ErrInvalidConfig, EngineRipple, c.Engine)
	}
	if c.ExactlyOnce && c.InstanceID == "" {
		return fmt.Errorf("%w: ExactlyOnce needs InstanceID, a stable name for this process (such as its pod name): it names the process's Kafka transactions, so a restart can abort what the process left open", ErrInvalidConfig)
	}
	// kafkaclient's ErrInvalidConfig is ErrInvalidConfig under errors.Is.
	return c.Security.Validate()
}

// retryDelay is the delay before the given retry (1 = first retry).
func (c *Config) retryDelay(retry int) time.Duration {
	d := c.RetryDelay
	for i := 1; i < retry && d < c.MaxRetryDelay; i++ {
		d *= 2
	}
	return min(d, c.MaxRetryDelay)
}

func (c *Config) stateDir(job Group) string { return filepath.Join(c.StateDir, string(job)) }
