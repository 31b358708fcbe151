package dgraphstore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ripplestream/ripple/deps"
)

// fakeCommits is a commitFunc that records its batches and blocks each
// commit until it can receive from release (or its ctx is done); a batch
// with page fail fails at once.
type fakeCommits struct {
	mu      sync.Mutex
	batches [][]string
	started chan struct{} // gets a value when a commit starts
	release chan struct{}
	fail    string
}

func newFakeCommits() *fakeCommits {
	return &fakeCommits{started: make(chan struct{}, 100), release: make(chan struct{}, 100)}
}

func (f *fakeCommits) commit(ctx context.Context, pages []deps.PageDeps) ([]deps.PutResult, error) {
	var titles []string
	res := make([]deps.PutResult, len(pages))
	for i, p := range pages {
		titles = append(titles, p.Page.Title)
		res[i] = deps.PutResult{Applied: true, PrevRevID: p.RevID} // echoes the rev, to check the mapping
	}
	f.mu.Lock()
	f.batches = append(f.batches, titles)
	f.mu.Unlock()
	if f.fail != "" && slices.Contains(titles, f.fail) {
		return nil, errors.New("cannot store " + f.fail)
	}
	f.started <- struct{}{}
	select {
	case <-f.release:
		return res, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (f *fakeCommits) recorded() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return fmt.Sprint(f.batches)
}

// result is what one put returned.
type result struct {
	i   int
	rev int64
	err error
}

// groupTest drives puts of page i through g and f, at most max pages a
// commit.
type groupTest struct {
	t       *testing.T
	g       group
	f       *fakeCommits
	max     int
	results chan result
}

func newGroupTest(t *testing.T, max int) *groupTest {
	return &groupTest{t: t, f: newFakeCommits(), max: max, results: make(chan result, 20)}
}

// put starts a put of page i with ctx.
func (gt *groupTest) put(ctx context.Context, i int) {
	go func() {
		p := deps.PageDeps{Wiki: "w", Page: deps.PageRef{Title: fmt.Sprint("P", i)}, RevID: int64(i)}
		res, err := gt.g.put(ctx, p, gt.max, gt.f.commit)
		gt.results <- result{i, res.PrevRevID, err}
	}()
}

// queue starts puts of pages first, first+1, ... with ctxs into an empty
// queue, each queued before the next starts.
func (gt *groupTest) queue(first int, ctxs ...context.Context) {
	gt.t.Helper()
	for i, ctx := range ctxs {
		gt.put(ctx, first+i)
		gt.queued(i + 1)
	}
}

// queued waits until the group holds n queued calls.
func (gt *groupTest) queued(n int) {
	gt.t.Helper()
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		gt.g.mu.Lock()
		got := len(gt.g.queue)
		gt.g.mu.Unlock()
		if got == n {
			return
		}
	}
	gt.t.Fatalf("the group never held %d queued calls", n)
}

// next returns the next result, which must be of page i.
func (gt *groupTest) next(i int) result {
	gt.t.Helper()
	r := <-gt.results
	if r.i != i {
		gt.t.Fatalf("page %d returned first; want %d", r.i, i)
	}
	return r
}

func TestGroupCommit(t *testing.T) {
	gt := newGroupTest(t, 3)
	ctx := context.Background()
	// A lone call commits at once, alone; calls during that commit queue
	// up and share the next ones, at most 3 each.
	gt.put(ctx, 0)
	<-gt.f.started
	gt.queue(1, ctx, ctx, ctx, ctx)
	for range 3 {
		gt.f.release <- struct{}{}
	}
	seen := map[int]bool{}
	for range 5 {
		r := <-gt.results
		if r.err != nil || r.rev != int64(r.i) {
			t.Errorf("page %d: rev %d, %v; want its own page's result", r.i, r.rev, r.err)
		}
		seen[r.i] = true
	}
	if len(seen) != 5 {
		t.Errorf("results of pages %v; want 0 to 4", seen)
	}
	if got := gt.f.recorded(); got != "[[P0] [P1 P2 P3] [P4]]" {
		t.Errorf("batches %s; want the lone page, 3 of the 4 queued in order, then the last", got)
	}
	if gt.g.leading || len(gt.g.queue) != 0 {
		t.Errorf("after the commits: leading %v, %d queued; want an idle group", gt.g.leading, len(gt.g.queue))
	}
}

