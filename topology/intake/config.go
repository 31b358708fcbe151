package intake

import (
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/internal/configerr"
	"github.com/ripplestream/ripple/internal/kafkaclient"
	"github.com/ripplestream/ripple/topology/streamconfig"
)

// ErrInvalidConfig is wrapped by the errors of Config.Validate; it
// matches every ripple package's ErrInvalidConfig.
var ErrInvalidConfig = configerr.New("intake")

// DefaultAddr is where the intake listens unless told otherwise: loopback
// only, so that it is not exposed by accident (put a proxy in front of
// it, or give another address on purpose).
const DefaultAddr = "127.0.0.1:8192"

// Config says where the intake's events come from and go to. Brokers,
// Schemas and Streams are required; unset fields take their defaults
// (WithDefaults).
type Config struct {
	// Brokers are the Kafka bootstrap addresses.
	Brokers []string
	// Security is TLS and SASL to the brokers (processor.Security); the
	// zero value is PLAINTEXT.
	Security kafkaclient.Security
	// ClientID is the Kafka client id. Default "ripple-intake".
	ClientID string

	// Schemas is the schema repository events are validated against.
	Schemas *event.Repository
	// Streams are the streams events may name in meta.stream, keyed by
	// name, as topology.Topology.StreamConfigs returns them: an event of
	// another stream, or whose $schema title is not the stream's
	// SchemaTitle (when set), is invalid.
	Streams map[string]streamconfig.Settings
	// SampleFields names, per sampling unit, the dotted path of the
	// field holding the unit's id, for units streamconfig.UnitField does
	// not know or to override it (device: performer.device_id).
	SampleFields map[string]string

	// Addr is where Serve listens when given no listener. Default
	// DefaultAddr (loopback).
	Addr string
	// MaxBodyBytes is the largest request body accepted; a larger one is
	// refused with 413. Default 4 MiB, as EventGate's max_body_size.
	MaxBodyBytes int64
	// Linger is how long the producer waits for more events to fill a
	// batch. Default 0: a batch is whatever gathered while the previous
	// one was in flight, which batches well under load without adding
	// latency when idle.
	Linger time.Duration
	// ProduceTimeout bounds how long an event may wait for the brokers'
	// acknowledgement before it fails (500 or 207). Default 30 s.
	ProduceTimeout time.Duration
	// ShutdownTimeout bounds how long Serve waits, after its context
	// ends, for requests and hasty events in flight. Default 30 s.
	ShutdownTimeout time.Duration
	// DrainDelay is how long Serve goes on taking events after its
	// context ends, with /readyz failing, before it stops taking
	// requests: time for a load balancer (a Kubernetes Service) to see
	// the failing readiness and send no more, so no client meets a
	// closed port or a 503 while the intake leaves. Close ends it early.
	// Default 0: Serve stops at once.
	DrainDelay time.Duration

	// Registerer receives the intake's metrics; Gatherer serves them on
	// /metrics. Default: a new registry for both, with the Go runtime's
	// and the process's collectors.
	Registerer prometheus.Registerer
	Gatherer   prometheus.Gatherer
	// Logger receives the intake's logs. Default: discard.
	Logger *slog.Logger
}

// WithDefaults returns a copy of c with its unset fields set to their
// defaults. A new registry is made only when neither Registerer nor
// Gatherer is set.
func (c Config) WithDefaults() Config {
	if c.ClientID == "" {
		c.ClientID = "ripple-intake"
	}
	if c.Addr == "" {
		c.Addr = DefaultAddr
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = 4 << 20
	}
	if c.ProduceTimeout == 0 {
		c.ProduceTimeout = 30 * time.Second
	}
	if c.ShutdownTimeout == 0 {
		c.ShutdownTimeout = 30 * time.Second
	}
	if c.Registerer == nil && c.Gatherer == nil {
		reg := prometheus.NewRegistry()
		reg.MustRegister(prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
		c.Registerer, c.Gatherer = reg, reg
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	c.Security = c.Security.WithDefaults()
	return c
}

// Validate reports a configuration that cannot work, wrapping
// ErrInvalidConfig. It does not change c; unset fields are valid unless
// required.
func (c Config) Validate() error {
	switch {
	case len(c.Brokers) == 0:
		return fmt.Errorf("%w: no Kafka brokers: set Brokers (the local test broker is 127.0.0.1:19092)", ErrInvalidConfig)
	case c.Schemas == nil:
		return fmt.Errorf("%w: no schema repository: set Schemas (event.OpenRepository, or schemas.FS for ripple's)", ErrInvalidConfig)
	case len(c.Streams) == 0:
		return fmt.Errorf("%w: no streams: set Streams to the streams the intake accepts (a topology's StreamConfigs)", ErrInvalidConfig)
	case c.MaxBodyBytes < 0:
		return fmt.Errorf("%w: MaxBodyBytes %d is negative", ErrInvalidConfig, c.MaxBodyBytes)
	case c.Linger < 0 || c.ProduceTimeout < 0 || c.ShutdownTimeout < 0 || c.DrainDelay < 0:
		return fmt.Errorf("%w: Linger %v, ProduceTimeout %v, ShutdownTimeout %v and DrainDelay %v must not be negative",
			ErrInvalidConfig, c.Linger, c.ProduceTimeout, c.ShutdownTimeout, c.DrainDelay)
	case (c.Registerer == nil) != (c.Gatherer == nil):
		return fmt.Errorf("%w: set Registerer and Gatherer together (a *prometheus.Registry is both), or neither", ErrInvalidConfig)
	}
	if c.Addr != "" {
		if _, _, err := net.SplitHostPort(c.Addr); err != nil {
			return fmt.Errorf("%w: Addr %q: %v (want host:port, such as %s)", ErrInvalidConfig, c.Addr, err, DefaultAddr)
		}
	}
	for name, s := range c.Streams {
		if s.Sample == nil || s.Sample.Rate >= 1 {
			continue
		}
		if c.sampleField(s.Sample.Unit) == "" {
			return fmt.Errorf("%w: stream %s is sampled by unit %q, whose id field is unknown: set SampleFields[%q] (a dotted path)",
				ErrInvalidConfig, name, s.Sample.Unit, s.Sample.Unit)
		}
	}
	if err := (kafkaclient.Config{Brokers: c.Brokers, Security: c.Security}).Validate(); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidConfig, err)
	}
	return nil
}

// sampleField returns the field holding the id of a sampling unit.
func (c Config) sampleField(unit string) string {
	if f := c.SampleFields[unit]; f != "" {
		return f
	}
	return streamconfig.UnitField(unit)
}

// kafka returns the client configuration of c.
func (c Config) kafka() kafkaclient.Config {
	return kafkaclient.Config{Brokers: c.Brokers, Security: c.Security, ClientID: c.ClientID}.WithDefaults()
}
