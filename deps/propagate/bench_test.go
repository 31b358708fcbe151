package propagate_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ripplestream/ripple/deps"
	"github.com/ripplestream/ripple/deps/pebblestore"
	"github.com/ripplestream/ripple/deps/propagate"
)

// fanoutPages is the number of pages transcluding the benchmark template.
const fanoutPages = 100_000

// loadFanout stores fanoutPages articles that all transclude
// Template:Popular, in batches of PutPage calls.
func loadFanout(b *testing.B, store deps.Store) {
	b.Helper()
	ctx := context.Background()
	for i := range fanoutPages {
		p := deps.PageDeps{Wiki: "enwiki", RevID: 1, Page: deps.PageRef{ID: int64(i + 1), Title: fmt.Sprintf("Article_%06d", i)},
			Templates: []string{"Template:Popular"}}
		if _, err := store.PutPage(ctx, p); err != nil {
			b.Fatal(err)
		}
	}
}

// benchFanout measures an edit of Template:Popular: the time to compute its
// whole purge set through the engine (store reads included), in batches of
// 1,000 as the changeprop job does.
func benchFanout(b *testing.B, store deps.Store) {
	e, err := propagate.New(store, propagate.Config{BatchSize: 1000})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ResetTimer()
	for range b.N {
		now, f, err := e.Begin(ctx, propagate.Change{Kind: propagate.PageEdit, Wiki: "enwiki",
			Page: deps.PageRef{Namespace: deps.NamespaceTemplate, Title: "Template:Popular"}})
		if err != nil {
			b.Fatal(err)
		}
		n := len(now)
		if err := e.Run(ctx, f, func(propagate.Purge) error { n++; return nil }); err != nil {
			b.Fatal(err)
		}
		if n != fanoutPages+1 {
			b.Fatalf("purged %d pages, want %d", n, fanoutPages+1)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/fanout")
}

// BenchmarkFanout: go test -run '^$' -bench BenchmarkFanout ./deps/propagate/
func BenchmarkFanout(b *testing.B) {
	b.Run("pebble", func(b *testing.B) {
		store, err := pebblestore.Open(pebblestore.Config{Dir: b.TempDir()})
		if err != nil {
			b.Fatal(err)
		}
		defer store.Close()
		loadFanout(b, store)
		benchFanout(b, store)
	})
}

// BenchmarkEvents measures turning one purge into its output events: the
// site lookup, the title's encoding, the events themselves.
func BenchmarkEvents(b *testing.B) {
	f := &propagate.Fanout{TriggeredBy: "mediawiki.page_change.v1:https://en.wikipedia.org/wiki/Template:Popular"}
	p := propagate.Purge{Wiki: "enwiki", Page: deps.PageRef{ID: 1, Title: "Iris_foetidissima_(fruit),_Zürich"}, Rule: propagate.RuleTransclusion,
		Path: []string{"edit of enwiki:Template:Popular"}}
	for _, mobile := range []bool{false, true} {
		b.Run(fmt.Sprintf("mobile=%v", mobile), func(b *testing.B) {
			t := propagate.Targets{Sites: propagate.WikimediaSites(), Mobile: mobile}
			now := time.Now()
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := f.Events(p, t, now); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSharedFileFanout measures an edit of a Commons file used by
// fanoutPages pages spread over 50 wikis, 10 of which have a file of that
// name of their own: the engine reads the file's users on every wiki and
// keeps those of the 40 others and of Commons.
// go test -run '^$' -bench BenchmarkSharedFileFanout ./deps/propagate/
func BenchmarkSharedFileFanout(b *testing.B) {
	const wikis, local = 50, 10
	store, err := pebblestore.Open(pebblestore.Config{Dir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	ctx := context.Background()
	wiki := func(i int) string {
		if i == 0 {
			return propagate.DefaultFileRepository
		}
		return fmt.Sprintf("wiki%02d", i)
	}
	var batch []deps.PageDeps
	for i := range fanoutPages {
		batch = append(batch, deps.PageDeps{Wiki: wiki(i % wikis), RevID: 1, Page: deps.PageRef{ID: int64(i + 1), Title: fmt.Sprintf("Article_%06d", i)},
			Files: []string{"File:Popular.jpg"}})
		if len(batch) == 1000 {
			if _, err := deps.PutPages(ctx, store, batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	for i := 1; i <= local; i++ {
		p := deps.PageDeps{Wiki: wiki(i), RevID: 1, Page: deps.PageRef{ID: 1, Namespace: deps.NamespaceFile, Title: "File:Popular.jpg"}}
		if _, err := store.PutPage(ctx, p); err != nil {
			b.Fatal(err)
		}
	}
	e, err := propagate.New(store, propagate.Config{BatchSize: 1000})
	if err != nil {
		b.Fatal(err)
	}
	want := fanoutPages/wikis*(wikis-local) + 1
	b.ResetTimer()
	for range b.N {
		now, f, err := e.Begin(ctx, propagate.Change{Kind: propagate.PageEdit, Wiki: propagate.DefaultFileRepository,
			Page: deps.PageRef{Namespace: deps.NamespaceFile, Title: "File:Popular.jpg"}})
		if err != nil {
			b.Fatal(err)
		}
		n := len(now)
		if err := e.Run(ctx, f, func(propagate.Purge) error { n++; return nil }); err != nil {
			b.Fatal(err)
		}
		if n != want {
			b.Fatalf("purged %d pages, want %d", n, want)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/fanout")
}
