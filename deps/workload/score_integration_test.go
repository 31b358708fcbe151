//go:build integration

package workload_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ripplestream/ripple/deps/dgraphstore"
	"github.com/ripplestream/ripple/deps/propagate"
	"github.com/ripplestream/ripple/deps/workload"
	"github.com/ripplestream/ripple/internal/testenv"
)

// TestDgraphMatchesOracle replays a generated workload into the real Dgraph
// and checks precision and recall are both 100%, with the default window.
func TestDgraphMatchesOracle(t *testing.T) {
	addr := testenv.Dgraph(t)
	w, err := workload.Generate(workload.Config{Seed: 4, Pages: 300, Templates: 40, Entities: 60, Changes: 400})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	store, err := dgraphstore.Open(ctx, dgraphstore.Config{Addrs: []string{addr}, Prefix: fmt.Sprintf("wl%d", time.Now().UnixNano())})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := store.DropPredicates(ctx); err != nil {
			t.Errorf("dropping test predicates: %v", err)
		}
		store.Close()
	}()
	score, sum, err := workload.Evaluate(ctx, w, store, propagate.DefaultWindow)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%v\n  %v", score, sum)
	exact(t, "Dgraph", score)
}
