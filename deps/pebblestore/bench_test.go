package pebblestore_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/ripplestream/ripple/deps"
	"github.com/ripplestream/ripple/deps/depstest"
	"github.com/ripplestream/ripple/deps/pebblestore"
)

// fanout is the number of pages that transclude the template of
// BenchmarkDependents.
const fanout = 100_000

// BenchmarkDependents pages through all 100k transcluders of one template;
// one op is a full traversal, the purge set of one template edit.
func BenchmarkDependents(b *testing.B) {
	s := openBench(b, pebblestore.Config{Dir: b.TempDir()})
	loadFanout(b, s, fanout)
	for _, limit := range []int{100, deps.DefaultLimit, deps.MaxLimit} {
		b.Run(fmt.Sprintf("limit=%d", limit), func(b *testing.B) {
			q := deps.Query{Wiki: "enwiki", Edge: deps.Transcludes, Target: "Template:Big", Limit: limit}
			depstest.BenchDependents(b, s, q, fanout)
		})
	}
}

// BenchmarkPutPage stores page-dependency events of typical articles
// (depstest.Articles), with and without fsync, from one and eight writers.
func BenchmarkPutPage(b *testing.B) {
	articles := depstest.NewArticles(4096)
	for _, sync := range []bool{false, true} {
		for _, workers := range []int{1, 8} {
			b.Run(fmt.Sprintf("sync=%v/workers=%d", sync, workers), func(b *testing.B) {
				s := openBench(b, pebblestore.Config{Dir: b.TempDir(), Sync: sync})
				depstest.BenchPutPage(b, s, articles, workers, 1)
			})
		}
	}
}

func openBench(b *testing.B, cfg pebblestore.Config) *pebblestore.Store {
	b.Helper()
	s, err := pebblestore.Open(cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// loadFanout stores n pages that transclude Template:Big.
func loadFanout(b *testing.B, s deps.Store, n int) {
	b.Helper()
	ctx := context.Background()
	var wg sync.WaitGroup
	const workers = 8
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n; i += workers {
				p := deps.PageDeps{Wiki: "enwiki", Page: deps.PageRef{ID: int64(i + 1), Title: fmt.Sprintf("Page_%06d", i)},
					RevID: 1, Templates: []string{"Template:Big", "Template:Cite_web"}}
				if _, err := s.PutPage(ctx, p); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
}
