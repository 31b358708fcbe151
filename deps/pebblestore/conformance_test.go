package pebblestore_test

import (
	"testing"

	"github.com/ripplestream/ripple/deps"
	"github.com/ripplestream/ripple/deps/depstest"
	"github.com/ripplestream/ripple/deps/pebblestore"
)

// TestConformance runs the deps.Store conformance suite on a Pebble store in
// a temporary directory.
func TestConformance(t *testing.T) {
	depstest.Run(t, func(t *testing.T) depstest.Opener {
		dir := t.TempDir()
		return func(t *testing.T) deps.Store {
			s, err := pebblestore.Open(pebblestore.Config{Dir: dir})
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			return s
		}
	})
}
