//go:build integration

package dgraphstore_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"
	"time"

	"github.com/ripplestream/ripple/deps"
	"github.com/ripplestream/ripple/deps/depstest"
	"github.com/ripplestream/ripple/deps/dgraphstore"
	"github.com/ripplestream/ripple/internal/testenv"
)

// TestConformance runs the deps.Store conformance suite on the real Dgraph,
// each case under its own predicate prefix, dropped when the case ends.
func TestConformance(t *testing.T) {
	addr := testenv.Dgraph(t)
	depstest.Run(t, func(t *testing.T) depstest.Opener {
		cfg := dgraphstore.Config{Addrs: []string{addr}, Prefix: testPrefix(t)}
		t.Cleanup(func() { drop(t, cfg) })
		return func(t *testing.T) deps.Store { return open(t, cfg) }
	})
}

// testPrefix returns a predicate prefix unique to this run.
func testPrefix(t testing.TB) string {
	t.Helper()
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return "depstest_" + hex.EncodeToString(b[:])
}

// open opens a store on cfg, failing the test on error.
func open(t testing.TB, cfg dgraphstore.Config) *dgraphstore.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := dgraphstore.Open(ctx, cfg)
	if err != nil {
		t.Fatalf("Open(%+v): %v", cfg, err)
	}
	return s
}

// drop removes every predicate of cfg.Prefix.
func drop(t testing.TB, cfg dgraphstore.Config) {
	t.Helper()
	s := open(t, cfg)
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := s.DropPredicates(ctx); err != nil {
		t.Errorf("dropping the predicates of %s: %v", cfg.Prefix, err)
	}
}
