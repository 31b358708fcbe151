package filter

import (
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/ripplestream/ripple/internal/configerr"
	"github.com/ripplestream/ripple/processor"
)

// Defaults of Config.
const (
	DefaultName         processor.Group  = "filter"
	DefaultInput        processor.Stream = "mediawiki.page_content_change.v1"
	DefaultOutput       processor.Stream = "ripple.filter_matches"
	DefaultField                         = "revision.content_slots.main.content_body"
	DefaultPollInterval                  = 10 * time.Second
	DefaultMaxTextBytes                  = 4 << 20
	DefaultMaxFileBytes                  = 64 << 20
)

// Config configures a Filter and its stage. Set Patterns or PatternsFile.
type Config struct {
	// Name is the job's name (consumer group). Default "filter".
	Name processor.Group
	// Input is the stream of JSON events to filter. Default
	// mediawiki.page_content_change.v1.
	Input processor.Stream
	// Output receives an Event for each input event that matches. Default
	// ripple.filter_matches.
	Output processor.Stream
	// Field is the dotted path of the string field matched, such as
	// "comment" or "page.page_title". Default
	// revision.content_slots.main.content_body.
	Field string

	// Patterns is the pattern list, when it is not read from a file.
	Patterns []Pattern
	// PatternsFile is a pattern file (see ParsePatterns), read by New and
	// re-read by Watch when it changes.
	PatternsFile string
	// PollInterval is how often Watch checks PatternsFile. Default 10 s.
	PollInterval time.Duration
	// Options say how patterns match.
	Options Options

	// MaxTextBytes is the longest field matched; an event with a longer
	// one goes to the error topic. Default 4 MiB.
	MaxTextBytes int
	// MaxFileBytes is the largest pattern file read. Default 64 MiB.
	MaxFileBytes int
	// Logger receives reload messages. Default: discard.
	Logger *slog.Logger
	// InputOptions are passed to processor.On for the input, such as
	// processor.ValidateSchema (the stage itself reads only Field, so
	// without it an event with no envelope or of another $schema is
	// matched like any other JSON object) or processor.KeepCanary.
	InputOptions []processor.InputOption
}

// ErrInvalidConfig is wrapped by Validate's errors; it matches every
// ripple package's ErrInvalidConfig.
var ErrInvalidConfig = configerr.New("filter")

// WithDefaults returns a copy of c with its unset fields set to their
// defaults.
func (c Config) WithDefaults() Config {
	if c.Name == "" {
		c.Name = DefaultName
	}
	if c.Input == "" {
		c.Input = DefaultInput
	}
	if c.Output == "" {
		c.Output = DefaultOutput
	}
	if c.Field == "" {
		c.Field = DefaultField
	}
	if c.PollInterval == 0 {
		c.PollInterval = DefaultPollInterval
	}
	if c.MaxTextBytes == 0 {
		c.MaxTextBytes = DefaultMaxTextBytes
	}
	if c.MaxFileBytes == 0 {
		c.MaxFileBytes = DefaultMaxFileBytes
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// Validate reports the first field of c that cannot work, wrapping
// ErrInvalidConfig. It does not change c: unset fields are valid, and the
// checks apply to the values WithDefaults gives them.
func (c Config) Validate() error {
	c = c.WithDefaults()
	if names := strings.Split(c.Field, "."); len(names) > 32 || strings.Contains("."+c.Field+".", "..") {
		return fmt.Errorf("%w: Field %q: want a dotted path of at most 32 names, like revision.comment", ErrInvalidConfig, c.Field)
	}
	switch {
	case len(c.Patterns) == 0 && c.PatternsFile == "":
		return fmt.Errorf("%w: no patterns: set Patterns or PatternsFile", ErrInvalidConfig)
	case len(c.Patterns) > 0 && c.PatternsFile != "":
		return fmt.Errorf("%w: both Patterns and PatternsFile are set; use one", ErrInvalidConfig)
	}
	if c.PollInterval < 10*time.Millisecond {
		return fmt.Errorf("%w: PollInterval %v is below 10ms", ErrInvalidConfig, c.PollInterval)
	}
	if c.MaxTextBytes < 0 || c.MaxFileBytes < 0 || c.Options.MaxCount < 0 {
		return fmt.Errorf("%w: MaxTextBytes, MaxFileBytes and Options.MaxCount must not be negative", ErrInvalidConfig)
	}
	return nil
}
