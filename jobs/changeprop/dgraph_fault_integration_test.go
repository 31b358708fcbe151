//go:build integration

package changeprop_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/lovoo/goka"
	"github.com/lovoo/goka/codec"

	"github.com/ripplestream/ripple/deps"
	"github.com/ripplestream/ripple/deps/dgraphstore"
	"github.com/ripplestream/ripple/deps/propagate"
	"github.com/ripplestream/ripple/internal/jobtest"
	"github.com/ripplestream/ripple/internal/kafkaclient"
	"github.com/ripplestream/ripple/internal/testenv"
	"github.com/ripplestream/ripple/jobs/changeprop"
	"github.com/ripplestream/ripple/processor"
)

// The Dgraph fault tests run the changeprop jobs on the shared broker with
// a Dgraph store on a private instance (its alpha is stopped or frozen;
// the shared instance other packages use is never touched). The workload
// is a template used by faultPages pages: a fault-free edit of it gives the
// reference purges; then the template is edited again and the fault starts
// in the middle of that edit's walk; during the fault a page is edited and
// a new page's dependency set arrives. After the fault every reference
// purge must be emitted again, the new page must be stored (an edit of the
// template it alone uses purges it), nothing may go to a retry or error
// topic, and the job must have waited in its process, saying so.

const (
	// faultPages is how many pages use the template.
	faultPages = 300
	// faultBatch is the walk's step: 12 steps for the template, so that
	// the fault falls in the middle of a walk.
	faultBatch = 25
	// dgraphOutage is how long the alpha is stopped or frozen.
	dgraphOutage = 30 * time.Second
	// faultOffset is the private instance's port offset (alpha gRPC 9380).
	faultOffset = 300
	// resumeBound bounds how long after the alpha is back the job resumes:
	// the store reconnects within 2.4 s (dgraphstore's reconnect backoff,
	// with jitter) and a waiting partition tries again within 5 s (the
	// processor's longest backoff). With gRPC's default backoff the job
	// resumed 11.5 and 13 s after an outage of 30 s.
	resumeBound = 10 * time.Second
)

// outcomes counts a job's events by outcome.
type outcomes struct{ ok, retries, errs atomic.Int64 }

func (o *outcomes) OnEvent(e processor.EventInfo) {
	switch e.Outcome {
	case processor.OutcomeOK:
		o.ok.Add(1)
	case processor.OutcomeRetry:
		o.retries.Add(1)
	case processor.OutcomeError:
		o.errs.Add(1)
	}
}

// failures passes on warnings and errors, and the debug line that says
// why an event went to a retry or error topic.
type failures struct{ slog.Handler }

func (f failures) Enabled(context.Context, slog.Level) bool { return true }

func (f failures) Handle(ctx context.Context, r slog.Record) error {
	if r.Level < slog.LevelWarn && r.Message != "event failed" {
		return nil
	}
	return f.Handler.Handle(ctx, r)
}

func (f failures) WithAttrs(as []slog.Attr) slog.Handler { return failures{f.Handler.WithAttrs(as)} }

func (f failures) WithGroup(name string) slog.Handler { return failures{f.Handler.WithGroup(name)} }

// dgraphFault is one fault test's instance, jobs and topics.
type dgraphFault struct {
	kc     kafkaclient.Config
	dgraph *testenv.PrivateDgraph
	cfg    changeprop.Config
	fan    *jobtest.Running[changeprop.State]
	co     *jobtest.Running[changeprop.Coalesced]
	fanOut outcomes
	coOut  outcomes
	depsOK *jobtest.Counter
	purged func() map[string]int
	// prefix is the store's predicate prefix.
	prefix string
	// candidates counts the purge candidates of the fan-out job.
	candidates func() int
	// gate holds a walk at a chosen step (see midWalk).
	gate *gatedStore
}

// midWalk edits the template and makes fault happen in the middle of
// that edit's walk, however fast the walk runs: the store lets its first
// two steps through and holds the third until fault has happened. It
// returns how many candidates the walk had emitted by then.
func (f *dgraphFault) midWalk(t *testing.T, fault func()) int {
	t.Helper()
	f.gate.allow(2)
	candBefore := f.candidates()
	f.editHub(t)
	testenv.Eventually(t, 2*time.Minute, func() error {
		if n := f.candidates() - candBefore; n < 2*faultBatch {
			return fmt.Errorf("%d of the walk's first %d candidates read", n, 2*faultBatch)
		}
		return nil
	})
	fault()
	at := f.candidates() - candBefore
	f.gate.allow(-1)
	return at
}

