package entitychange

import (
	"fmt"
	"slices"
	"sync/atomic"

	"github.com/ripplestream/ripple/deps/entity"
	"github.com/ripplestream/ripple/internal/configerr"
	"github.com/ripplestream/ripple/processor"
)

// Defaults of Config.
const (
	DefaultName   processor.Group  = "entitychange"
	DefaultInput  processor.Stream = "mediawiki.page_content_change.v1"
	DefaultOutput processor.Stream = "ripple.entity_change"
	// DefaultMaxEntityBytes keeps a state record under Kafka's default
	// 1 MB record limit of the changelog.
	DefaultMaxEntityBytes = 768 << 10
)

// DefaultRepos are the repository wikis read by default.
func DefaultRepos() []string { return []string{"wikidatawiki"} }

// DefaultContentModels are the main-slot content models of the entity
// pages read by default: items, properties and lexemes.
func DefaultContentModels() []string {
	return []string{"wikibase-item", "wikibase-property", "wikibase-lexeme"}
}

// DefaultNamespaces are Wikidata's entity namespaces: Item (0), Property
// (120) and Lexeme (146).
func DefaultNamespaces() []int { return []int{0, 120, 146} }

// Config configures the job. Fill the defaults with WithDefaults and check
// it with Validate; Job does both.
type Config struct {
	// Name is the job's consumer group. Default "entitychange".
	Name processor.Group
	// Input is the stream of mediawiki/page/change events, keyed by page.
	// Default mediawiki.page_content_change.v1, whose main slot carries
	// the entity JSON; a stream without content (mediawiki.page_change.v1)
	// needs a Source.
	Input processor.Stream
	// Output receives the ripple/entity/change events, keyed by entity id.
	// Default ripple.entity_change, changeprop's default entity input.
	Output processor.Stream
	// Repos are the wiki ids of the repositories whose entities are read;
	// page changes of other wikis are ignored. Default DefaultRepos().
	Repos []string
	// ContentModels are the main-slot content models of entity pages.
	// Default DefaultContentModels().
	ContentModels []string
	// Namespaces are the namespaces of entity pages. They recognize a
	// deletion whose event carries no content slot (a suppression) of a
	// page the job keeps nothing for. Default DefaultNamespaces().
	Namespaces []int
	// Aspects sets the collapse limits of the changed aspects. Its
	// ClientSite "" becomes entity.AllSites: one change serves every
	// client wiki.
	Aspects entity.Options
	// MaxEntityBytes is the largest entity JSON kept in state; a larger
	// one is kept as its SHA-256 only. Default DefaultMaxEntityBytes.
	MaxEntityBytes int
	// Source fetches revisions the events do not carry. Optional.
	Source Source
	// Counters, if set, counts what the job did, for metrics.
	Counters *Counters
	// InputOptions are passed to processor.On for the input, such as
	// processor.ValidateSchema: without it an event that decodes as a
	// page change is read whatever its $schema and envelope.
	InputOptions []processor.InputOption
}

// Counters count the page changes by what the job did with them. They are
// safe for concurrent use.
type Counters struct {
	// Changed counts entity changes emitted (deletions included).
	Changed atomic.Int64
	// Unchanged counts entity revisions that changed nothing pages use.
	Unchanged atomic.Int64
	// Stale counts revisions older than the one in state (arrived late);
	// Duplicate, the one in state again (redelivered).
	Stale, Duplicate atomic.Int64
	// Ignored counts page changes of other wikis and of non-entity pages.
	Ignored atomic.Int64
	// UnknownPrior counts changes reported as X because the previous
	// revision was neither in state nor fetched.
	UnknownPrior atomic.Int64
	// Fetched counts revisions fetched from the Source.
	Fetched atomic.Int64
}

// ErrInvalidConfig is wrapped by Validate's errors.
var ErrInvalidConfig = configerr.New("entitychange")

// WithDefaults returns c with its unset fields set to the defaults.
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
	if c.Repos == nil {
		c.Repos = DefaultRepos()
	}
	if c.ContentModels == nil {
		c.ContentModels = DefaultContentModels()
	}
	if c.Namespaces == nil {
		c.Namespaces = DefaultNamespaces()
	}
	if c.Aspects.ClientSite == "" {
		c.Aspects.ClientSite = entity.AllSites
	}
	if c.MaxEntityBytes == 0 {
		c.MaxEntityBytes = DefaultMaxEntityBytes
	}
	return c
}

// Validate reports a configuration that cannot work. Zero fields are
// valid: they take their defaults.
func (c Config) Validate() error {
	if c.Input != "" && c.Input == c.Output {
		return fmt.Errorf("%w: Input and Output are both %s", ErrInvalidConfig, c.Input)
	}
	if c.Repos != nil && len(c.Repos) == 0 {
		return fmt.Errorf("%w: Repos is empty; leave it nil for %v", ErrInvalidConfig, DefaultRepos())
	}
	if c.ContentModels != nil && len(c.ContentModels) == 0 {
		return fmt.Errorf("%w: ContentModels is empty; leave it nil for %v", ErrInvalidConfig, DefaultContentModels())
	}
	if slices.Contains(c.Repos, "") {
		return fmt.Errorf("%w: Repos holds an empty wiki id", ErrInvalidConfig)
	}
	if c.MaxEntityBytes < 0 {
		return fmt.Errorf("%w: MaxEntityBytes is %d; want 0 (default %d) or more", ErrInvalidConfig, c.MaxEntityBytes, DefaultMaxEntityBytes)
	}
	if err := c.Aspects.Validate(); err != nil {
		return fmt.Errorf("%w: Aspects: %w", ErrInvalidConfig, err)
	}
	return nil
}
