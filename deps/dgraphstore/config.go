package dgraphstore

import (
	"fmt"
	"io"
	"log/slog"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"

	"github.com/ripplestream/ripple/deps"
	"github.com/ripplestream/ripple/internal/configerr"
)

// ErrInvalidConfig is returned by Config.Validate and Open for an invalid
// configuration. errors.Is matches it with every ripple package's
// ErrInvalidConfig (deps.ErrInvalidConfig among them).
var ErrInvalidConfig = configerr.New("dgraphstore")

// Defaults for zero Config fields.
const (
	DefaultPrefix     = "ripple_deps"
	DefaultMaxRetries = 12
	DefaultMaxBatch   = 500
	DefaultUIDCache   = 1 << 18
	DefaultReadAhead  = deps.MaxLimit
	// DefaultCallTimeout bounds each gRPC call to an alpha (see
	// Config.CallTimeout).
	DefaultCallTimeout = 5 * time.Second
	// DefaultAlterTimeout bounds each schema alter or drop (see
	// Config.AlterTimeout).
	DefaultAlterTimeout = time.Minute
	readAheadTTL        = 5 * time.Second
	maxRecvBytes        = 256 << 20
	maxPrefixBytes      = 64
	firstBackoff        = 2 * time.Millisecond
	maxBackoff          = 500 * time.Millisecond
)

// reconnect is how the store reconnects to an alpha it lost: at most
// reconnectMaxDelay after the alpha is back. gRPC's default backs off up to
// 2 min, so that after an outage of 30 s the store reconnected some 13 s
// after the alpha was back (measured by changeprop's
// TestFaultDgraphAlphaStopped), and after a longer one up to 2 min later.
var reconnect = grpc.ConnectParams{
	Backoff:           backoff.Config{BaseDelay: 100 * time.Millisecond, Multiplier: 1.6, Jitter: 0.2, MaxDelay: reconnectMaxDelay},
	MinConnectTimeout: 20 * time.Second, // gRPC's default
}

// reconnectMaxDelay bounds the delay between attempts to reconnect to an
// alpha that is down: they cost one refused connection each.
const reconnectMaxDelay = 2 * time.Second

// Config configures a Store. Zero fields take their defaults.
type Config struct {
	// Addrs are the gRPC addresses (host:port) of Dgraph alphas; requests
	// are spread over them. Required.
	Addrs []string

	// DialOptions are passed to grpc.Dial. Default: plaintext
	// (insecure.NewCredentials), as for an alpha on loopback or a private
	// network, and responses of up to 256 MiB (grpc.MaxCallRecvMsgSize;
	// gRPC's default is 4 MiB). Whatever they are, the store tries to
	// reconnect to an alpha it lost every 2 s at most (gRPC's default backs
	// off up to 2 min; grpc.WithConnectParams among them replaces this).
	DialOptions []grpc.DialOption

	// TLS, when any of its fields is set, connects to the alphas with TLS
	// (after DialOptions, so its credentials win). Default: plaintext.
	TLS TLSConfig

	// Prefix starts every predicate name, followed by '_'. It must be a
	// letter followed by letters, digits and underscores. Default
	// DefaultPrefix.
	Prefix string

	// Collapse bounds the entity aspects stored per usage.
	Collapse deps.CollapseLimits

	// MaxRetries is how often a write aborted by a conflicting transaction,
	// or refused by an alpha that is down or lost its group's leader, is
	// retried (on an alpha that is up, when there is one) before PutPage
	// or DeletePage give up with deps.ErrUnavailable. Default DefaultMaxRetries.
	MaxRetries int

	// MaxBatch is the most pages PutPages, or concurrent PutPage calls
	// together, write in one transaction. Larger batches cost fewer round
	// trips but conflict more often with concurrent writers. Default
	// DefaultMaxBatch.
	MaxBatch int

	// UIDCache is how many node uids (of targets and pages, by key) the
	// store remembers, so that writes and traversals need not look them
	// up; it keeps up to twice as many, about 100 bytes each. Default
	// DefaultUIDCache; negative disables the cache.
	UIDCache int

	// ReadAhead is how many dependents of a page edge Dependents reads
	// with one query when asked for fewer: it keeps the rest, for up to 5
	// s, for the call that resumes the traversal from its cursor (see
	// deps.Store.Dependents on what a traversal sees of writes meanwhile).
	// Default DefaultReadAhead; negative turns read-ahead off.
	ReadAhead int

	// CallTimeout bounds every gRPC call the store makes to an alpha
	// (queries, mutations, commits, logins) but schema alters: one that
	// gets no answer in time fails with deps.ErrUnavailable, so a hung
	// alpha fails calls instead of blocking them forever. A caller's
	// earlier context deadline still applies, and then the call returns the
	// context's error. A call that runs several requests (a write reads,
	// looks up, then commits) gives each of them CallTimeout. Default
	// DefaultCallTimeout; negative is refused.
	CallTimeout time.Duration
	// AlterTimeout bounds schema alters (Open) and predicate drops
	// (DropPredicates), which take longer on a large graph, as CallTimeout
	// bounds the other calls. Default DefaultAlterTimeout; negative is
	// refused.
	AlterTimeout time.Duration

	// Logger receives retry and lifecycle messages. Default: discard.
	Logger *slog.Logger
}