func newDgraphFault(t *testing.T) *dgraphFault {
	t.Helper()
	testenv.Kafka(t)
	return newDgraphFaultOn(t, testenv.StartPrivateDgraph(t, faultOffset))
}

// newDgraphFaultOn stores the workload's graph on dg's alphas (all of
// them, for the store to spread over) and starts the jobs.
func newDgraphFaultOn(t *testing.T, dg *testenv.PrivateDgraph) *dgraphFault {
	t.Helper()
	kc := testenv.Kafka(t)
	var r [6]byte
	if _, err := rand.Read(r[:]); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	prefix := "cpfault_" + hex.EncodeToString(r[:])
	inner, err := dgraphstore.Open(ctx, dgraphstore.Config{Addrs: dg.Addrs, Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { inner.Close() })
	store := newGatedStore(inner)
	pages := make([]deps.PageDeps, faultPages)
	for i := range pages {
		pages[i] = deps.PageDeps{Wiki: "enwiki", RevID: 1, Page: deps.PageRef{ID: int64(i + 1), Title: fmt.Sprintf("P%03d", i)},
			Templates: []string{"Template:Hub"}}
	}
	if _, err := deps.PutPages(ctx, store, pages); err != nil {
		t.Fatal(err)
	}

	name := testenv.Name(t, "cpdg")
	f := &dgraphFault{kc: kc, dgraph: dg, prefix: prefix, gate: store, cfg: changeprop.Config{
		Name: processor.Group(name), Store: store, Engine: propagate.Config{BatchSize: faultBatch},
		Dependencies: processor.Stream(name + ".deps"), PageChanges: processor.Stream(name + ".pc"),
		EntityChanges: processor.Stream(name + ".ec"), Purges: processor.Stream(name + ".purges"),
		Rerenders: processor.Stream(name + ".rerenders"),
	}}
	f.cfg = f.cfg.WithDefaults()
	if err := f.cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, s := range []processor.Stream{f.cfg.Dependencies, f.cfg.PageChanges, f.cfg.EntityChanges} {
		testenv.CreateTopic(t, kc, string(s), 4)
	}
	t.Cleanup(func() {
		topics := []string{name + "-table", name + "-loop", string(f.cfg.CandidatesStream()), string(f.cfg.Purges),
			string(f.cfg.Rerenders), name + "-coalesce-table", name + ".error", name + "-coalesce.error",
			name + "-coalesce.timer", name + "-coalesce.timer.ready", name + "-coalesce.timers-loop"}
		for _, in := range []processor.Stream{f.cfg.Dependencies, f.cfg.PageChanges, f.cfg.EntityChanges} {
			topics = append(topics, name+".retry."+string(in), name+".retry."+string(in)+".ready")
		}
		in := f.cfg.CandidatesStream()
		topics = append(topics, name+"-coalesce.retry."+string(in), name+"-coalesce.retry."+string(in)+".ready")
		testenv.DeleteTopics(t, kc, topics...)
	})
	fan, co, err := changeprop.Jobs(f.cfg)
	if err != nil {
		t.Fatal(err)
	}
	// Warnings, and why any event failed (logged at debug level).
	logger := slog.New(failures{slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})})
	f.depsOK = &jobtest.Counter{Stream: f.cfg.Dependencies}
	f.fan = jobtest.Start(t, fan, processor.Config{Brokers: kc.Brokers, StateDir: t.TempDir(), Logger: logger,
		Hooks: []processor.Hook{&f.fanOut, okOnly{f.depsOK}}})
	f.co = jobtest.Start(t, co, processor.Config{Brokers: kc.Brokers, StateDir: t.TempDir(), Logger: logger,
		Hooks: []processor.Hook{&f.coOut}})
	var stop func()
	f.purged, stop = collect(t, kc, string(f.cfg.Purges))
	t.Cleanup(stop)
	cands, stopCands := collect(t, kc, string(f.cfg.CandidatesStream()))
	t.Cleanup(stopCands)
	f.candidates = func() int {
		n := 0
		for _, c := range cands() {
			n += c
		}
		return n
	}
	return f
}

// okOnly passes only the events processed without error to its counter.
type okOnly struct{ c *jobtest.Counter }

func (o okOnly) OnEvent(e processor.EventInfo) {
	if e.Outcome == processor.OutcomeOK {
		o.c.OnEvent(e)
	}
}

