//go:build integration

package dgraphstore

import (
	"bytes"
	"compress/flate"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dgraph-io/dgo/v230/protos/api"

	"github.com/ripplestream/ripple/deps"
	"github.com/ripplestream/ripple/internal/testenv"
)

// openTest opens a store under a fresh prefix, dropped when t ends, and
// returns it with its config, to open more stores on the same prefix.
func openTest(t *testing.T, cfg Config) (*Store, Config) {
	t.Helper()
	var r [6]byte
	if _, err := rand.Read(r[:]); err != nil {
		t.Fatal(err)
	}
	cfg.Addrs, cfg.Prefix = []string{testenv.Dgraph(t)}, "depstest_"+hex.EncodeToString(r[:])
	s := openCfg(t, cfg)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := s.DropPredicates(ctx); err != nil {
			t.Errorf("drop: %v", err)
		}
	})
	return s, cfg
}

// openCfg opens a store on cfg, closed when t ends.
func openCfg(t *testing.T, cfg Config) *Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestLegacyPage reads and replaces a page written by an earlier version of
// the store: edges and facets, but no edges value.
func TestLegacyPage(t *testing.T) {
	s, _ := openTest(t, Config{})
	ctx := context.Background()
	p := s.p
	page := deps.PageRef{ID: 7, Title: "Old"}
	quads := fmt.Sprintf(`_:p <%[1]s> "enwiki|Old" .
_:p <%[2]s> "enwiki" .
_:p <%[3]s> "3" .
_:p <%[4]s> %[9]q .
_:t1 <%[1]s> "enwiki|Template:Gone" .
_:t2 <%[1]s> "enwiki|Template:Kept" .
_:l <%[1]s> "enwiki|Linked" .
_:q <%[1]s> "Q42" .
_:p <%[5]s> _:t1 .
_:p <%[5]s> _:t2 .
_:p <%[6]s> _:l .
_:p <%[7]s> _:q (%[8]s="L.en S") .
`, p.key, p.wiki, p.rev, p.ref, p.edge[deps.Transcludes], p.edge[deps.LinksTo], p.edge[deps.UsesEntity], aspectsFacet,
		encodeRef("enwiki", page))
	if _, err := s.dg().NewTxn().Mutate(ctx, &api.Mutation{SetNquads: []byte(quads), CommitNow: true}); err != nil {
		t.Fatal(err)
	}
	want := deps.PageDeps{Wiki: "enwiki", Page: page, RevID: 3, Templates: []string{"Template:Gone", "Template:Kept"},
		Links: []string{"Linked"}, Files: []string{}, Entities: []deps.EntityUsage{{ID: "Q42", Aspects: []deps.Aspect{"L.en", "S"}}}}
	got, ok, err := s.Page(ctx, "enwiki", "Old")
	if err != nil || !ok || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("Page of a legacy page = %+v, %v, %v; want %+v", got, ok, err, want)
	}
	next := deps.PageDeps{Wiki: "enwiki", Page: page, RevID: 4, Templates: []string{"Template:Kept"}, Links: []string{"Linked"},
		Entities: []deps.EntityUsage{{ID: "Q42", Aspects: []deps.Aspect{"S"}}}}
	r, err := s.PutPage(ctx, next)
	if err != nil || !r.Applied || r.PrevRevID != 3 || fmt.Sprint(r.Removed) != "[{transcludes Template:Gone []} {uses_entity Q42 [L.en]}]" || len(r.Added) != 0 {
		t.Fatalf("PutPage over a legacy page = %+v, %v", r, err)
	}
	for target, want := range map[string]int{"Template:Gone": 0, "Template:Kept": 1} {
		ds, _, err := s.Dependents(ctx, deps.Query{Wiki: "enwiki", Edge: deps.Transcludes, Target: target})
		if err != nil || len(ds) != want {
			t.Errorf("transcluders of %s: %+v, %v; want %d", target, ds, err, want)
		}
	}
	ds, _, err := s.Dependents(ctx, deps.Query{Wiki: "enwiki", Edge: deps.UsesEntity, Target: "Q42", Aspects: []deps.Aspect{"L.en"}})
	if err != nil || len(ds) != 0 {
		t.Errorf("users of Q42 L.en after the put: %+v, %v", ds, err)
	}
	// The put wrote the edges value: the page is read without its edges.
	sts, err := s.readPages(ctx, s.dg().NewReadOnlyTxn(), []pageName{{"enwiki", "Old"}}, s.newResolver())
	if err != nil || !sts[0].found || sts[0].legacy {
		t.Errorf("after the put: %+v, %v; want a page with its edges value", sts, err)
	}
}