// Validate reports the first invalid field of c, wrapping
// ErrInvalidConfig. It reads no file: Open reads the TLS files.
func (c Config) Validate() error {
	if len(c.Addrs) == 0 {
		return fmt.Errorf("%w: Addrs is empty; give the alpha gRPC address, such as 127.0.0.1:9080", ErrInvalidConfig)
	}
	for _, a := range c.Addrs {
		if a == "" {
			return fmt.Errorf("%w: Addrs has an empty address", ErrInvalidConfig)
		}
	}
	if c.Prefix != "" && !validPrefix(c.Prefix) {
		return fmt.Errorf("%w: Prefix %q: want a letter, then up to %d letters, digits or '_'",
			ErrInvalidConfig, c.Prefix, maxPrefixBytes-1)
	}
	if c.ReadAhead > deps.MaxLimit {
		return fmt.Errorf("%w: ReadAhead %d: want at most %d", ErrInvalidConfig, c.ReadAhead, deps.MaxLimit)
	}
	if c.CallTimeout < 0 || c.AlterTimeout < 0 {
		return fmt.Errorf("%w: CallTimeout %v or AlterTimeout %v is negative; leave them 0 for %v and %v",
			ErrInvalidConfig, c.CallTimeout, c.AlterTimeout, DefaultCallTimeout, DefaultAlterTimeout)
	}
	if c.MaxRetries < 0 || c.MaxBatch < 0 {
		return fmt.Errorf("%w: MaxRetries %d or MaxBatch %d is negative", ErrInvalidConfig, c.MaxRetries, c.MaxBatch)
	}
	if err := c.TLS.validate(); err != nil {
		return err
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

// WithDefaults returns a copy of c with its zero fields set to their
// defaults. Open calls it.
func (c Config) WithDefaults() Config {
	if c.Prefix == "" {
		c.Prefix = DefaultPrefix
	}
	if c.MaxRetries == 0 {
		c.MaxRetries = DefaultMaxRetries
	}
	if c.MaxBatch == 0 {
		c.MaxBatch = DefaultMaxBatch
	}
	switch {
	case c.ReadAhead == 0:
		c.ReadAhead = DefaultReadAhead
	case c.ReadAhead < 0:
		c.ReadAhead = 0
	}
	switch {
	case c.UIDCache == 0:
		c.UIDCache = DefaultUIDCache
	case c.UIDCache < 0:
		c.UIDCache = 0
	}
	if c.CallTimeout == 0 {
		c.CallTimeout = DefaultCallTimeout
	}
	if c.AlterTimeout == 0 {
		c.AlterTimeout = DefaultAlterTimeout
	}
	c.Collapse = c.Collapse.WithDefaults()
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return c
}
