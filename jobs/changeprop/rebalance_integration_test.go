//go:build integration

package changeprop_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ripplestream/ripple/deps"
	"github.com/ripplestream/ripple/deps/pebblestore"
	"github.com/ripplestream/ripple/deps/propagate"
	"github.com/ripplestream/ripple/internal/jobtest"
	"github.com/ripplestream/ripple/internal/testenv"
	"github.com/ripplestream/ripple/jobs/changeprop"
	"github.com/ripplestream/ripple/processor"
)

// TestRebalanceChangeprop runs both changeprop jobs on one instance, starts
// a second instance in the middle of the walks of eight template edits
// (the partitions, with their walks and coalesce windows, move), sends
// dependency sets while both run, then stops the second (the partitions
// move back). Every transcluder of each edited template must be purged
// (the fan-out is at-least-once: a step in flight at a move may be
// walked again, and its purges coalesced); the graph must hold every
// dependency set sent, no more; nothing may go to a retry or error topic.
//
// The steps of the walks pass a gate that lets a few through before each
// move and none during the last, so each move falls in the middle of the
// walks however fast or slow the machine is, and a step waiting at the
// gate is cut short by the move: the event must be handled again by the
// partition's next owner, not sent to a retry topic (it once was, when a
// move cut a store call short).
func TestRebalanceChangeprop(t *testing.T) {
	const templates, perTemplate, batch, late, steps = 8, 200, 10, 100, 3 * 8
	kc := testenv.Kafka(t)
	graph, err := pebblestore.Open(pebblestore.Config{Dir: t.TempDir()}) // the graph both instances share
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { graph.Close() })
	store := newGatedStore(graph)
	ctx := context.Background()
	var pages []deps.PageDeps
	want := map[string]bool{}
	for tpl := range templates {
		title := fmt.Sprintf("Template:Hub%d", tpl)
		want["https://en.wikipedia.org/wiki/"+title] = true
		for i := range perTemplate {
			p := fmt.Sprintf("H%dP%04d", tpl, i)
			pages = append(pages, deps.PageDeps{Wiki: "enwiki", RevID: 1, Page: deps.PageRef{ID: int64(len(pages) + 1), Title: p}, Templates: []string{title}})
			want["https://en.wikipedia.org/wiki/"+p] = true
		}
	}
	if _, err := deps.PutPages(ctx, store, pages); err != nil {
		t.Fatal(err)
	}

	name := testenv.Name(t, "cpreb")
	cfg := changeprop.Config{
		Name: processor.Group(name), Store: store, Engine: propagate.Config{BatchSize: batch},
		Dependencies: processor.Stream(name + ".deps"), PageChanges: processor.Stream(name + ".pc"),
		EntityChanges: processor.Stream(name + ".ec"), Purges: processor.Stream(name + ".purges"),
		Rerenders: processor.Stream(name + ".rerenders"),
	}
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, s := range []processor.Stream{cfg.Dependencies, cfg.PageChanges, cfg.EntityChanges} {
		testenv.CreateTopic(t, kc, string(s), 4)
	}
	t.Cleanup(func() {
		topics := []string{name + "-table", name + "-loop", string(cfg.CandidatesStream()), string(cfg.Purges),
			string(cfg.Rerenders), name + "-coalesce-table", name + ".error", name + "-coalesce.error",
			name + "-coalesce.timer", name + "-coalesce.timer.ready", name + "-coalesce.timers-loop"}
		for _, in := range []processor.Stream{cfg.Dependencies, cfg.PageChanges, cfg.EntityChanges} {
			topics = append(topics, name+".retry."+string(in), name+".retry."+string(in)+".ready")
		}
		in := cfg.CandidatesStream()
		topics = append(topics, name+"-coalesce.retry."+string(in), name+"-coalesce.retry."+string(in)+".ready")
		testenv.DeleteTopics(t, kc, topics...)
	})
	f := &dgraphFault{kc: kc, cfg: cfg} // for send and errorRecords

	type instance struct {
		fan *jobtest.Running[changeprop.State]
		co  *jobtest.Running[changeprop.Coalesced]
	}
	var out outcomes
	logger := slog.New(failures{slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})})
	startInstance := func(id string) instance {
		fan, co, err := changeprop.Jobs(cfg)
		if err != nil {
			t.Fatal(err)
		}
		pc := func() processor.Config {
			return processor.Config{Brokers: kc.Brokers, StateDir: t.TempDir(), InstanceID: id, Logger: logger,
				Hooks: []processor.Hook{&out, retryLog{t}}}
		}
		return instance{fan: jobtest.Start(t, fan, pc()), co: jobtest.Start(t, co, pc())}
	}
	alive := func(when string, is ...instance) {
		for _, i := range is {
			if err := i.fan.Healthy(); err != nil {
				t.Fatalf("a fan-out job stopped %s: %v", when, err)
			}
			if err := i.co.Healthy(); err != nil {
				t.Fatalf("a coalesce job stopped %s: %v", when, err)
			}
		}
	}
	sendLate := func(from, to int) {
		for i := from; i < to; i++ {
			title := fmt.Sprintf("Late%03d", i)
			f.send(t, cfg.Dependencies, "enwiki:"+title, depsEvent(title, 0, int64(100_000+i), "Template:LateOnly"))
		}
	}

	purged, stopPurges := collect(t, kc, string(cfg.Purges))
	t.Cleanup(stopPurges)
	cands, stopCands := collect(t, kc, string(cfg.CandidatesStream()))
	t.Cleanup(stopCands)
	candidates := func() int {
		n := 0
		for _, c := range cands() {
			n += c
		}
		return n
	}

	store.allow(steps) // about three steps of each walk
	began := time.Now()
	a := startInstance("a")
	for tpl := range templates {
		title := fmt.Sprintf("Template:Hub%d", tpl)
		f.send(t, cfg.PageChanges, "enwiki:"+title, pageChange("edit", title, 10, time.Now().UTC()))
	}
	sendLate(0, late/2)
	// The second instance joins while the walks are under way.
	testenv.Eventually(t, 2*time.Minute, func() error {
		alive("before the rebalance", a)
		if n := candidates(); n < 10*batch {
			return fmt.Errorf("%d candidates so far", n)
		}
		return nil
	})
	t.Logf("%v: a walks; b starts", time.Since(began).Round(time.Millisecond))
	b := startInstance("b")
	joinedAt := candidates()
	testenv.Eventually(t, 2*time.Minute, func() error {
		alive("while b joins", a, b)
		if !b.fan.Ready() || !b.co.Ready() {
			return fmt.Errorf("instance b has not joined (fan-out waits for %q)", b.fan.Waiting())
		}
		return nil
	})
	t.Logf("%v: b joined", time.Since(began).Round(time.Millisecond))
	sendLate(late/2, late)
	store.allow(steps)
	// b leaves once the two have walked some steps, the walks unfinished.
	testenv.Eventually(t, 2*time.Minute, func() error {
		alive("with two instances", a, b)
		if n := candidates(); n < joinedAt+10*batch {
			return fmt.Errorf("%d candidates since b joined at %d; %d URIs purged; a waits for %q, b for %q", n-joinedAt, joinedAt, len(purged()), a.fan.Waiting(), b.fan.Waiting())
		}
		return nil
	})
	store.allow(0)
	leftAt := candidates()
	if err := b.fan.Stop(); err != nil {
		t.Fatalf("b's fan-out job stopped with %v", err)
	}
	if err := b.co.Stop(); err != nil {
		t.Fatalf("b's coalesce job stopped with %v", err)
	}
	if leftAt >= len(want) {
		t.Fatalf("the walks finished (%d candidates) before b left; make them longer", leftAt)
	}
	t.Logf("%v: b left", time.Since(began).Round(time.Millisecond))
	store.allow(-1)

	testenv.Eventually(t, 3*time.Minute, func() error {
		alive("after the rebalance", a)
		now, missing := purged(), 0
		for uri := range want {
			if now[uri] < 1 {
				missing++
			}
		}
		if missing > 0 {
			return fmt.Errorf("%d of %d URIs not purged yet (%d candidates, %d since b left; a waits for %q)", missing, len(want), candidates(), candidates()-leftAt, a.fan.Waiting())
		}
		return nil
	})

	t.Logf("%v: every URI purged", time.Since(began).Round(time.Millisecond))
	// The graph is exact: every dependency set sent during the rebalances
	// is stored, and nothing else uses the template they name.
	var lateWant, lateGot []string
	for i := range late {
		lateWant = append(lateWant, fmt.Sprintf("Late%03d", i))
	}
	testenv.Eventually(t, time.Minute, func() error {
		ds, _, err := store.Dependents(ctx, deps.Query{Wiki: "enwiki", Edge: deps.Transcludes, Target: "Template:LateOnly", Limit: deps.MaxLimit})
		if err != nil {
			return err
		}
		lateGot = lateGot[:0]
		for _, d := range ds {
			lateGot = append(lateGot, d.Page.Title)
		}
		slices.Sort(lateGot)
		if !slices.Equal(lateGot, lateWant) {
			return fmt.Errorf("%d of %d dependency sets stored", len(lateGot), late)
		}
		return nil
	})
	for tpl := range templates {
		ds, _, err := store.Dependents(ctx, deps.Query{Wiki: "enwiki", Edge: deps.Transcludes, Target: fmt.Sprintf("Template:Hub%d", tpl), Limit: deps.MaxLimit})
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) != perTemplate {
			t.Errorf("Template:Hub%d has %d dependents, want %d", tpl, len(ds), perTemplate)
		}
	}
	// An edit of the template only the late pages use purges each of them.
	before := purged()
	f.send(t, cfg.PageChanges, "enwiki:Template:LateOnly", pageChange("edit", "Template:LateOnly", 10, time.Now().UTC()))
	testenv.Eventually(t, time.Minute, func() error {
		alive("after the rebalance", a)
		now, missing := purged(), 0
		for _, p := range lateWant {
			if now["https://en.wikipedia.org/wiki/"+p] <= before["https://en.wikipedia.org/wiki/"+p] {
				missing++
			}
		}
		if missing > 0 {
			return fmt.Errorf("%d of %d late pages not purged", missing, late)
		}
		return nil
	})

	for topic, n := range f.errorRecords(t) {
		if n != 0 {
			t.Errorf("%d records in %s", n, topic)
		}
	}
	if n := out.retries.Load() + out.errs.Load(); n != 0 {
		t.Errorf("%d events went to a retry or error topic", n)
	}
	dup := 0
	for uri := range want {
		if n := before[uri]; n > 1 {
			dup++
		}
	}
	t.Logf("b joined at %d and left at %d candidates; %d candidates in all for %d URIs; %d URIs purged more than once; %d dependency sets stored exactly",
		joinedAt, leftAt, candidates(), len(want), dup, late)
	if dup > 0 {
		t.Errorf("%d URIs purged more than once after coalescing: DESIGN.md promises no duplicate purge after dedupe", dup)
	}
}

