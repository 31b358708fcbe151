package dgraphstore

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/dgraph-io/dgo/v230"
	"github.com/dgraph-io/dgo/v230/protos/api"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/ripplestream/ripple/deps"
)

// Store is the Dgraph deps.Store. Open it with Open; it is safe for
// concurrent use.
type Store struct {
	cfg    Config
	p      preds
	conns  []*grpc.ClientConn
	alphas *alphas
	uids   *uidCache
	ahead  *readAhead
	edges  *edgeCodec
	group  group

	mu struct {
		sync.RWMutex // held for reading by every call, for writing by Close
		closed       bool
	}
}

var _ deps.Store = (*Store)(nil)

// Open connects to the alphas of cfg and makes sure the schema of cfg.Prefix
// exists (altering it is idempotent).
func Open(ctx context.Context, cfg Config) (*Store, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.WithDefaults()
	opts := cfg.DialOptions
	if len(opts) == 0 {
		opts = []grpc.DialOption{grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(maxRecvBytes))}
		if !cfg.TLS.enabled() {
			opts = append(opts, grpc.WithTransportCredentials(insecure.NewCredentials()))
		}
	}
	if cfg.TLS.enabled() {
		creds, err := cfg.TLS.credentials()
		if err != nil {
			return nil, err
		}
		opts = append(opts, grpc.WithTransportCredentials(creds))
	}
	// First, so that a WithConnectParams of the caller's replaces it.
	opts = append([]grpc.DialOption{grpc.WithConnectParams(reconnect)}, opts...)
	opts = append(opts, grpc.WithChainUnaryInterceptor(callDeadline(cfg.CallTimeout, cfg.AlterTimeout)))
	s := &Store{cfg: cfg, p: newPreds(cfg.Prefix), uids: newUIDCache(cfg.UIDCache),
		ahead: &readAhead{ttl: readAheadTTL}, edges: newEdgeCodec()}
	for _, addr := range cfg.Addrs {
		conn, err := grpc.Dial(addr, opts...)
		if err != nil {
			s.closeConns()
			return nil, fmt.Errorf("%w: dgraphstore: dial %s: %v", deps.ErrUnavailable, addr, err)
		}
		s.conns = append(s.conns, conn)
	}
	s.alphas = newAlphas(s.conns)
	if err := s.dg().Alter(ctx, &api.Operation{Schema: s.p.schema()}); err != nil {
		s.closeConns()
		return nil, s.wrap(ctx, "alter schema", err)
	}
	return s, nil
}

// dg returns the client for the next transaction or alter: of an alpha
// that is up, when one is.
func (s *Store) dg() *dgo.Dgraph { return s.alphas.pick() }

// Close closes the connections. It is idempotent and waits for calls in
// flight.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.mu.closed {
		return nil
	}
	s.mu.closed = true
	return s.closeConns()
}

func (s *Store) closeConns() error {
	var errs []error
	for _, c := range s.conns {
		errs = append(errs, c.Close())
	}
	s.conns = nil
	return errors.Join(errs...)
}

// DropPredicates drops every predicate of the store's prefix, with its data
// and indexes, leaving the rest of the cluster alone. Tests use it to clean
// up; the store stays open but PutPage fails until the store is reopened.
// Other stores open on the prefix must be reopened too: they remember uids
// of nodes that no longer have keys.
func (s *Store) DropPredicates(ctx context.Context) error {
	release, err := s.acquire(ctx)
	if err != nil {
		return err
	}
	defer release()
	defer s.uids.reset()
	defer s.ahead.reset()
	for _, name := range s.p.all() {
		if err := s.dg().Alter(ctx, &api.Operation{DropOp: api.Operation_ATTR, DropValue: name}); err != nil {
			return s.wrap(ctx, "drop "+name, err)
		}
	}
	return nil
}

// acquire checks ctx and that the store is open, and returns the release.
func (s *Store) acquire(ctx context.Context) (func(), error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	if s.mu.closed {
		s.mu.RUnlock()
		return nil, deps.ErrClosed
	}
	return s.mu.RUnlock, nil
}

