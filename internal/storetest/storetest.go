// Package storetest runs a test against each deps.Store ripple ships: an
// embedded Pebble store in a temporary directory and the real Dgraph named
// by RIPPLE_DGRAPH_GRPC (testenv.Dgraph), under a predicate prefix of its
// own that is dropped when the test ends.
package storetest

import (
	"context"
	"crypto/rand"
	"testing"
	"time"

	"github.com/ripplestream/ripple/deps"
	"github.com/ripplestream/ripple/deps/dgraphstore"
	"github.com/ripplestream/ripple/deps/pebblestore"
	"github.com/ripplestream/ripple/internal/testenv"
)

// Each runs f as a subtest per store ("pebble", "dgraph"); prefix names
// the Dgraph predicates. With parallel, the subtests run side by side (f
// must then use names of its own, such as testenv.Name's).
func Each(t *testing.T, prefix string, parallel bool, f func(t *testing.T, store deps.Store)) {
	for _, st := range []struct {
		name string
		open func(t *testing.T) deps.Store
	}{
		{"pebble", Pebble},
		{"dgraph", func(t *testing.T) deps.Store { return Dgraph(t, prefix) }},
	} {
		t.Run(st.name, func(t *testing.T) {
			if parallel {
				t.Parallel()
			}
			f(t, st.open(t)) // the store closes when t ends, after what f started
		})
	}
}

// Pebble opens an embedded store in a temporary directory, closed when t
// ends.
func Pebble(t *testing.T) deps.Store {
	s, err := pebblestore.Open(pebblestore.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Dgraph opens a store on the real Dgraph under prefix and a random
// suffix; its predicates are dropped and it is closed when t ends.
func Dgraph(t *testing.T, prefix string) deps.Store {
	cfg := dgraphstore.Config{Addrs: []string{testenv.Dgraph(t)}, Prefix: prefix + rand.Text()}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := dgraphstore.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := s.DropPredicates(ctx); err != nil {
			t.Errorf("dropping %s: %v", cfg.Prefix, err)
		}
		s.Close()
	})
	return s
}