// send emits one JSON event to stream under key.
func (f *dgraphFault) send(t *testing.T, stream processor.Stream, key string, v any) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	em, err := goka.NewEmitter(f.kc.Brokers, goka.Stream(stream), new(codec.Bytes), f.kc.EmitterOptions()...)
	if err != nil {
		t.Fatal(err)
	}
	if err := em.EmitSync(key, b); err != nil {
		t.Fatal(err)
	}
	if err := em.Finish(); err != nil {
		t.Fatal(err)
	}
}

// editHub edits the template every page uses.
func (f *dgraphFault) editHub(t *testing.T) {
	t.Helper()
	f.send(t, f.cfg.PageChanges, "enwiki:Template:Hub", pageChange("edit", "Template:Hub", 10, time.Now().UTC()))
}

// alive fails the test if either job stopped.
func (f *dgraphFault) alive(t *testing.T, when string) {
	t.Helper()
	if err := f.fan.Healthy(); err != nil {
		t.Fatalf("the fan-out job stopped %s: %v", when, err)
	}
	if err := f.co.Healthy(); err != nil {
		t.Fatalf("the coalesce job stopped %s: %v", when, err)
	}
}

// purgedSince waits until every URI of want was purged more often than
// in before.
func (f *dgraphFault) purgedSince(t *testing.T, want []string, before map[string]int, timeout time.Duration) {
	t.Helper()
	testenv.Eventually(t, timeout, func() error {
		f.alive(t, "after the fault")
		now, missing := f.purged(), 0
		for _, uri := range want {
			if now[uri] <= before[uri] {
				missing++
			}
		}
		if missing > 0 {
			return fmt.Errorf("%d of %d purges not emitted again yet (fan-out waits for: %q)", missing, len(want), f.fan.Waiting())
		}
		return nil
	})
}

