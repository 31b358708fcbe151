package workload_test

import (
	"context"
	"testing"
	"time"

	"github.com/ripplestream/ripple/deps/pebblestore"
	"github.com/ripplestream/ripple/deps/workload"
)

func TestPebbleMatchesOracle(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		w, err := workload.Generate(workload.Config{Seed: seed, Pages: 1500, Templates: 150, Entities: 300, Changes: 2000})
		if err != nil {
			t.Fatal(err)
		}
		store, err := pebblestore.Open(pebblestore.Config{Dir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		score, sum, err := workload.Evaluate(context.Background(), w, store, time.Hour)
		store.Close()
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("seed %d: %v; %v", seed, score, sum)
		if score.FalsePositives != 0 || score.FalseNegatives != 0 || score.TruePositives == 0 {
			t.Fatalf("seed %d: not exact: %v", seed, score)
		}
		if score.Reduction() < 2 {
			t.Errorf("seed %d: only %.1fx fewer purges than the broad approach", seed, score.Reduction())
		}
	}
}

func TestGenerateIsDeterministic(t *testing.T) {
	a, _ := workload.Generate(workload.Config{Seed: 9, Pages: 100, Templates: 10, Entities: 20, Changes: 200})
	b, _ := workload.Generate(workload.Config{Seed: 9, Pages: 100, Templates: 10, Entities: 20, Changes: 200})
	ea, ba := a.Totals()
	eb, bb := b.Totals()
	if len(a.Lines) != len(b.Lines) || ea != eb || ba != bb {
		t.Fatalf("same seed, different workloads: %d/%d lines, %d/%d exact, %d/%d broad", len(a.Lines), len(b.Lines), ea, eb, ba, bb)
	}
}
