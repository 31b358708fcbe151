//go:build integration

package changeprop_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lovoo/goka"
	"github.com/lovoo/goka/codec"

	"github.com/ripplestream/ripple/deps"
	"github.com/ripplestream/ripple/deps/pebblestore"
	"github.com/ripplestream/ripple/deps/propagate"
	"github.com/ripplestream/ripple/internal/jobtest"
	"github.com/ripplestream/ripple/internal/testenv"
	"github.com/ripplestream/ripple/jobs/changeprop"
	"github.com/ripplestream/ripple/processor"
)

// The child process of TestIntegrationKill9MidFanout runs the fan-out job
// until it is killed; its settings come from the environment.
const childEnv = "RIPPLE_CHANGEPROP_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		if err := runChild(); err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// killConfig is shared by the test and its child through the environment.
func killConfig(store deps.Store) changeprop.Config {
	name := os.Getenv("CP_NAME")
	batch, _ := strconv.Atoi(os.Getenv("CP_BATCH"))
	return changeprop.Config{
		Name: processor.Group(name), Store: store, Engine: propagate.Config{BatchSize: batch},
		Dependencies: processor.Stream(name + ".deps"), PageChanges: processor.Stream(name + ".pc"),
		EntityChanges: processor.Stream(name + ".ec"), Purges: processor.Stream(name + ".purges"),
		Rerenders: processor.Stream(name + ".rerenders"),
	}
}

func runChild() error {
	store, err := pebblestore.Open(pebblestore.Config{Dir: os.Getenv("CP_GRAPH")})
	if err != nil {
		return err
	}
	defer store.Close()
	fan, _, err := changeprop.Jobs(killConfig(store))
	if err != nil {
		return err
	}
	r, err := processor.NewRunner(fan, processor.Config{Brokers: []string{os.Getenv(testenv.EnvKafka)}, StateDir: os.Getenv("CP_STATE"),
		FetchWait: changeprop.FetchWait}) // as `ripple run` runs it
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	return r.Run(ctx)
}