// inTxn runs fn in a fresh transaction, again after each abort by a
// conflicting transaction or refusal by an alpha that is down or has no
// leader (on an alpha that is up, when another is: see alphas), up to
// MaxRetries times with jittered exponential backoff.
func (s *Store) inTxn(ctx context.Context, op string, fn func(*dgo.Txn) error) error {
	backoff := firstBackoff
	for attempt := 0; ; attempt++ {
		txn := s.dg().NewTxn()
		err := fn(txn)
		_ = txn.Discard(ctx) // a no-op after a commit
		if err == nil || !retriable(err) || attempt == s.cfg.MaxRetries || ctx.Err() != nil {
			if err != nil && retriable(err) {
				err = fmt.Errorf("%w (after %d attempts)", err, attempt+1)
			}
			return s.wrap(ctx, op, err)
		}
		if errors.Is(err, dgo.ErrAborted) {
			s.cfg.Logger.Debug("dgraphstore: transaction aborted, retrying", "op", op, "attempt", attempt+1)
		} else {
			s.cfg.Logger.Debug("dgraphstore: an alpha refused the transaction, retrying", "op", op, "attempt", attempt+1, "err", err)
		}
		sleep := backoff/2 + rand.N(backoff/2+1)
		select {
		case <-ctx.Done():
			return s.wrap(ctx, op, ctx.Err())
		case <-time.After(sleep):
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

// retriable reports whether a transaction that failed with err may succeed
// at once when run again: it was aborted by a conflicting one, or its
// alpha refused it (is down, is starting, lost its group's leader). A
// write is read and applied again in full, so a commit whose answer was
// lost does no harm run twice. An alpha that did not answer in time is not
// tried again: that took CallTimeout already.
func retriable(err error) bool {
	if errors.Is(err, dgo.ErrAborted) {
		return true
	}
	st, ok := status.FromError(err)
	if !ok {
		return false
	}
	return st.Code() == codes.Unavailable || st.Code() == codes.Aborted || st.Code() == codes.Unknown && passing(st.Message())
}

// wrap adds op to err and classifies it: the context's own error when it
// is done, deps.ErrUnavailable for what a retry may cure.
func (s *Store) wrap(ctx context.Context, op string, err error) error {
	if err == nil {
		return nil
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("dgraphstore: %s: %w", op, ctxErr)
	}
	if errors.Is(err, dgo.ErrAborted) {
		return fmt.Errorf("%w: dgraphstore: %s: %v", deps.ErrUnavailable, op, err)
	}
	if st, ok := status.FromError(err); ok {
		switch {
		case st.Code() == codes.Unavailable, st.Code() == codes.ResourceExhausted,
			st.Code() == codes.DeadlineExceeded, st.Code() == codes.Aborted,
			st.Code() == codes.Unknown && passing(st.Message()):
			return fmt.Errorf("%w: dgraphstore: %s: %v; the call may succeed later: retry it, and check the alphas %s",
				deps.ErrUnavailable, op, err, strings.Join(s.cfg.Addrs, ", "))
		}
	}
	return fmt.Errorf("dgraphstore: %s: %w", op, err)
}

// passingFaults are what an alpha says, with gRPC code Unknown, while it
// starts, loses its connection to zero or to another group, elects a
// leader or sheds load: conditions that pass by themselves (Dgraph v24's
// x/health.go, conn/pool.go, worker/ and dgraph/cmd/zero/).
var passingFaults = []string{
	"retry", // "Please retry again, server is not ready to accept requests", "Temporary error. Please retry", "... Please retry later"
	"no connection exists",
	"unhealthy connection",
	"leader", // "Unable to reach leader of group", "Node is no longer leader", "Assigning IDs is only allowed on leader."
	"no connection to zero",
	"not ready",
}

// passing reports whether an alpha's Unknown-coded message names a
// condition that passes by itself.
func passing(msg string) bool {
	msg = strings.ToLower(msg)
	for _, f := range passingFaults {
		if strings.Contains(msg, f) {
			return true
		}
	}
	return false
}
