package depstest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ripplestream/ripple/deps"
)

// Articles generates the page-dependency events of typical articles for
// benchmarks: 12 templates, 60 links, 2 files and 3 entities each. Event i
// is a revision of article i mod Pages; the first Pages events are first
// parses, later ones new revisions that change one template, one link and
// one statement aspect.
type Articles struct {
	pool []deps.PageDeps
}

// NewArticles prepares the events of pages articles, so that generating
// them costs a benchmark little.
func NewArticles(pages int) *Articles {
	a := &Articles{pool: make([]deps.PageDeps, pages)}
	for i := range a.pool {
		n := int64(i)
		p := deps.PageDeps{Wiki: "enwiki", Page: deps.PageRef{ID: n + 1, Title: fmt.Sprintf("Article_%d", n)}}
		for j := range int64(12) {
			p.Templates = append(p.Templates, fmt.Sprintf("Template:T%d", (n*j)%500))
		}
		for j := range int64(60) {
			p.Links = append(p.Links, fmt.Sprintf("Article_%d", (n*31+j*7)%1_000_000))
		}
		p.Files = []string{fmt.Sprintf("File:F%d.jpg", n%1000), "File:Logo.svg"}
		for j := range int64(3) {
			p.Entities = append(p.Entities, deps.EntityUsage{
				ID:      deps.EntityID(fmt.Sprintf("Q%d", 1+(n+j)%10000)),
				Aspects: []deps.Aspect{"S", "L.en", "C.P31"},
			})
		}
		a.pool[i] = p
	}
	return a
}

// Event returns event i.
func (a *Articles) Event(i int64) deps.PageDeps {
	p := a.pool[i%int64(len(a.pool))]
	rev := i/int64(len(a.pool)) + 1
	p.RevID = rev
	p.Templates = slices.Clone(p.Templates)
	p.Templates[0] = "Template:Rev" + revSuffix(rev)
	p.Links = slices.Clone(p.Links)
	p.Links[0] = "Revision_link_" + revSuffix(rev)
	p.Entities = slices.Clone(p.Entities)
	p.Entities[0].Aspects = []deps.Aspect{"S", "L.en", deps.Aspect("C.P" + revSuffix(rev))}
	return p
}

// revSuffix cycles through 16 values: a revision's changes revert those of
// the revision 16 before.
func revSuffix(rev int64) string { return fmt.Sprint(1 + rev%cycle) }

// Unchanged returns the i-th new revision that changes nothing, once
// events from to from+Pages()-1 are stored: a revision of the page of
// event from + i mod Pages() with the same dependencies as that event, as
// most edits of an article are.
func (a *Articles) Unchanged(from, i int64) deps.PageDeps {
	n := int64(len(a.pool))
	return a.Event(from + i%n + cycle*n*(1+i/n))
}

// AfterUnchanged returns the first event whose revision is newer than
// those of Unchanged(from, 0) to Unchanged(from, count-1).
func (a *Articles) AfterUnchanged(from, count int64) int64 {
	n := int64(len(a.pool))
	return from + n*(2+cycle*(1+count/n))
}

// cycle is the period of revSuffix.
const cycle = 16

// BenchPutPage stores b.N events of a with workers goroutines and reports
// events/s. With batch > 1 each worker stores batch events at a time with
// deps.PutPages.
func BenchPutPage(b *testing.B, s deps.Store, a *Articles, workers, batch int) {
	b.Helper()
	b.ReportMetric(BenchPutEvents(b, s, a.Event, workers, batch), "events/s")
}

// BenchPutPages stores events from to from+b.N-1 of a with deps.PutPages,
// batch events a call, from workers goroutines, and reports pages/s. Events
// from a.Pages() on are new revisions of stored pages; from below it, first
// parses.
func BenchPutPages(b *testing.B, s deps.Store, a *Articles, from int64, workers, batch int) {
	b.Helper()
	b.ReportMetric(BenchPutEvents(b, s, func(i int64) deps.PageDeps { return a.Event(from + i) }, workers, batch), "pages/s")
}

// Pages returns the number of articles of a: event i is the first parse
// of article i when i < Pages, a new revision of article i mod Pages
// otherwise.
func (a *Articles) Pages() int { return len(a.pool) }

// BenchPutEvents stores event(0) to event(b.N-1) from workers goroutines,
// each event with its own PutPage call when batch is 1, else batch events
// at a time with deps.PutPages, and returns how many a second.
func BenchPutEvents(b *testing.B, s deps.Store, event func(int64) deps.PageDeps, workers, batch int) float64 {
	b.Helper()
	batch = max(batch, 1)
	var seq atomic.Int64
	ctx := context.Background()
	n := int64(b.N)
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for first := seq.Add(int64(batch)) - int64(batch); first < n; first = seq.Add(int64(batch)) - int64(batch) {
				pages := make([]deps.PageDeps, 0, batch)
				for i := first; i < min(first+int64(batch), n); i++ {
					pages = append(pages, event(i))
				}
				var err error
				if batch == 1 {
					_, err = s.PutPage(ctx, pages[0])
				} else {
					_, err = deps.PutPages(ctx, s, pages)
				}
				if err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	return float64(b.N) / time.Since(start).Seconds()
}

// BenchDependents runs b.Loop, each iteration a full traversal of the
// dependents of q with q.Limit, and reports dependents/s. want is the number
// of dependents each traversal must find.
func BenchDependents(b *testing.B, s deps.Store, q deps.Query, want int) {
	b.Helper()
	ctx := context.Background()
	for b.Loop() {
		q := q
		n := 0
		for {
			page, next, err := s.Dependents(ctx, q)
			if err != nil {
				b.Fatal(err)
			}
			n += len(page)
			if next == "" {
				break
			}
			q.After = next
		}
		if n != want {
			b.Fatalf("%d dependents, want %d", n, want)
		}
	}
	b.ReportMetric(float64(want)*float64(b.N)/b.Elapsed().Seconds(), "dependents/s")
}
