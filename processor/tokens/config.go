package tokens

import (
	"fmt"
	"sync/atomic"

	"github.com/ripplestream/ripple/internal/configerr"
	"github.com/ripplestream/ripple/processor"
)

// Defaults of Config.
const (
	DefaultName            processor.Group  = "tokens"
	DefaultInput           processor.Stream = "mediawiki.page_content_change.v1"
	DefaultOutput          processor.Stream = "ripple.revision_tokens"
	DefaultMaxTextBytes                     = 4 << 20
	DefaultMaxTokenBytes                    = 256
	DefaultMaxStateTokens                   = 20_000
	DefaultMaxOutputTokens                  = 10_000
)

// Config configures the tokens operator: its limits, and for the stage,
// its name and streams. The zero value is usable: unset fields take their
// defaults (WithDefaults).
type Config struct {
	// Name is the job's name (consumer group). Default "tokens".
	Name processor.Group
	// Input is the stream of mediawiki/page/change events with content,
	// keyed by page. Default mediawiki.page_content_change.v1.
	Input processor.Stream
	// Output receives one Event per new revision. Default
	// ripple.revision_tokens.
	Output processor.Stream

	// MaxTextBytes is the longest revision text tokenized. A longer one is
	// refused with ErrTooLarge (the stage sends it to the error topic, and
	// the page's state stays at the revision before). Default 4 MiB, twice
	// MediaWiki's largest page.
	MaxTextBytes int
	// MaxTokenBytes is the longest token kept; longer ones (base64 blobs,
	// long runs of digits) are dropped. Default 256.
	MaxTokenBytes int
	// MaxStateTokens caps the distinct tokens kept per page: a revision
	// with more keeps only its most frequent ones, and the next delta is
	// marked Approximate. Default 20,000 (about 200 KB of state, well
	// under Kafka's default 1 MB record limit of the changelog).
	MaxStateTokens int
	// MaxOutputTokens caps the tokens listed in an Event, and the entries
	// of each of its Added and Removed; the event says when it was cut.
	// Default 10,000.
	MaxOutputTokens int

	// Counters, if set, counts what the stage ignores, for metrics.
	Counters *Counters
}

// Counters count the revisions the operator did not turn into events. They
// are safe for concurrent use; read them from a metrics hook.
type Counters struct {
	// Stale counts revisions older than the one the page's state holds
	// (delivered late or replayed), which are ignored.
	Stale atomic.Int64
	// Duplicate counts revisions equal to the one the state holds
	// (redelivered), which are ignored.
	Duplicate atomic.Int64
}

// ErrInvalidConfig is wrapped by Validate's errors; it matches every
// ripple package's ErrInvalidConfig.
var ErrInvalidConfig = configerr.New("tokens")

// limits lists c's limits with their defaults.
func (c *Config) limits() []limit {
	return []limit{
		{"MaxTextBytes", &c.MaxTextBytes, DefaultMaxTextBytes},
		{"MaxTokenBytes", &c.MaxTokenBytes, DefaultMaxTokenBytes},
		{"MaxStateTokens", &c.MaxStateTokens, DefaultMaxStateTokens},
		{"MaxOutputTokens", &c.MaxOutputTokens, DefaultMaxOutputTokens},
	}
}

// limit is a size limit of Config, whose zero value means its default.
type limit struct {
	name string
	v    *int
	def  int
}

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
	for _, l := range c.limits() {
		if *l.v == 0 {
			*l.v = l.def
		}
	}
	return c
}

// Validate reports a limit that is negative, wrapping ErrInvalidConfig. It
// does not change c; unset fields are valid.
func (c Config) Validate() error {
	for _, l := range c.limits() {
		if *l.v < 0 {
			return fmt.Errorf("%w: %s is %d; want 0 (default %d) or more", ErrInvalidConfig, l.name, *l.v, l.def)
		}
	}
	return nil
}
