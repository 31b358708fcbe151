package dgraphstore

import (
	"fmt"
	"io"
	"log/slog"
	"time"

	"google.golang.org/grpc"

	"github.com/ripplestream/ripple/deps"
)

// Defaults for zero Config fields.
const (
	DefaultPrefix     = "ripple_deps"
	DefaultMaxRetries = 12
	DefaultMaxBatch   = 100
	maxPrefixBytes    = 64
	firstBackoff      = 2 * time.Millisecond
	maxBackoff        = 500 * time.Millisecond
)

// Config configures a Store. Zero fields take their defaults.
type Config struct {
	// Addrs are the gRPC addresses (host:port) of Dgraph alphas; requests
	// are spread over them. Required.
	Addrs []string

	// DialOptions are passed to grpc.Dial. Default: plaintext
	// (insecure.NewCredentials), as for an alpha on loopback or a private
	// network.
	DialOptions []grpc.DialOption

	// Prefix starts every predicate name, followed by '_'. It must be a
	// letter followed by letters, digits and underscores. Default
	// DefaultPrefix.
	Prefix string

	// Collapse bounds the entity aspects stored per usage.
	Collapse deps.CollapseLimits

	// MaxRetries is how often a write aborted by a conflicting transaction
	// is retried before PutPage or DeletePage give up with
	// deps.ErrUnavailable. Default DefaultMaxRetries.
	MaxRetries int

	// MaxBatch is the most pages PutPages writes in one transaction.
	// Larger batches cost fewer round trips but conflict more often with
	// concurrent writers. Default DefaultMaxBatch.
	MaxBatch int

	// Logger receives retry and lifecycle messages. Default: discard.
	Logger *slog.Logger
}

// Validate reports the first invalid field of c, wrapping
// deps.ErrInvalidConfig.
func (c Config) Validate() error {
	if len(c.Addrs) == 0 {
		return fmt.Errorf("%w: dgraphstore: Addrs is empty; give the alpha gRPC address, such as 127.0.0.1:9080", deps.ErrInvalidConfig)
	}
	for _, a := range c.Addrs {
		if a == "" {
			return fmt.Errorf("%w: dgraphstore: Addrs has an empty address", deps.ErrInvalidConfig)
		}
	}
	if c.Prefix != "" && !validPrefix(c.Prefix) {
		return fmt.Errorf("%w: dgraphstore: Prefix %q: want a letter, then up to %d letters, digits or '_'",
			deps.ErrInvalidConfig, c.Prefix, maxPrefixBytes-1)
	}
	if c.MaxRetries < 0 || c.MaxBatch < 0 {
		return fmt.Errorf("%w: dgraphstore: MaxRetries %d or MaxBatch %d is negative", deps.ErrInvalidConfig, c.MaxRetries, c.MaxBatch)
	}
	return c.Collapse.Validate()
}

// validPrefix reports whether p matches [A-Za-z][A-Za-z0-9_]{0,63}.
func validPrefix(p string) bool {
	if len(p) > maxPrefixBytes {
		return false
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !letter && (i == 0 || !(c >= '0' && c <= '9' || c == '_')) {
			return false
		}
	}
	return p != ""
}

// withDefaults returns c with zero fields set to their defaults.
func (c Config) withDefaults() Config {
	if c.Prefix == "" {
		c.Prefix = DefaultPrefix
	}
	if c.MaxRetries == 0 {
		c.MaxRetries = DefaultMaxRetries
	}
	if c.MaxBatch == 0 {
		c.MaxBatch = DefaultMaxBatch
	}
	c.Collapse = c.Collapse.WithDefaults()
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return c
}