// TestEarlierVersions reads and replaces pages written by earlier
// versions of the store: v1 kept the rev in the rev predicate and the
// DEFLATE'd edges alone in the edges value; v2 the rev, namespace and id in
// the edges value, with the edges DEFLATE'd.
func TestEarlierVersions(t *testing.T) {
	page := deps.PageRef{ID: 7, Namespace: 2, Title: "Old"}
	const lines = "1Template:Kept\n2Linked\n4Q1 L.en S"
	for _, v := range []struct{ name, rev, edges string }{
		{"v1", "3", edgeSetV1 + deflated(lines)},
		{"v2", "", edgeSetV2 + "3:2:7:" + deflated(lines)},
	} {
		t.Run(v.name, func(t *testing.T) {
			s, cfg := openTest(t, Config{})
			ctx := context.Background()
			storeOldPage(t, s, page, v.rev, v.edges)
			got, ok, err := s.Page(ctx, "enwiki", "Old")
			want := deps.PageDeps{Wiki: "enwiki", Page: page, RevID: 3, Templates: []string{"Template:Kept"}, Links: []string{"Linked"},
				Files: []string{}, Entities: []deps.EntityUsage{{ID: "Q1", Aspects: []deps.Aspect{"L.en", "S"}}}}
			if err != nil || !ok || fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("Page = %+v, %v, %v; want %+v", got, ok, err, want)
			}
			next := deps.PageDeps{Wiki: "enwiki", Page: page, RevID: 4, Templates: []string{"Template:Kept"},
				Entities: []deps.EntityUsage{{ID: "Q1", Aspects: []deps.Aspect{"S"}}}}
			r, err := s.PutPage(ctx, next)
			if err != nil || !r.Applied || r.PrevRevID != 3 || fmt.Sprint(r.Removed) != "[{links_to Linked []} {uses_entity Q1 [L.en]}]" || len(r.Added) != 0 {
				t.Fatalf("PutPage = %+v, %v", r, err)
			}
			// The put wrote the current version, with the rev; a store that
			// knows no uid reads the page by key.
			for _, st := range []*Store{s, openCfg(t, cfg)} {
				sts, err := st.readPages(ctx, st.dg().NewReadOnlyTxn(), []pageName{{"enwiki", "Old"}}, st.newResolver())
				if err != nil || !sts[0].found || sts[0].oldRev || sts[0].rev != 4 || sts[0].ref != encodeRef("enwiki", page) {
					t.Errorf("after the put: %+v, %v; want rev 4 in the edges value", sts, err)
				}
			}
			p := s.p
			resp, err := s.dg().NewReadOnlyTxn().Query(ctx, fmt.Sprintf(`{ p(func: eq(%s, "enwiki|Old")) { rev: %s e: %s } }`, p.key, p.rev, p.edges))
			if err != nil || !strings.HasPrefix(string(resp.GetJson()), `{"p":[{"e":"`+edgeSetVersion+"4:2:7:") {
				t.Errorf("rev and edges value after the put: %s, %v; want no rev and a value of %s with rev 4", resp.GetJson(), err, edgeSetVersion)
			}
			if r, err := s.PutPage(ctx, deps.PageDeps{Wiki: "enwiki", Page: page, RevID: 4}); err != nil || r.Applied || r.PrevRevID != 4 {
				t.Errorf("PutPage of the stored rev = %+v, %v; want not applied, previous rev 4", r, err)
			}
			for _, q := range []struct {
				edge   deps.EdgeKind
				target string
				want   int
			}{{deps.Transcludes, "Template:Kept", 1}, {deps.LinksTo, "Linked", 0}} {
				ds, _, err := s.Dependents(ctx, deps.Query{Wiki: "enwiki", Edge: q.edge, Target: q.target, Limit: 10})
				if err != nil || len(ds) != q.want {
					t.Errorf("dependents of %s after the put: %+v, %v; want %d", q.target, ds, err, q.want)
				}
			}
		})
	}
}

