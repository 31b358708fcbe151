package ratelimit

import (
	"fmt"
	"time"

	"github.com/ripplestream/ripple/processor"
)

// DefaultMaxEventBytes is the default Config.MaxEventBytes: Kafka's default
// largest record.
const DefaultMaxEventBytes = 1 << 20

// Config configures the ratelimit stage (see Job). Unset fields take their
// defaults (WithDefaults).
type Config struct {
	// Name is the job's consumer group. Required.
	Name processor.Group
	// Input is the stream read; each Kafka key is limited on its own.
	// Required.
	Input processor.Stream
	// Output receives the events that pass, unchanged and under their key.
	// Required.
	Output processor.Stream
	// Limiter holds the rules. Limiter.Limit.Rate is required.
	Limiter Limiter

	// DelayOutput, with the Delay policy, makes the stage write each event
	// it holds to this stream as a DelayedEvent, for a Release job to
	// forward to Output when due (how the stage worked before timers).
	// Empty, the default: the stage holds each event in a timer and emits
	// it to Output itself when due. Refused with the other policies.
	DelayOutput processor.Stream
	// SummaryOutput, when set, receives a SummaryEvent for each Summary:
	// brought by the key's next event once Limiter.SummaryInterval has
	// passed, or by a timer if the key went quiet.
	SummaryOutput processor.Stream
	// ErrorRate returns the error rate an event reports, in [0, 1], for
	// Limiter.Adaptive (see Field). Its errors, and values outside [0, 1],
	// send the event to the error topic. Required with Adaptive, refused
	// without.
	ErrorRate func(raw []byte) (float64, error)

	// MaxEventBytes is the largest event accepted; larger ones go to the
	// error topic. Default DefaultMaxEventBytes.
	MaxEventBytes int
	// Clock returns the current time. Default: the Kafka record timestamp
	// (the job's processing time, Context.Now, when a record has none), so
	// a replay decides as the first run did and a backlog is limited at the
	// rate it was produced, not the rate it is caught up.
	Clock func() time.Time
	// InputOptions are passed to processor.On for the input.
	InputOptions []processor.InputOption
}

// WithDefaults returns a copy of c with its unset fields, and its
// Limiter's, set to their defaults.
func (c Config) WithDefaults() Config {
	c.Limiter = c.Limiter.WithDefaults()
	if c.MaxEventBytes == 0 {
		c.MaxEventBytes = DefaultMaxEventBytes
	}
	return c
}

// Validate reports the first field of c that cannot work, wrapping
// ErrInvalidConfig. It does not change c: unset fields are valid, and the
// checks apply to the values WithDefaults gives them.
func (c Config) Validate() error {
	if c.Name == "" || c.Input == "" || c.Output == "" {
		return fmt.Errorf("%w: Name %q, Input %q and Output %q are all required", ErrInvalidConfig, c.Name, c.Input, c.Output)
	}
	seen := map[processor.Stream]string{c.Input: "Input"}
	for _, s := range []struct {
		name   string
		stream processor.Stream
	}{{"Output", c.Output}, {"DelayOutput", c.DelayOutput}, {"SummaryOutput", c.SummaryOutput}} {
		if s.stream == "" {
			continue
		}
		if prev, ok := seen[s.stream]; ok {
			return fmt.Errorf("%w: job %s: %s and %s are both %q", ErrInvalidConfig, c.Name, prev, s.name, s.stream)
		}
		seen[s.stream] = s.name
	}
	if err := c.Limiter.Validate(); err != nil {
		return fmt.Errorf("job %s: %w", c.Name, err)
	}
	c = c.WithDefaults()
	if c.DelayOutput != "" && c.Limiter.Policy != Delay {
		return fmt.Errorf("%w: job %s: DelayOutput %q goes with the %s policy only (policy is %s)",
			ErrInvalidConfig, c.Name, c.DelayOutput, Delay, c.Limiter.Policy)
	}
	if (c.Limiter.Adaptive != nil) != (c.ErrorRate != nil) {
		return fmt.Errorf("%w: job %s: Limiter.Adaptive and ErrorRate go together", ErrInvalidConfig, c.Name)
	}
	if c.MaxEventBytes < 0 {
		return fmt.Errorf("%w: job %s: MaxEventBytes %d is negative", ErrInvalidConfig, c.Name, c.MaxEventBytes)
	}
	return nil
}

// delayTimers reports whether the stage holds delayed events in timers.
func (c *Config) delayTimers() bool { return c.Limiter.Policy == Delay && c.DelayOutput == "" }

// summaryTimers reports whether the stage sets summary timers.
func (c *Config) summaryTimers() bool { return c.SummaryOutput != "" && c.Limiter.SummaryInterval > 0 }

// horizon is the furthest ahead the stage sets a timer. Timers of a
// partition fire in the order they were set, so one set far ahead holds up
// those set after it for an earlier time: with delay timers, summary
// timers are set at most MaxDelay (at least a second) ahead, and set again
// in steps until the summary is due.
func (c *Config) horizon() time.Duration {
	if c.delayTimers() {
		return max(c.Limiter.MaxDelay, time.Second)
	}
	return c.Limiter.SummaryInterval
}

// ReleaseConfig configures a Release job.
type ReleaseConfig struct {
	// Name is the job's consumer group. Required.
	Name processor.Group
	// Input is the stage's DelayOutput. Required.
	Input processor.Stream
	// Output is where released events go: the stage's Output. Required.
	Output processor.Stream
	// Now returns the current time. Default time.Now.
	Now func() time.Time
}

// WithDefaults returns a copy of c with its unset fields set to their
// defaults.
func (c ReleaseConfig) WithDefaults() ReleaseConfig {
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// Validate reports a configuration that cannot work, wrapping
// ErrInvalidConfig. It does not change c; unset fields are valid.
func (c ReleaseConfig) Validate() error {
	if c.Name == "" || c.Input == "" || c.Output == "" || c.Input == c.Output {
		return fmt.Errorf("%w: release job: Name %q, Input %q and Output %q are required, Input and Output distinct",
			ErrInvalidConfig, c.Name, c.Input, c.Output)
	}
	return nil
}
