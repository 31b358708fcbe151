//go:build integration

package changeprop_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/ripplestream/ripple/deps"
	"github.com/ripplestream/ripple/deps/dgraphstore"
	"github.com/ripplestream/ripple/internal/testenv"
)

const (
	// groupOffset is the port offset of the three-alpha group (alpha gRPC
	// 9480 to 9482; zero 5480).
	groupOffset = 400
	// groupBound bounds the whole test, start of the group included.
	groupBound = 90 * time.Second
)

// TestFaultDgraphGroupAlphaKilled runs the changeprop jobs against a
// Dgraph group of three alphas (replicas 3), the store given all three,
// and kills the group's leader with kill -9 in the middle of a template's
// walk; a page edit and a new page's dependency set arrive after the kill.
// With two of three alphas up the jobs go on: every purge of the walk is
// emitted again and the new page is stored before the alpha comes back,
// nothing goes to a retry or error topic, and once it is back the killed
// alpha serves exactly the graph the jobs wrote.
func TestFaultDgraphGroupAlphaKilled(t *testing.T) {
	began := time.Now()
	testenv.Kafka(t)
	dg := testenv.StartPrivateDgraphWith(t, groupOffset, testenv.DgraphOptions{Alphas: 3})
	f := newDgraphFaultOn(t, dg)
	ready := time.Now()

	// The fault-free reference: the template and every page using it.
	f.editHub(t)
	testenv.Eventually(t, 2*time.Minute, func() error {
		f.alive(t, "before the fault")
		if n := len(f.purged()); n < faultPages+1 {
			return fmt.Errorf("%d of %d reference purges", n, faultPages+1)
		}
		return nil
	})
	before := f.purged()
	reference := make([]string, 0, len(before))
	for uri := range before {
		reference = append(reference, uri)
	}
	if len(reference) != faultPages+1 {
		t.Fatalf("the fault-free edit purged %d URIs, want %d", len(reference), faultPages+1)
	}

	// The leader dies in the middle of the second edit's walk.
	var victim int
	var killed time.Time
	atKill := f.midWalk(t, func() {
		victim = dg.Leader()
		dg.KillAlpha(victim)
		killed = time.Now()
	})
	if atKill >= faultPages+1 {
		t.Fatalf("the walk finished (%d candidates) before the kill; make it longer", atKill)
	}
	t.Logf("killed alpha %d (%s), the group's leader, after %d of the walk's %d candidates",
		victim, dg.Addrs[victim], atKill, faultPages+1)
	f.send(t, f.cfg.PageChanges, "enwiki:P007", pageChange("edit", "P007", 0, time.Now().UTC()))
	f.send(t, f.cfg.Dependencies, "enwiki:Late", depsEvent("Late", 0, 1000, "Template:Hub", "Template:LateOnly"))

	// With the alpha still down: the walk completes, the new page is
	// stored and an edit of the template only it uses purges it.
	f.purgedSince(t, reference, before, 45*time.Second)
	walked := time.Since(killed)
	testenv.Eventually(t, 2*time.Minute, func() error {
		if f.depsOK.N.Load() < 1 {
			return fmt.Errorf("the dependency set sent after the kill is not stored yet (fan-out waits for: %q)", f.fan.Waiting())
		}
		return nil
	})
	const lateURI = "https://en.wikipedia.org/wiki/Late"
	lateBefore := f.purged()
	f.send(t, f.cfg.PageChanges, "enwiki:Template:LateOnly", pageChange("edit", "Template:LateOnly", 10, time.Now().UTC()))
	f.purgedSince(t, []string{lateURI}, lateBefore, 30*time.Second)
	if newLeader := dg.Leader(); newLeader == victim {
		t.Errorf("zero still names the killed alpha %d the leader", victim)
	}
	down := time.Since(killed)

	// Back: the killed alpha catches up and serves exactly the graph.
	dg.RestartAlpha(victim)
	back := time.Now()
	want := make([]string, 0, faultPages+1)
	for i := range faultPages {
		want = append(want, fmt.Sprintf("P%03d", i))
	}
	want = append(want, "Late")
	slices.Sort(want)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	one, err := dgraphstore.Open(ctx, dgraphstore.Config{Addrs: []string{dg.Addrs[victim]}, Prefix: f.prefix, UIDCache: -1, ReadAhead: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer one.Close()
	testenv.Eventually(t, 2*time.Minute, func() error {
		got, err := dependentTitles(ctx, one, "Template:Hub")
		if err != nil {
			return err
		}
		if !slices.Equal(got, want) {
			return fmt.Errorf("the restarted alpha has %d dependents of Template:Hub, want %d (%v)", len(got), len(want), diffTitles(got, want))
		}
		if got, err = dependentTitles(ctx, one, "Template:LateOnly"); err != nil || !slices.Equal(got, []string{"Late"}) {
			return fmt.Errorf("the restarted alpha has dependents %q of Template:LateOnly, want [Late] (%v)", got, err)
		}
		return nil
	})
	late, ok, err := one.Page(ctx, "enwiki", "Late")
	if err != nil || !ok || late.RevID != 1000 || !slices.Equal(late.Templates, []string{"Template:Hub", "Template:LateOnly"}) {
		t.Errorf("the restarted alpha has page Late = %+v, %v, %v; want revision 1000 using Template:Hub and Template:LateOnly", late, ok, err)
	}
	caughtUp := time.Since(back)

	f.alive(t, "after the fault")
	for topic, n := range f.errorRecords(t) {
		if n != 0 {
			t.Errorf("%d records in %s", n, topic)
		}
	}
	if n := f.fanOut.retries.Load() + f.fanOut.errs.Load() + f.coOut.retries.Load() + f.coOut.errs.Load(); n != 0 {
		t.Errorf("%d events went to a retry or error topic (fan-out %d retries, %d errors; coalesce %d, %d)", n,
			f.fanOut.retries.Load(), f.fanOut.errs.Load(), f.coOut.retries.Load(), f.coOut.errs.Load())
	}
	took := time.Since(began)
	t.Logf("group of 3 up in %v; after the kill the walk's %d purges were all emitted again in %v and the page sent after it stored and purged by %v, "+
		"with the alpha down; the restarted alpha served the exact graph %v after it was back; %d fan-out and %d coalesce events processed, "+
		"none to a retry or error topic; %v in all",
		ready.Sub(began).Round(time.Millisecond), len(reference), walked.Round(time.Millisecond), down.Round(time.Millisecond),
		caughtUp.Round(time.Millisecond), f.fanOut.ok.Load(), f.coOut.ok.Load(), took.Round(time.Millisecond))
	if took > groupBound {
		t.Errorf("the test took %v, want under %v", took.Round(time.Second), groupBound)
	}
}

// dependentTitles returns the sorted titles of every page that transcludes
// target on enwiki.
func dependentTitles(ctx context.Context, s deps.Store, target string) ([]string, error) {
	var titles []string
	q := deps.Query{Wiki: "enwiki", Edge: deps.Transcludes, Target: target, Limit: deps.MaxLimit}
	for {
		ds, next, err := s.Dependents(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, d := range ds {
			titles = append(titles, d.Page.Title)
		}
		if next == "" {
			break
		}
		q.After = next
	}
	slices.Sort(titles)
	return titles, nil
}

// diffTitles names up to five titles of want missing from got and of got
// not in want.
func diffTitles(got, want []string) string {
	var missing, extra []string
	for _, w := range want {
		if _, ok := slices.BinarySearch(got, w); !ok && len(missing) < 5 {
			missing = append(missing, w)
		}
	}
	for _, g := range got {
		if _, ok := slices.BinarySearch(want, g); !ok && len(extra) < 5 {
			extra = append(extra, g)
		}
	}
	return fmt.Sprintf("missing %q, extra %q", missing, extra)
}
