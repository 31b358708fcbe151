package diff

import (
	"fmt"
	"sync/atomic"

	"github.com/ripplestream/ripple/internal/configerr"
	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/wikitext"
)

// Defaults of Config.
const (
	DefaultName           processor.Group  = "diff"
	DefaultInput          processor.Stream = "mediawiki.page_content_change.v1"
	DefaultOutput         processor.Stream = "ripple.revision_diff"
	DefaultMaxTextBytes                    = 768 << 10
	DefaultMaxDiffBytes                    = wikitext.DefaultMaxBytes
	DefaultMaxEditCost                     = 1000
	DefaultMaxDeps                         = 20_000
	DefaultMaxOutputBytes                  = 512 << 10
)

// Config configures the diff operator: its limits, and for the stage, its
// name and streams. The zero value is usable: unset fields take their
// defaults (WithDefaults).
type Config struct {
	// Name is the job's name (consumer group). Default "diff".
	Name processor.Group
	// Input is the stream of mediawiki/page/change events with content,
	// keyed by page. Default mediawiki.page_content_change.v1.
	Input processor.Stream
	// Output receives one Event per new revision. Default
	// ripple.revision_diff.
	Output processor.Stream

	// MaxTextBytes is the longest text kept in a page's state. A longer
	// one is kept as its SHA-256 and size only: its own revision is still
	// diffed against the text before it, but the next revision's line
	// and word diff is skipped (Event.Skipped says why), unless the hash
	// shows the text unchanged. Default 768 KiB, so that a state record
	// stays under Kafka's default 1 MB record limit of the changelog.
	MaxTextBytes int
	// MaxDiffBytes is the longest text diffed or parsed at all; for a
	// longer one only the hash is compared. Default 16 MiB.
	MaxDiffBytes int
	// MaxEditCost bounds the work of the line diff (see Lines): a stretch
	// that differs more is reported as replaced whole, and the Event is
	// marked Approximate. Default 1,000.
	MaxEditCost int
	// MaxDeps caps the links, templates, files and categories kept per
	// page; a page with more keeps none, and the next revision's
	// structured delta is skipped. Default 20,000.
	MaxDeps int
	// MaxOutputBytes caps the bytes of added and removed lines listed in
	// an Event (Lines.Truncated says when some were left out). Default
	// 512 KiB.
	MaxOutputBytes int
	// Wikitext configures the parse of the structured deltas.
	Wikitext wikitext.Options

	// Counters, if set, counts what the stage ignores, for metrics.
	Counters *Counters
}

// Counters count revisions the operator did not diff. They are safe for
// concurrent use; read them from a metrics hook (such as a Prometheus
// counter function).
type Counters struct {
	// Stale counts revisions whose rev_id is lower than the one in the
	// page's state, which arrived after a newer one: ignored (the WDQS
	// updater's NewerRevisionSeen).
	Stale atomic.Int64
	// Duplicate counts revisions equal to the state's, redelivered:
	// ignored.
	Duplicate atomic.Int64
	// Baseline counts first-seen revisions of existing pages, which only
	// set the state.
	Baseline atomic.Int64
}

// ErrInvalidConfig is wrapped by Validate's errors; it matches every
// ripple package's ErrInvalidConfig.
var ErrInvalidConfig = configerr.New("diff")

// limits lists c's limits with their defaults.
func (c *Config) limits() []limit {
	return []limit{
		{"MaxTextBytes", &c.MaxTextBytes, DefaultMaxTextBytes},
		{"MaxDiffBytes", &c.MaxDiffBytes, DefaultMaxDiffBytes},
		{"MaxEditCost", &c.MaxEditCost, DefaultMaxEditCost},
		{"MaxDeps", &c.MaxDeps, DefaultMaxDeps},
		{"MaxOutputBytes", &c.MaxOutputBytes, DefaultMaxOutputBytes},
	}
}

// limit is a size limit of Config, whose zero value means its default.
type limit struct {
	name string
	v    *int
	def  int
}

// WithDefaults returns a copy of c with its unset fields set to their
// defaults; Wikitext.MaxBytes is raised to MaxDiffBytes, so that every
// text diffed is parsed.
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
	if c.Wikitext.MaxBytes < c.MaxDiffBytes {
		c.Wikitext.MaxBytes = c.MaxDiffBytes
	}
	return c
}

// Validate reports the first field of c that cannot work, wrapping
// ErrInvalidConfig. It does not change c: unset fields are valid, and the
// checks apply to the values WithDefaults gives them.
func (c Config) Validate() error {
	for _, l := range c.limits() {
		if *l.v < 0 {
			return fmt.Errorf("%w: %s is %d; want 0 (default %d) or more", ErrInvalidConfig, l.name, *l.v, l.def)
		}
	}
	c = c.WithDefaults()
	if c.MaxTextBytes > c.MaxDiffBytes {
		return fmt.Errorf("%w: MaxTextBytes %d exceeds MaxDiffBytes %d", ErrInvalidConfig, c.MaxTextBytes, c.MaxDiffBytes)
	}
	if err := c.Wikitext.Validate(); err != nil {
		return fmt.Errorf("%w: Wikitext: %v", ErrInvalidConfig, err)
	}
	return nil
}