// TestIntegrationKill9MidFanout kills the fan-out job with SIGKILL in the
// middle of a 100,000-page fan-out, restarts it on the same local state and
// graph, and checks every page is purged exactly once after coalescing, and
// by counting the candidates of each page that the finished steps were not
// sent again: the pages sent twice are the last few steps the killed job
// walked (those of its batch not yet committed, and the one before, which
// the job redoes), never an earlier one.
// (The 10M-page fan-out is a `ripple bench changeprop --fanout` run, in
// BENCHMARKS.md: generating it takes longer than a test may.)
func TestIntegrationKill9MidFanout(t *testing.T) {
	const pages, batch = 100_000, 2_000
	kc := testenv.Kafka(t)
	dir := t.TempDir()
	name := testenv.Name(t, "cpkill")
	t.Setenv("CP_NAME", name)
	t.Setenv("CP_BATCH", strconv.Itoa(batch))
	t.Setenv("CP_GRAPH", dir+"/graph")
	t.Setenv("CP_STATE", dir+"/state")

	store, err := pebblestore.Open(pebblestore.Config{Dir: dir + "/graph"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for from := 0; from < pages; from += batch {
		var ps []deps.PageDeps
		for i := from; i < min(from+batch, pages); i++ {
			ps = append(ps, deps.PageDeps{Wiki: "enwiki", RevID: 1, Page: deps.PageRef{ID: int64(i + 1), Title: fmt.Sprintf("P%06d", i)}, Templates: []string{"Template:Hub"}})
		}
		if _, err := deps.PutPages(ctx, store, ps); err != nil {
			t.Fatal(err)
		}
	}
	cfg := killConfig(store)
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := store.Close(); err != nil { // the child owns the graph from now on
		t.Fatal(err)
	}
	for _, s := range []processor.Stream{cfg.Dependencies, cfg.PageChanges, cfg.EntityChanges} {
		testenv.CreateTopic(t, kc, string(s), 4)
	}
	t.Cleanup(func() {
		testenv.DeleteTopics(t, kc, name+"-table", name+"-loop", string(cfg.CandidatesStream()), string(cfg.Purges),
			string(cfg.Rerenders), name+"-coalesce-table", name+".error", name+"-coalesce.error")
	})
	em, err := goka.NewEmitter(kc.Brokers, goka.Stream(cfg.PageChanges), new(codec.Bytes), kc.EmitterOptions()...)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(pageChange("edit", "Template:Hub", 10, time.Now().UTC()))
	if err := em.EmitSync("enwiki:Template:Hub", b); err != nil {
		t.Fatal(err)
	}
	em.Finish()

	child := func() *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), childEnv+"=1", testenv.EnvKafka+"="+kc.Brokers[0])
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	first := child()
	candidates, stopCands := collect(t, kc, string(cfg.CandidatesStream()))
	defer stopCands()
	count := func() int {
		n := 0
		for _, c := range candidates() {
			n += c
		}
		return n
	}
	testenv.Eventually(t, 120*time.Second, func() error {
		if n := count(); n < pages/4 {
			return fmt.Errorf("%d candidates so far", n)
		}
		return nil
	})
	peak := vmHWM(first.Process.Pid)
	if err := first.Process.Kill(); err != nil { // SIGKILL: no shutdown at all
		t.Fatal(err)
	}
	_ = first.Wait()
	killedAt := count()
	if killedAt >= pages {
		t.Fatalf("the fan-out finished (%d candidates) before the kill; make it larger", killedAt)
	}

	second := child()
	t.Cleanup(func() { second.Process.Signal(syscall.SIGTERM); second.Wait() })
	jobtest.Start(t, mustCoalesce(t, cfg), processor.Config{Brokers: kc.Brokers, StateDir: dir + "/coalesce"})
	purged, stopPurges := collect(t, kc, string(cfg.Purges))
	defer stopPurges()
	testenv.Eventually(t, 180*time.Second, func() error {
		if n := len(purged()); n < pages+1 {
			return fmt.Errorf("%d of %d pages purged (killed at %d candidates)", n, pages+1, killedAt)
		}
		return nil
	})
	for uri, n := range purged() {
		if n != 1 {
			t.Fatalf("%s purged %d times after coalescing, want once", uri, n)
		}
	}
	total := count()
	// The walk reads the pages in title order, P000000 first. The job
	// resumes from its last committed state, at a step boundary: the
	// pages sent twice are the steps walked since (their number depends
	// on how many steps fit in a commit interval and its
	// acknowledgements), each sent twice at most, and far fewer than
	// the first run walked: the finished steps were not sent again.
	lo, hi, twice := pages, -1, 0
	for uri, n := range candidates() {
		i, err := strconv.Atoi(strings.TrimPrefix(uri[strings.LastIndexByte(uri, '/')+1:], "P"))
		if err != nil || n == 1 {
			continue // the template's own page, or sent once
		}
		if n > 2 {
			t.Fatalf("%s: %d candidates, want at most two (one before the kill, one after)", uri, n)
		}
		lo, hi, twice = min(lo, i), max(hi, i), twice+1
	}
	if total != pages+1+twice || twice >= killedAt/2 || (twice > 0 && (lo < batch || lo%batch != 0)) {
		t.Fatalf("%d candidates for %d pages, %d sent again, of pages P%06d to P%06d (killed at %d): "+
			"want the steps after a committed step boundary other than the first, fewer than half the walk before the kill",
			total, pages+1, twice, lo, hi, killedAt)
	}
	t.Logf("killed at %d candidates (peak RSS of the killed job %s); %d candidates in all for %d pages, %d sent again (P%06d to P%06d)",
		killedAt, peak, total, pages+1, twice, lo, hi)
}

// vmHWM is the peak resident set size of process pid, as Linux reports it.
func vmHWM(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "unknown"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

func mustCoalesce(t *testing.T, cfg changeprop.Config) processor.Job[changeprop.Coalesced] {
	t.Helper()
	store, err := pebblestore.Open(pebblestore.Config{Dir: t.TempDir()}) // the coalesce job does not read the graph
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	cfg.Store = store
	_, co, err := changeprop.Jobs(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return co
}
