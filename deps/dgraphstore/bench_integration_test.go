//go:build integration

package dgraphstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dgraph-io/dgo/v230/protos/api"

	"github.com/ripplestream/ripple/deps"
	"github.com/ripplestream/ripple/deps/depstest"
	"github.com/ripplestream/ripple/internal/testenv"
)

// fanout is the number of pages that transclude the template of
// BenchmarkDependents.
const fanout = 100_000

// BenchmarkDependents pages through all 100k transcluders of one template
// on the real Dgraph; one op is a full traversal. The graph is bulk-loaded
// with plain mutations, in the store's schema, to keep the setup short.
func BenchmarkDependents(b *testing.B) {
	s := openBench(b, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	start := time.Now()
	if err := bulkFanout(ctx, s, "enwiki", "Template:Big", fanout); err != nil {
		b.Fatal(err)
	}
	b.Logf("loaded %d dependents in %v", fanout, time.Since(start))
	// One untimed traversal, so that the numbers are of a warm server.
	b.Run("warmup", func(b *testing.B) {
		q := deps.Query{Wiki: "enwiki", Edge: deps.Transcludes, Target: "Template:Big", Limit: deps.MaxLimit}
		depstest.BenchDependents(b, s, q, fanout)
	})
	for _, limit := range []int{deps.DefaultLimit, deps.MaxLimit} {
		b.Run(fmt.Sprintf("limit=%d", limit), func(b *testing.B) {
			q := deps.Query{Wiki: "enwiki", Edge: deps.Transcludes, Target: "Template:Big", Limit: limit}
			depstest.BenchDependents(b, s, q, fanout)
		})
	}
}

// BenchmarkFileDependentsEveryWiki pages through the 100k users of one
// file spread over 50 wikis on the real Dgraph, on every wiki at once (the
// users of a Commons file) and on one wiki. The pages are stored with
// PutPages, the store's own write path, which sets the file predicate.
func BenchmarkFileDependentsEveryWiki(b *testing.B) {
	const wikis = 50
	s := openBench(b, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	start := time.Now()
	var batch []deps.PageDeps
	for i := range fanout {
		batch = append(batch, deps.PageDeps{Wiki: fmt.Sprintf("wiki%02d", i%wikis), RevID: 1,
			Page: deps.PageRef{ID: int64(i + 1), Title: fmt.Sprintf("Article_%06d", i)}, Files: []string{"File:Popular.jpg"}})
		if len(batch) == 1000 {
			if _, err := s.PutPages(ctx, batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	b.Logf("stored %d file users in %v", fanout, time.Since(start))
	b.Run("warmup", func(b *testing.B) {
		q := deps.Query{Edge: deps.UsesFile, Target: "File:Popular.jpg", Limit: deps.MaxLimit}
		depstest.BenchDependents(b, s, q, fanout)
	})
	for _, limit := range []int{deps.DefaultLimit, deps.MaxLimit} {
		b.Run(fmt.Sprintf("every_wiki/limit=%d", limit), func(b *testing.B) {
			q := deps.Query{Edge: deps.UsesFile, Target: "File:Popular.jpg", Limit: limit}
			depstest.BenchDependents(b, s, q, fanout)
		})
	}
	b.Run("one_wiki/limit=1000", func(b *testing.B) {
		q := deps.Query{Wiki: "wiki07", Edge: deps.UsesFile, Target: "File:Popular.jpg", Limit: deps.DefaultLimit}
		depstest.BenchDependents(b, s, q, fanout/wikis)
	})
}

// BenchmarkPutPage stores page-dependency events of typical articles
// (depstest.Articles) on the real Dgraph, each with its own PutPage call,
// from one to 64 writers, as the partitions of the changeprop job call it:
// concurrent calls share transactions (group commit). In phase=load every
// event is the first parse of a new page; in phase=reparse a new revision
// of one of 4096 stored pages that changes three edges.
func BenchmarkPutPage(b *testing.B) {
	parent := b
	for _, workers := range []int{1, 16} {
		b.Run(fmt.Sprintf("phase=load/workers=%d", workers), func(b *testing.B) {
			var retries atomic.Int64
			s := openBench(b, slog.New(countingHandler{&retries}))
			depstest.BenchPutPage(b, s, depstest.NewArticles(b.N), workers, 1)
			b.ReportMetric(float64(retries.Load())/float64(b.N), "retries/op")
		})
	}
	articles := depstest.NewArticles(4096)
	var retries atomic.Int64
	var s *Store
	next := int64(articles.Pages())
	for _, workers := range []int{1, 4, 16, 64} {
		b.Run(fmt.Sprintf("phase=reparse/workers=%d", workers), func(b *testing.B) {
			if s == nil {
				s = openBenchFor(b, parent, slog.New(countingHandler{&retries}))
				loadArticles(b, s, articles)
			}
			retries.Store(0)
			from := next
			b.ReportMetric(depstest.BenchPutEvents(b, s, func(i int64) deps.PageDeps { return articles.Event(from + i) }, workers, 1), "events/s")
			next += int64(b.N)
			b.ReportMetric(float64(retries.Load())/float64(b.N), "retries/op")
		})
	}
}

// BenchmarkPutPages stores the events of BenchmarkPutPage in batches with
// PutPages and reports pages/s. In phase=load every event is the first
// parse of a new page, which creates the page and the targets it is the
// first to use (about 30 of its 77), from one and two writers; in
// phase=reparse the events are new revisions of 4096 stored pages, each
// changing three edges, from one, two and four writers; in
// phase=unchanged they are new revisions that change no edge, as most
// edits do.
func BenchmarkPutPages(b *testing.B) {
	parent := b
	for _, batch := range []int{100, 1000} {
		for _, workers := range []int{1, 2} {
			b.Run(fmt.Sprintf("phase=load/batch=%d/workers=%d", batch, workers), func(b *testing.B) {
				articles := depstest.NewArticles(b.N)
				var retries atomic.Int64
				s := openBench(b, slog.New(countingHandler{&retries}))
				depstest.BenchPutPages(b, s, articles, 0, workers, batch)
				b.ReportMetric(float64(retries.Load())/float64(b.N), "retries/op")
			})
		}
	}
	// The reparse runs share one store, loaded once; each run continues
	// with the revisions after those of the previous run.
	articles := depstest.NewArticles(4096)
	var retries atomic.Int64
	var s *Store
	next := int64(articles.Pages())
	shared := func(b *testing.B) {
		if s == nil {
			s = openBenchFor(b, parent, slog.New(countingHandler{&retries}))
			loadArticles(b, s, articles)
		}
	}
	for _, batch := range []int{100, 1000} {
		for _, workers := range []int{1, 2, 4} {
			b.Run(fmt.Sprintf("phase=reparse/batch=%d/workers=%d", batch, workers), func(b *testing.B) {
				shared(b)
				retries.Store(0)
				depstest.BenchPutPages(b, s, articles, next, workers, batch)
				next += int64(b.N)
				b.ReportMetric(float64(retries.Load())/float64(b.N), "retries/op")
			})
		}
	}
	// Most edits change no dependency: after one pass of new revisions,
	// revisions that repeat the stored sets.
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("phase=unchanged/batch=1000/workers=%d", workers), func(b *testing.B) {
			shared(b)
			from := next
			pass := make([]deps.PageDeps, articles.Pages())
			for i := range pass {
				pass[i] = articles.Event(from + int64(i))
			}
			if _, err := s.PutPages(context.Background(), pass); err != nil {
				b.Fatal(err)
			}
			retries.Store(0)
			unchanged := func(i int64) deps.PageDeps { return articles.Unchanged(from, i) }
			b.ReportMetric(depstest.BenchPutEvents(b, s, unchanged, workers, 1000), "pages/s")
			next = articles.AfterUnchanged(from, int64(b.N))
			b.ReportMetric(float64(retries.Load())/float64(b.N), "retries/op")
		})
	}
}

// loadArticles stores the first parse of every article of a.
func loadArticles(b *testing.B, s *Store, a *depstest.Articles) {
	b.Helper()
	pages := make([]deps.PageDeps, a.Pages())
	for i := range pages {
		pages[i] = a.Event(int64(i))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	start := time.Now()
	if _, err := s.PutPages(ctx, pages); err != nil {
		b.Fatal(err)
	}
	b.Logf("loaded %d articles in %v", len(pages), time.Since(start))
}

// openBench opens a store under a fresh prefix, dropped at the end of b.
func openBench(b *testing.B, logger *slog.Logger) *Store {
	b.Helper()
	return openBenchFor(b, b, logger)
}

// openBenchFor opens a store under a fresh prefix, failing b on error, and
// drops it at the end of owner (b or a parent of b).
func openBenchFor(b, owner *testing.B, logger *slog.Logger) *Store {
	b.Helper()
	var r [6]byte
	if _, err := rand.Read(r[:]); err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := Open(ctx, Config{Addrs: []string{testenv.Dgraph(b)}, Prefix: "depsbench_" + hex.EncodeToString(r[:]), Logger: logger})
	if err != nil {
		b.Fatal(err)
	}
	owner.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := s.DropPredicates(ctx); err != nil {
			owner.Errorf("drop: %v", err)
		}
		s.Close()
	})
	return s
}

// bulkFanout creates n stored pages of wiki that transclude target, in
// batches of plain mutations.
func bulkFanout(ctx context.Context, s *Store, wiki, target string, n int) error {
	const batch = 5000
	tpl := map[string]any{"uid": "_:t", s.p.key: pageKey(wiki, target), s.p.wiki: wiki}
	tplUID, err := s.bulkSet(ctx, []map[string]any{tpl}, "t")
	if err != nil {
		return err
	}
	for from := 0; from < n; from += batch {
		nodes := make([]map[string]any, 0, batch)
		for i := from; i < min(from+batch, n); i++ {
			title := fmt.Sprintf("Page_%06d", i)
			nodes = append(nodes, map[string]any{
				s.p.key: pageKey(wiki, title), s.p.wiki: wiki, s.p.rev: 1,
				s.p.ref:                    encodeRef(wiki, deps.PageRef{ID: int64(i + 1), Title: title}),
				s.p.edge[deps.Transcludes]: []map[string]any{{"uid": tplUID}},
			})
		}
		if _, err := s.bulkSet(ctx, nodes, ""); err != nil {
			return err
		}
	}
	return nil
}

// bulkSet commits nodes and returns the uid of blank node name.
func (s *Store) bulkSet(ctx context.Context, nodes []map[string]any, name string) (string, error) {
	js, err := json.Marshal(nodes)
	if err != nil {
		return "", err
	}
	resp, err := s.dg().NewTxn().Mutate(ctx, &api.Mutation{SetJson: js, CommitNow: true})
	if err != nil {
		return "", err
	}
	return resp.Uids[name], nil
}

// countingHandler counts the log records of aborted transactions.
type countingHandler struct{ n *atomic.Int64 }

func (h countingHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h countingHandler) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h countingHandler) WithGroup(string) slog.Handler            { return h }
func (h countingHandler) Handle(_ context.Context, r slog.Record) error {
	if strings.Contains(r.Message, "aborted") {
		h.n.Add(1)
	}
	return nil
}
