package dedupe

import (
	"fmt"
	"time"

	"github.com/ripplestream/ripple/internal/configerr"
	"github.com/ripplestream/ripple/processor"
)

// DefaultMaxEventBytes is the default Config.MaxEventBytes: Kafka's default
// largest record.
const DefaultMaxEventBytes = 1 << 20

// ErrInvalidConfig is wrapped by the errors of Config.Validate; it matches
// every ripple package's ErrInvalidConfig.
var ErrInvalidConfig = configerr.New("dedupe")

// Config configures the dedupe stage (see Job). Unset fields take their
// defaults (WithDefaults).
type Config struct {
	// Name is the job's consumer group (and the prefix of its state table,
	// retry and error topics). Required.
	Name processor.Group
	// Input is the stream read. Required.
	Input processor.Stream
	// Output receives the first occurrence of each event, unchanged and
	// under the same key. Required.
	Output processor.Stream

	// TTL is how long an id is remembered. Default DefaultTTL.
	TTL time.Duration
	// MaxIDs is the most ids remembered per Kafka key; more distinct ids
	// within the TTL forget the oldest early. Every event rewrites its key's
	// state, about 10 bytes per id, so keep it to what the stream needs.
	// Default DefaultMaxIDs.
	MaxIDs int
	// ID returns the identity of an event; events with equal ids under the
	// same key are duplicates. Its errors send the event to the error topic.
	// Default MetaID (meta.id).
	ID func(raw []byte) (string, error)

	// Supersede also drops events whose root_event is older than the newest
	// root seen under the same key for the same signature (see Supersedes).
	// An event with a root_event that is not an object with a signature and
	// an RFC 3339 dt goes to the error topic; one without root_event passes.
	Supersede bool
	// RootTTL and MaxRoots bound the roots remembered per key when
	// Supersede is set. Defaults DefaultRootTTL and DefaultMaxRoots.
	RootTTL  time.Duration
	MaxRoots int

	// MaxEventBytes is the largest event accepted; larger ones go to the
	// error topic. Default DefaultMaxEventBytes.
	MaxEventBytes int
	// Clock returns the current time. Default: the Kafka record timestamp
	// (the job's processing time, Context.Now, when a record has none),
	// which makes a replay of the stream decide as the first run did.
	Clock func() time.Time
	// NoTimers turns off the expiry timers (see the package doc): the
	// state of a key that goes quiet then stays in the store until its
	// next event prunes it, and the job has no timer topics.
	NoTimers bool
	// InputOptions are passed to processor.On for the input, such as
	// processor.ValidateSchema or processor.KeepCanary.
	InputOptions []processor.InputOption
}

// WithDefaults returns a copy of c with its unset fields set to their
// defaults.
func (c Config) WithDefaults() Config {
	// Only zero fields: a negative one stays for Validate to refuse.
	if c.TTL == 0 {
		c.TTL = DefaultTTL
	}
	if c.MaxIDs == 0 {
		c.MaxIDs = DefaultMaxIDs
	}
	if c.RootTTL == 0 {
		c.RootTTL = DefaultRootTTL
	}
	if c.MaxRoots == 0 {
		c.MaxRoots = DefaultMaxRoots
	}
	if c.MaxEventBytes == 0 {
		c.MaxEventBytes = DefaultMaxEventBytes
	}
	if c.ID == nil {
		c.ID = MetaID
	}
	return c
}

// Validate reports the first field of c that cannot work, wrapping
// ErrInvalidConfig. It does not change c; unset fields are valid.
func (c Config) Validate() error {
	switch {
	case c.Name == "":
		return fmt.Errorf("%w: Name is empty", ErrInvalidConfig)
	case c.Input == "" || c.Output == "":
		return fmt.Errorf("%w: job %s: Input %q and Output %q are both required", ErrInvalidConfig, c.Name, c.Input, c.Output)
	case c.Input == c.Output:
		return fmt.Errorf("%w: job %s: Output is the Input %q (a loop)", ErrInvalidConfig, c.Name, c.Input)
	}
	for _, f := range []struct {
		name string
		v    int64
	}{{"TTL", int64(c.TTL)}, {"MaxIDs", int64(c.MaxIDs)}, {"RootTTL", int64(c.RootTTL)},
		{"MaxRoots", int64(c.MaxRoots)}, {"MaxEventBytes", int64(c.MaxEventBytes)}} {
		if f.v < 0 {
			return fmt.Errorf("%w: job %s: %s %d is negative", ErrInvalidConfig, c.Name, f.name, f.v)
		}
	}
	if c.TTL != 0 && c.TTL < time.Millisecond || c.RootTTL != 0 && c.RootTTL < time.Millisecond {
		return fmt.Errorf("%w: job %s: TTL %v and RootTTL %v must be at least 1ms (ids are timed to the millisecond)",
			ErrInvalidConfig, c.Name, c.TTL, c.RootTTL)
	}
	if c.MaxIDs > maxEntries || c.MaxRoots > maxEntries {
		return fmt.Errorf("%w: job %s: MaxIDs %d and MaxRoots %d must be at most %d", ErrInvalidConfig, c.Name, c.MaxIDs, c.MaxRoots, maxEntries)
	}
	return nil
}

// horizon is the furthest ahead the stage sets a timer: how long the ids,
// or with Supersede the roots, of a key are remembered. Timers of a
// partition fire in the order they were set, so one common horizon keeps
// a timer from holding up those set after it.
func (c *Config) horizon() time.Duration {
	if c.Supersede {
		return max(c.TTL, c.RootTTL)
	}
	return c.TTL
}
