package window

import (
	"fmt"
	"time"

	"github.com/ripplestream/ripple/processor"
)

// Defaults for Config.
const (
	// DefaultMaxEventBytes is the default Config.MaxEventBytes: Kafka's
	// default largest record.
	DefaultMaxEventBytes = 1 << 20
	// DefaultMaxFuture is the default Config.MaxFuture.
	DefaultMaxFuture = time.Hour
)

// Config configures the window stage (see Job). Unset fields take their
// defaults (WithDefaults).
type Config[A, T any] struct {
	// Name is the job's consumer group (and the prefix of its state table,
	// timer, retry and error topics). Required.
	Name processor.Group
	// Input is the stream read; each Kafka key is windowed on its own.
	// Required.
	Input processor.Stream
	// Output receives a ResultEvent for each closed window, under the
	// window's key. Required.
	Output processor.Stream
	// LateOutput receives the late events, unchanged and under their key.
	// Default <Output>.late.
	LateOutput processor.Stream

	// Windower holds the windowing rules: the assigner, the lateness, the
	// aggregator and the most windows a key keeps open.
	Windower Windower[A, T]
	// EventTime returns an event's event time. Its errors send the event to
	// the error topic. Default DT: the event's dt field.
	EventTime func(raw []byte) (time.Time, error)
	// Value returns what an event adds to its windows' aggregates. Its
	// errors send the event to the error topic. Default: the zero T, which
	// is all window.Count needs.
	Value func(raw []byte) (T, error)

	// CloseDelay is extra processing time a window of a quiet key waits
	// before its timer closes it (see the package documentation). Raise it
	// for a job that may fall behind its input by more than Lateness.
	CloseDelay time.Duration
	// KeepIdle is how long a key whose windows have all closed keeps its
	// watermark, in processing time, before its state is deleted. A later
	// event of the key is then windowed as if the key were new: one later
	// than the old watermark reopens a window whose result was emitted (the
	// new result has the same meta.id). Default: the size (or gap) plus
	// Lateness plus CloseDelay; negative keeps the state for ever.
	KeepIdle time.Duration
	// MaxFuture is how far ahead of processing time an event time may be;
	// an event further ahead goes to the error topic instead of moving its
	// key's watermark (and so making the key's next events late) by a
	// clock error. Default DefaultMaxFuture; negative accepts any.
	MaxFuture time.Duration
	// MaxEventBytes is the largest event accepted; larger ones go to the
	// error topic. Default DefaultMaxEventBytes.
	MaxEventBytes int
	// InputOptions are passed to processor.On for the input, such as
	// processor.ValidateSchema or processor.KeepCanary.
	InputOptions []processor.InputOption
}

// WithDefaults returns a copy of c with its unset fields, and its
// Windower's, set to their defaults.
func (c Config[A, T]) WithDefaults() Config[A, T] {
	if c.LateOutput == "" && c.Output != "" {
		c.LateOutput = c.Output + ".late"
	}
	c.Windower = c.Windower.WithDefaults()
	if c.EventTime == nil {
		c.EventTime = DT
	}
	if c.KeepIdle == 0 {
		c.KeepIdle = c.horizon()
	}
	if c.MaxFuture == 0 {
		c.MaxFuture = DefaultMaxFuture
	}
	if c.MaxEventBytes == 0 {
		c.MaxEventBytes = DefaultMaxEventBytes
	}
	return c
}

// Validate reports the first field of c that cannot work, wrapping
// ErrInvalidConfig. It does not change c: unset fields are valid, and the
// checks apply to the values WithDefaults gives them.
func (c Config[A, T]) Validate() error {
	if c.Name == "" || c.Input == "" || c.Output == "" {
		return fmt.Errorf("%w: Name %q, Input %q and Output %q are all required", ErrInvalidConfig, c.Name, c.Input, c.Output)
	}
	if c.CloseDelay < 0 || c.MaxEventBytes < 0 {
		return fmt.Errorf("%w: job %s: CloseDelay %v and MaxEventBytes %d must not be negative",
			ErrInvalidConfig, c.Name, c.CloseDelay, c.MaxEventBytes)
	}
	c = c.WithDefaults()
	if c.Input == c.Output || c.Input == c.LateOutput || c.Output == c.LateOutput {
		return fmt.Errorf("%w: job %s: Input %q, Output %q and LateOutput %q must differ",
			ErrInvalidConfig, c.Name, c.Input, c.Output, c.LateOutput)
	}
	if err := c.Windower.Validate(); err != nil {
		return fmt.Errorf("job %s: %w", c.Name, err)
	}
	return nil
}

// horizon is the longest a close timer waits: how long after its key's
// newest event a window can still close.
func (c *Config[A, T]) horizon() time.Duration {
	return c.Windower.Assigner.horizon() + c.Windower.Lateness + c.CloseDelay
}