func TestGroupIsolatesAFailure(t *testing.T) {
	gt := newGroupTest(t, 10)
	gt.f.fail = "P2"
	ctx := context.Background()
	gt.put(ctx, 0)
	<-gt.f.started
	gt.queue(1, ctx, ctx, ctx)
	gt.f.release <- struct{}{} // 0 commits; 1 leads the commit of 1 to 3, which fails, then each alone
	gt.next(0)
	for range 2 {
		<-gt.f.started
		gt.f.release <- struct{}{}
	}
	for range 3 {
		r := <-gt.results
		if failed := r.err != nil; failed != (r.i == 2) || !failed && r.rev != int64(r.i) {
			t.Errorf("page %d: rev %d, %v; want only page 2 to fail", r.i, r.rev, r.err)
		}
	}
	if got := gt.f.recorded(); got != "[[P0] [P1 P2 P3] [P1] [P2] [P3]]" {
		t.Errorf("batches %s; want the failed batch tried again page by page", got)
	}
}

func TestGroupCancel(t *testing.T) {
	gt := newGroupTest(t, 10)
	bg := context.Background()
	leader, cancelLeader := context.WithCancel(bg)
	gt.put(leader, 0)
	<-gt.f.started
	// Behind the commit, 1 gives up before its page is taken and leaves
	// the queue; 2 then leads the next commit.
	ctx1, cancel1 := context.WithCancel(bg)
	gt.queue(1, ctx1, bg)
	cancel1()
	if r := gt.next(1); !errors.Is(r.err, context.Canceled) {
		t.Errorf("a queued call that gave up: %v; want its ctx's error", r.err)
	}
	// The leader gives up during its commit: it gets its ctx's error.
	cancelLeader()
	if r := gt.next(0); !errors.Is(r.err, context.Canceled) || errors.Is(r.err, deps.ErrUnavailable) {
		t.Errorf("the leader that gave up: %v; want its ctx's error", r.err)
	}
	<-gt.f.started
	gt.f.release <- struct{}{}
	if r := gt.next(2); r.err != nil || r.rev != 2 {
		t.Errorf("the call queued behind: %+v", r)
	}
	if got := gt.f.recorded(); got != "[[P0] [P2]]" {
		t.Errorf("batches %s; want P1 never committed", got)
	}

	// A leader that gives up mid-commit fails the others of its batch as
	// unavailable: they may retry.
	leader, cancelLeader = context.WithCancel(bg)
	gt.put(bg, 3)
	<-gt.f.started
	gt.queue(4, leader, bg)
	gt.f.release <- struct{}{} // 3 commits; 4 leads the commit of 4 and 5
	if r := gt.next(3); r.err != nil {
		t.Errorf("page 3: %v", r.err)
	}
	<-gt.f.started
	cancelLeader()
	for range 2 {
		r := <-gt.results
		if want := map[int]error{4: context.Canceled, 5: deps.ErrUnavailable}[r.i]; !errors.Is(r.err, want) {
			t.Errorf("page %d after its batch's leader gave up: %v; want %v", r.i, r.err, want)
		}
	}

	// A call whose page is taken when it gives up gets the commit's result.
	gt.put(bg, 6)
	<-gt.f.started
	ctx8, cancel8 := context.WithCancel(bg)
	gt.queue(7, bg, ctx8)
	gt.f.release <- struct{}{} // 6 commits; 7 leads the commit of 7 and 8
	gt.next(6)
	<-gt.f.started
	cancel8()
	gt.f.release <- struct{}{}
	for range 2 {
		if r := <-gt.results; r.err != nil || r.rev != int64(r.i) {
			t.Errorf("page %d of a batch under way when 8 gave up: rev %d, %v; want its result", r.i, r.rev, r.err)
		}
	}
	if gt.g.leading {
		t.Error("the group still leads with nothing queued")
	}
}