// errorRecords returns the number of records in the jobs' error topics
// (a topic that was never created has none).
func (f *dgraphFault) errorRecords(t *testing.T) map[string]int64 {
	t.Helper()
	client, err := sarama.NewClient(f.kc.Brokers, f.kc.Sarama())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	out := map[string]int64{}
	for _, topic := range []string{string(f.cfg.Name) + ".error", string(f.cfg.Name) + "-coalesce.error"} {
		parts, err := client.Partitions(topic)
		if err != nil {
			out[topic] = 0 // not created: nothing was ever sent to it
			continue
		}
		for _, p := range parts {
			oldest, err := client.GetOffset(topic, p, sarama.OffsetOldest)
			if errors.Is(err, sarama.ErrUnknownTopicOrPartition) {
				continue // in the metadata, not yet on its leader (a loaded broker): empty
			}
			if err != nil {
				t.Fatal(err)
			}
			newest, err := client.GetOffset(topic, p, sarama.OffsetNewest)
			if errors.Is(err, sarama.ErrUnknownTopicOrPartition) {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			out[topic] += newest - oldest
		}
	}
	return out
}

// run runs the workload around one fault: inject makes the alpha stop
// answering, heal brings it back.
func (f *dgraphFault) run(t *testing.T, fault string, inject, heal func()) {
	t.Helper()
	// The fault-free reference: an edit of the template purges it and
	// every page using it.
	f.editHub(t)
	var reference []string
	testenv.Eventually(t, time.Minute, func() error {
		f.alive(t, "before the fault")
		if n := len(f.purged()); n < faultPages+1 {
			return fmt.Errorf("%d of %d reference purges", n, faultPages+1)
		}
		return nil
	})
	before := f.purged()
	for uri := range before {
		reference = append(reference, uri)
	}
	if len(reference) != faultPages+1 {
		t.Fatalf("the fault-free edit purged %d URIs, want %d", len(reference), faultPages+1)
	}

	// The fault falls in the middle of the walk of a second edit, once its
	// first steps emitted candidates.
	var faultStart time.Time
	atFault := f.midWalk(t, func() {
		inject()
		faultStart = time.Now()
	})
	if atFault >= faultPages+1 {
		t.Fatalf("%s: the walk finished (%d candidates) before the fault; make it longer", fault, atFault)
	}
	f.send(t, f.cfg.PageChanges, "enwiki:P007", pageChange("edit", "P007", 0, time.Now().UTC()))
	f.send(t, f.cfg.Dependencies, "enwiki:Late", depsEvent("Late", 0, 1000, "Template:Hub", "Template:LateOnly"))
	var waitingSince time.Time
	testenv.Eventually(t, dgraphOutage, func() error {
		f.alive(t, "during the fault")
		if f.fan.Waiting() == "" {
			return fmt.Errorf("the fan-out job does not say it waits, %v into the fault (%s)", time.Since(faultStart).Round(time.Millisecond), fault)
		}
		waitingSince = time.Now()
		return nil
	})
	t.Logf("%s: the fault fell after %d of the walk's %d candidates", fault, atFault, faultPages+1)
	t.Logf("%s: %v into the fault the fan-out job says: %s", fault, waitingSince.Sub(faultStart).Round(time.Millisecond), f.fan.Waiting())
	time.Sleep(dgraphOutage - time.Since(faultStart)) // the fault's own duration, not a wait for a condition
	f.alive(t, "during the fault")
	if f.fan.Waiting() == "" {
		t.Errorf("%s: the fan-out job no longer says it waits at the end of the fault", fault)
	}
	t.Logf("%s: after %v the fan-out job says: %s", fault, time.Since(faultStart).Round(time.Second), f.fan.Waiting())
	heal()
	healed := time.Now()

	testenv.Eventually(t, time.Minute, func() error {
		f.alive(t, "after the fault")
		if w := f.fan.Waiting(); w != "" {
			return fmt.Errorf("still waiting after the alpha is back: %s", w)
		}
		return nil
	})
	waited, resumed := time.Since(waitingSince), time.Since(healed)
	if resumed > resumeBound {
		t.Errorf("%s: the job resumed %v after the alpha was back, want within %v: does the store reconnect late?",
			fault, resumed.Round(time.Millisecond), resumeBound)
	}
	f.purgedSince(t, reference, before, time.Minute)
	took := time.Since(healed)
	testenv.Eventually(t, time.Minute, func() error {
		if f.depsOK.N.Load() < 1 {
			return fmt.Errorf("the dependency set sent during the fault is not stored yet")
		}
		return nil
	})

	// The dependency set sent during the fault was stored: an edit of the
	// template only the new page uses purges it.
	const lateURI = "https://en.wikipedia.org/wiki/Late"
	lateBefore := f.purged()
	f.send(t, f.cfg.PageChanges, "enwiki:Template:LateOnly", pageChange("edit", "Template:LateOnly", 10, time.Now().UTC()))
	f.purgedSince(t, []string{lateURI}, lateBefore, time.Minute)

	f.alive(t, "after the fault")
	for topic, n := range f.errorRecords(t) {
		if n != 0 {
			t.Errorf("%s: %d records in %s", fault, n, topic)
		}
	}
	if n := f.fanOut.retries.Load() + f.fanOut.errs.Load() + f.coOut.retries.Load() + f.coOut.errs.Load(); n != 0 {
		t.Errorf("%s: %d events went to a retry or error topic (fan-out %d retries, %d errors; coalesce %d, %d)", fault, n,
			f.fanOut.retries.Load(), f.fanOut.errs.Load(), f.coOut.retries.Load(), f.coOut.errs.Load())
	}
	t.Logf("%s: the job resumed %v after the alpha was back; %d of %d reference purges emitted again %v after it was back (%v after the fault began); the job waited about %v; "+
		"the dependency set sent during the fault was stored; %d fan-out and %d coalesce events processed, none to a retry or error topic",
		fault, resumed.Round(time.Millisecond), len(reference), len(reference), took.Round(time.Millisecond), healed.Sub(faultStart).Round(time.Second),
		waited.Round(time.Second), f.fanOut.ok.Load(), f.coOut.ok.Load())
}

// TestFaultDgraphAlphaStopped stops the alpha for 30 s while a template
// edit and a dependency set arrive, then starts it again.
func TestFaultDgraphAlphaStopped(t *testing.T) {
	f := newDgraphFault(t)
	f.run(t, "alpha stopped", f.dgraph.StopAlpha, f.dgraph.StartAlpha)
}

// TestFaultDgraphAlphaFrozen freezes the alpha (SIGSTOP: its port accepts
// connections but nothing answers) for 30 s while a template edit and a
// dependency set arrive, then thaws it (SIGCONT).
func TestFaultDgraphAlphaFrozen(t *testing.T) {
	f := newDgraphFault(t)
	f.run(t, "alpha frozen", f.dgraph.FreezeAlpha, f.dgraph.ThawAlpha)
}
