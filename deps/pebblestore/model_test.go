package pebblestore_test

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/ripplestream/ripple/deps"
	"github.com/ripplestream/ripple/deps/pebblestore"
)

var (
	modelSeed = flag.Uint64("model.seed", 0, "seed of TestModel (0: time-based)")
	modelOps  = flag.Int("model.ops", 3000, "operations of TestModel")
)

// model is the in-memory reference: the stored pages by wiki and title.
type model map[[2]string]deps.PageDeps

// gen makes random operations over a small universe, so that pages share
// targets and revisions collide.
type gen struct{ r *rand.Rand }

var (
	wikis   = []string{"enwiki", "dewiki"}
	titles  = []string{"A", "B", "C", "Größe", "Template:T1", "Template:T2", "Module:M", "File:F.png", "東京", "A_b"}
	aspectP = []deps.Aspect{"S", "T", "O", "X", "L", "L.en", "L.de", "D.en", "C", "C.P31", "C.P18"}
	entityP = []deps.EntityID{"Q1", "Q2", "Q42", "P31", "L7-F1"}
)

func (g gen) pick(ss []string, max int) []string {
	var out []string
	for range g.r.IntN(max + 1) {
		out = append(out, ss[g.r.IntN(len(ss))])
	}
	return out
}

func (g gen) page() deps.PageDeps {
	p := deps.PageDeps{
		Wiki:      wikis[g.r.IntN(len(wikis))],
		Page:      deps.PageRef{ID: g.r.Int64N(5), Namespace: deps.Namespace(g.r.IntN(3)), Title: titles[g.r.IntN(len(titles))]},
		RevID:     1 + g.r.Int64N(12),
		Templates: g.pick(titles, 3),
		Links:     g.pick(titles, 4),
		Files:     g.pick(titles, 2),
	}
	for range g.r.IntN(3) {
		u := deps.EntityUsage{ID: entityP[g.r.IntN(len(entityP))]}
		for range g.r.IntN(4) {
			u.Aspects = append(u.Aspects, aspectP[g.r.IntN(len(aspectP))])
		}
		p.Entities = append(p.Entities, u)
	}
	return p
}

func (g gen) query() deps.Query {
	kind := deps.EdgeKinds()[g.r.IntN(4)]
	q := deps.Query{Wiki: wikis[g.r.IntN(len(wikis))], Edge: kind, Limit: 1 + g.r.IntN(6)}
	if kind != deps.UsesEntity {
		q.Target = titles[g.r.IntN(len(titles))]
		return q
	}
	q.Target = string(entityP[g.r.IntN(len(entityP))])
	if g.r.IntN(3) == 0 {
		q.Wiki = ""
	}
	for range g.r.IntN(3) {
		q.Aspects = append(q.Aspects, aspectP[g.r.IntN(len(aspectP))])
	}
	return q
}

// dependents answers q from the model in the Pebble store's order.
func (m model) dependents(q deps.Query) []deps.Dependent {
	var out []deps.Dependent
	for _, p := range m {
		if q.Wiki != "" && p.Wiki != q.Wiki {
			continue
		}
		for _, e := range p.Edges() {
			if e.Kind != q.Edge || e.Target != q.Target {
				continue
			}
			if aspects, ok := q.Select(e.Aspects); ok {
				out = append(out, deps.Dependent{Wiki: p.Wiki, Page: p.Page, Edge: e.Kind, Target: e.Target, Aspects: aspects})
			}
		}
	}
	slices.SortFunc(out, func(a, b deps.Dependent) int {
		return cmp.Or(cmp.Compare(a.Wiki, b.Wiki), cmp.Compare(a.Page.Title, b.Page.Title))
	})
	return out
}

// TestModel runs random PutPage, DeletePage and reopens against the store
// and the model, comparing every result and, after each operation, the
// Dependents of a random target and a random Page.
func TestModel(t *testing.T) {
	seed := *modelSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (rerun with -model.seed=%d)", seed, seed)
	g := gen{rand.New(rand.NewPCG(seed, seed))}
	dir := t.TempDir()
	open := func() *pebblestore.Store {
		s, err := pebblestore.Open(pebblestore.Config{Dir: dir, MemTableBytes: 256 << 10})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	s, m, ctx := open(), model{}, context.Background()
	defer func() { s.Close() }()
	for op := range *modelOps {
		switch r := g.r.IntN(100); {
		case r < 2:
			s.Close()
			s = open()
		case r < 15:
			p := g.page()
			checkDelete(t, op, s, m, p.Wiki, p.Page.Title)
		default:
			checkPut(t, op, s, m, g.page())
		}
		q := g.query()
		got := allDependents(t, s, q)
		if want := m.dependents(mustNormalize(t, q)); !reflect.DeepEqual(got, want) {
			t.Fatalf("op %d: Dependents(%+v):\n got %+v\nwant %+v", op, q, got, want)
		}
		p := g.page()
		got2, ok, err := s.Page(ctx, p.Wiki, p.Page.Title)
		want2, wantOK := m[[2]string{p.Wiki, p.Page.Title}]
		if err != nil || ok != wantOK || ok && !reflect.DeepEqual(got2, want2) {
			t.Fatalf("op %d: Page(%s, %s) = %+v, %v, %v; want %+v, %v", op, p.Wiki, p.Page.Title, got2, ok, err, want2, wantOK)
		}
	}
}

func checkPut(t *testing.T, op int, s deps.Store, m model, p deps.PageDeps) {
	t.Helper()
	n, err := p.Normalize(deps.CollapseLimits{})
	if err != nil {
		t.Fatal(err)
	}
	key := [2]string{n.Wiki, n.Page.Title}
	prev, found := m[key]
	want := deps.PutResult{PrevRevID: prev.RevID}
	if !found || prev.RevID < n.RevID {
		want.Applied = true
		want.Added, want.Removed = deps.Diff(prev, n)
		m[key] = n
	}
	got, err := s.PutPage(context.Background(), p)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("op %d: PutPage(%+v) = %+v, %v; want %+v", op, p, got, err, want)
	}
}

func checkDelete(t *testing.T, op int, s deps.Store, m model, wiki, title string) {
	t.Helper()
	key := [2]string{wiki, title}
	var want deps.PutResult
	if prev, found := m[key]; found {
		want = deps.PutResult{Applied: true, PrevRevID: prev.RevID, Removed: prev.Edges()}
		delete(m, key)
	}
	got, err := s.DeletePage(context.Background(), wiki, title)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("op %d: DeletePage(%s, %s) = %+v, %v; want %+v", op, wiki, title, got, err, want)
	}
}

// allDependents pages through q to the end.
func allDependents(t *testing.T, s deps.Store, q deps.Query) []deps.Dependent {
	t.Helper()
	var out []deps.Dependent
	for {
		page, next, err := s.Dependents(context.Background(), q)
		if err != nil {
			t.Fatalf("Dependents(%+v): %v", q, err)
		}
		out = append(out, page...)
		if next == "" {
			return out
		}
		q.After = next
	}
}

func mustNormalize(t *testing.T, q deps.Query) deps.Query {
	t.Helper()
	n, err := q.Normalize()
	if err != nil {
		t.Fatal(fmt.Errorf("query %+v: %w", q, err))
	}
	return n
}
