package dgraphstore_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dgraph-io/dgo/v230/protos/api"
	"google.golang.org/grpc"

	"github.com/ripplestream/ripple/deps"
	"github.com/ripplestream/ripple/deps/dgraphstore"
)

// callTimeout is the CallTimeout of these tests; hung is how long a call
// may take before the test calls it hung (well above callTimeout, far
// below the test binary's timeout).
const (
	callTimeout = 200 * time.Millisecond
	hung        = 20 * time.Second
)

// silentAlpha listens on loopback and accepts connections without ever
// answering, as an alpha stopped with SIGSTOP does. It returns its address.
func silentAlpha(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	})
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String()
}

// stuckAlpha is a gRPC Dgraph server that accepts schema alters but never
// answers a query or a commit: an alpha that hangs once a call is under
// way.
type stuckAlpha struct {
	api.UnimplementedDgraphServer
	stop chan struct{}
}

func (a *stuckAlpha) Alter(context.Context, *api.Operation) (*api.Payload, error) {
	return &api.Payload{}, nil
}

func (a *stuckAlpha) Query(ctx context.Context, _ *api.Request) (*api.Response, error) {
	<-a.stop               // not ctx: a hung alpha does not notice the client giving up
	return nil, errStopped // never nil, nil: gRPC would marshal a nil response and panic
}

func (a *stuckAlpha) CommitOrAbort(ctx context.Context, _ *api.TxnContext) (*api.TxnContext, error) {
	<-a.stop
	return nil, errStopped
}

var errStopped = errors.New("stuck alpha stopped")

// startStuckAlpha serves a stuckAlpha on loopback and returns its address.
func startStuckAlpha(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer()
	alpha := &stuckAlpha{stop: make(chan struct{})}
	api.RegisterDgraphServer(srv, alpha)
	var wg sync.WaitGroup
	wg.Go(func() { _ = srv.Serve(ln) })
	t.Cleanup(func() {
		close(alpha.stop)
		srv.Stop()
		wg.Wait()
	})
	return ln.Addr().String()
}

// checkUnavailable fails t unless err is a deps.ErrUnavailable that names
// addr and setting, the timeout to look at, returned well before hung.
func checkUnavailable(t *testing.T, call string, err error, took time.Duration, addr, setting string) {
	t.Helper()
	if !errors.Is(err, deps.ErrUnavailable) || !deps.Retriable(err) {
		t.Fatalf("%s: %v, want deps.ErrUnavailable", call, err)
	}
	for _, want := range []string{addr, setting} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %q does not name %q", call, err, want)
		}
	}
	if took >= hung {
		t.Errorf("%s took %v with CallTimeout %v", call, took, callTimeout)
	}
}

func TestOpenOnSilentAlphaIsUnavailable(t *testing.T) {
	addr := silentAlpha(t)
	start := time.Now()
	s, err := dgraphstore.Open(context.Background(), dgraphstore.Config{Addrs: []string{addr}, AlterTimeout: callTimeout})
	if err == nil {
		s.Close()
	}
	checkUnavailable(t, "Open", err, time.Since(start), addr, "AlterTimeout")
}

func TestCallsToStuckAlphaAreUnavailable(t *testing.T) {
	addr := startStuckAlpha(t)
	ctx := context.Background()
	s, err := dgraphstore.Open(ctx, dgraphstore.Config{Addrs: []string{addr}, CallTimeout: callTimeout, UIDCache: -1})
	if err != nil {
		t.Fatalf("Open on an alpha that answers alters: %v", err)
	}
	defer s.Close()
	page := deps.PageDeps{Wiki: "enwiki", Page: deps.PageRef{ID: 1, Title: "Alpha"}, RevID: 1, Templates: []string{"Template:Box"}}
	calls := []struct {
		name string
		call func(context.Context) error
	}{
		{"PutPage", func(ctx context.Context) error { _, err := s.PutPage(ctx, page); return err }},
		{"PutPages", func(ctx context.Context) error { _, err := s.PutPages(ctx, []deps.PageDeps{page}); return err }},
		{"DeletePage", func(ctx context.Context) error { _, err := s.DeletePage(ctx, "enwiki", "Alpha"); return err }},
		{"Page", func(ctx context.Context) error { _, _, err := s.Page(ctx, "enwiki", "Alpha"); return err }},
		{"Dependents", func(ctx context.Context) error {
			_, _, err := s.Dependents(ctx, deps.Query{Wiki: "enwiki", Edge: deps.Transcludes, Target: "Template:Box"})
			return err
		}},
		{"Dependents of an entity", func(ctx context.Context) error {
			_, _, err := s.Dependents(ctx, deps.Query{Edge: deps.UsesEntity, Target: "Q42"})
			return err
		}},
	}
	for _, c := range calls {
		start := time.Now()
		err := c.call(ctx)
		checkUnavailable(t, c.name, err, time.Since(start), addr, "CallTimeout")
	}

	// A caller's deadline shorter than CallTimeout still applies, and the
	// caller gets its own context's error, which is not retriable.
	s2, err := dgraphstore.Open(ctx, dgraphstore.Config{Addrs: []string{addr}, CallTimeout: hung})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	short, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	start := time.Now()
	_, _, err = s2.Page(short, "enwiki", "Alpha")
	if !errors.Is(err, context.DeadlineExceeded) || deps.Retriable(err) {
		t.Fatalf("Page with a caller deadline: %v, want context.DeadlineExceeded", err)
	}
	if took := time.Since(start); took >= hung {
		t.Errorf("Page with a %v caller deadline took %v", callTimeout, took)
	}
}