// gatedStore is a graph whose Dependents calls, the steps of the walks,
// pass only while the test allows: a budget of calls (unlimited when
// negative); the others wait until allowed, or until their context ends.
type gatedStore struct {
	deps.Store
	mu struct {
		sync.Mutex
		budget int
		wake   chan struct{} // closed when the budget changes
	}
}

func newGatedStore(s deps.Store) *gatedStore {
	g := &gatedStore{Store: s}
	g.mu.budget, g.mu.wake = -1, make(chan struct{})
	return g
}

// allow lets n more calls through (none: 0; all: -1).
func (g *gatedStore) allow(n int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.mu.budget = n
	close(g.mu.wake)
	g.mu.wake = make(chan struct{})
}

// pass waits until a call may go through.
func (g *gatedStore) pass(ctx context.Context) error {
	for {
		g.mu.Lock()
		if g.mu.budget != 0 {
			if g.mu.budget > 0 {
				g.mu.budget--
			}
			g.mu.Unlock()
			return nil
		}
		wake := g.mu.wake
		g.mu.Unlock()
		select {
		case <-wake:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (g *gatedStore) Dependents(ctx context.Context, q deps.Query) ([]deps.Dependent, deps.Cursor, error) {
	if err := g.pass(ctx); err != nil {
		return nil, "", err
	}
	return g.Store.Dependents(ctx, q)
}

// PutPages keeps the store's batch writes (deps.BatchPutter) visible
// through the gate, so the jobs buffer dependency sets as they do on the
// store itself.
func (g *gatedStore) PutPages(ctx context.Context, pages []deps.PageDeps) ([]deps.PutResult, error) {
	return deps.PutPages(ctx, g.Store, pages)
}

// retryLog logs every event that went to a retry or error topic.
type retryLog struct{ t *testing.T }

func (r retryLog) OnEvent(e processor.EventInfo) {
	if e.Outcome == processor.OutcomeRetry || e.Outcome == processor.OutcomeError {
		r.t.Logf("%s: an event of %s (partition %d, kind %q) went to a retry or error topic", e.Job, e.Stream, e.Partition, e.Kind)
	}
}