// storeOldPage writes page enwiki:Old as an earlier version of the store
// did: its key, wiki, ref and edges value, its rev unless rev is empty,
// and its edges to Template:Kept, Linked and Q1 (aspects L.en and S).
func storeOldPage(t *testing.T, s *Store, page deps.PageRef, rev, edges string) {
	t.Helper()
	p := s.p
	quads := fmt.Sprintf(`_:p <%[1]s> "enwiki|Old" .
_:p <%[2]s> "enwiki" .
_:p <%[3]s> %[7]q .
_:p <%[4]s> %[8]q .
_:t <%[1]s> "enwiki|Template:Kept" .
_:l <%[1]s> "enwiki|Linked" .
_:q <%[1]s> "Q1" .
_:p <%[5]s> _:t .
_:p <%[6]s> _:l .
_:p <%[9]s> _:q (%[10]s="L.en S") .
`, p.key, p.wiki, p.ref, p.edges, p.edge[deps.Transcludes], p.edge[deps.LinksTo],
		encodeRef("enwiki", page), edges, p.edge[deps.UsesEntity], aspectsFacet)
	if rev != "" {
		quads += fmt.Sprintf("_:p <%s> %q .\n", p.rev, rev)
	}
	if _, err := s.dg().NewTxn().Mutate(context.Background(), &api.Mutation{SetNquads: []byte(quads), CommitNow: true}); err != nil {
		t.Fatal(err)
	}
}

// deflated returns the unpadded base64 of text DEFLATE'd, as edges values
// before edgeSetVersion hold it.
func deflated(text string) string {
	var b bytes.Buffer
	w, _ := flate.NewWriter(&b, flate.BestSpeed)
	w.Write([]byte(text))
	w.Close()
	return base64.RawStdEncoding.EncodeToString(b.Bytes())
}

// TestConcurrentStores writes pages that share new targets through several
// stores on one prefix at once, each with its own uid cache: every target
// must end up one node, with every dependent.
func TestConcurrentStores(t *testing.T) {
	first, cfg := openTest(t, Config{MaxBatch: 20})
	stores := []*Store{first, openCfg(t, cfg), openCfg(t, cfg)}
	const pages = 60
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	for w, s := range stores {
		wg.Go(func() {
			for round := range 3 {
				var batch []deps.PageDeps
				for i := range pages {
					batch = append(batch, deps.PageDeps{Wiki: "enwiki", RevID: int64(round*10 + w + 1),
						Page:      deps.PageRef{ID: int64(i), Title: fmt.Sprintf("P%d_%d", w, i)},
						Templates: []string{"Template:Shared", fmt.Sprintf("Template:R%d", round)},
						Links:     []string{fmt.Sprintf("L%d", i%7), fmt.Sprintf("P%d_%d", (w+1)%len(stores), i)}})
				}
				if _, err := s.PutPages(ctx, batch); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	count := func(target string, kind deps.EdgeKind) int {
		n := 0
		q := deps.Query{Wiki: "enwiki", Edge: kind, Target: target, Limit: deps.MaxLimit}
		for {
			ds, next, err := stores[0].Dependents(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			n += len(ds)
			if next == "" {
				return n
			}
			q.After = next
		}
	}
	all := len(stores) * pages
	l3 := 0 // pages with link L3
	for i := range pages {
		if i%7 == 3 {
			l3 += len(stores)
		}
	}
	for target, want := range map[string]int{"Template:Shared": all, "Template:R2": all, "Template:R0": 0, "L3": l3, "P1_5": 1} {
		kind := deps.Transcludes
		if target[0] != 'T' {
			kind = deps.LinksTo
		}
		if got := count(target, kind); got != want {
			t.Errorf("dependents of %s: %d, want %d", target, got, want)
		}
	}
	resp, err := first.dg().NewReadOnlyTxn().Query(ctx, fmt.Sprintf(`{ n(func: has(%s)) { count(uid) } }`, first.p.key))
	if err != nil {
		t.Fatal(err)
	}
	// Pages, 7 link targets, Template:Shared and R0 to R2.
	if want := fmt.Sprintf(`{"n":[{"count":%d}]}`, all+7+1+3); string(resp.Json) != want {
		t.Errorf("nodes: %s, want %s", resp.Json, want)
	}
}
