package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ripplestream/ripple/deps"
	"github.com/ripplestream/ripple/deps/pebblestore"
	"github.com/ripplestream/ripple/deps/propagate"
	depsworkload "github.com/ripplestream/ripple/deps/workload"
	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/jobs/changeprop"
	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/processor/embedded"
)

// ChangepropResult is what the change-propagation demo measured.
type ChangepropResult struct {
	DependencySets, Changes int
	Candidates, Purges      int
	Exact, Broad            int
	Sample                  []string
	Elapsed                 time.Duration
}

// outcomes counts what a job did, per stream.
type outcomes struct{ ok, failed atomic.Int64 }

func (o *outcomes) OnEvent(e processor.EventInfo) {
	if e.Outcome == processor.OutcomeOK {
		o.ok.Add(1)
	} else if e.Outcome != processor.OutcomeDropped {
		o.failed.Add(1)
	}
}

// RunChangeprop runs ripple's change-propagation job on the embedded
// default (in-process broker, Pebble graph store) over a generated
// Wikidata-like workload and summarises what it purged.
func RunChangeprop(ctx context.Context, cfg Config, out io.Writer) (ChangepropResult, error) {
	if err := cfg.Validate(); err != nil {
		return ChangepropResult{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	start := time.Now()
	w, err := depsworkload.Generate(depsworkload.Config{Seed: cfg.Seed, Pages: max(cfg.Pages, 10), Templates: max(cfg.Pages/10, 2),
		Entities: max(cfg.Pages/4, 1), Changes: cfg.Events})
	if err != nil {
		return ChangepropResult{}, err
	}
	broker, err := embedded.Start()
	if err != nil {
		return ChangepropResult{}, err
	}
	defer broker.Close()
	dir, err := os.MkdirTemp("", "ripple-demo-")
	if err != nil {
		return ChangepropResult{}, err
	}
	defer os.RemoveAll(dir)
	store, err := pebblestore.Open(pebblestore.Config{Dir: dir + "/graph"})
	if err != nil {
		return ChangepropResult{}, err
	}
	defer store.Close()
	fmt.Fprintf(out, "ripple demo: change propagation on an in-process Kafka-protocol broker %v and an embedded Pebble graph (nothing installed)\n", broker.Addrs())

	// No coalescing window: the demo sends its changes in one burst, which
	// a window would merge as if they came seconds apart.
	cp := changeprop.Config{Store: store, CoalesceWindow: -1, Purges: "resource_change"}
	if err := cp.Validate(); err != nil {
		return ChangepropResult{}, err
	}
	depLines, changeLines, err := split(w)
	if err != nil {
		return ChangepropResult{}, err
	}
	res := ChangepropResult{DependencySets: len(depLines), Changes: len(w.Truth)}
	res.Exact, res.Broad = w.Totals()
	for _, s := range []processor.Stream{cp.Dependencies, cp.PageChanges, cp.EntityChanges} {
		if err := broker.CreateTopic(string(s), 4); err != nil {
			return res, err
		}
	}
	fan, coalesce, err := changeprop.Jobs(cp)
	if err != nil {
		return res, err
	}
	var fanSeen, coSeen outcomes
	stop, errc, err := runJobs(ctx, broker, dir, fan, coalesce, &fanSeen, &coSeen)
	if err != nil {
		return res, err
	}
	defer stop()

	// Dependency sets first, then changes: in a real deployment parses
	// follow edits continuously; here the graph is built before the changes
	// so the result can be compared with the workload's oracle.
	if err := produceLines(broker, cp, depLines); err != nil {
		return res, err
	}
	if err := waitFor(ctx, errc, func() bool { return fanSeen.ok.Load()+fanSeen.failed.Load() >= int64(len(depLines)) }); err != nil {
		return res, fmt.Errorf("demo: loading the graph: %w", err)
	}
	fmt.Fprintf(out, "  loaded    the dependency sets of %d pages (Zipf template use, nested templates, links, Wikibase entity usage)\n", len(depLines))
	if err := produceLines(broker, cp, changeLines); err != nil {
		return res, err
	}
	inputs := map[*outcomes][]processor.Stream{
		&fanSeen: {cp.Dependencies, cp.PageChanges, cp.EntityChanges, fan.LoopStream()},
		&coSeen:  {cp.CandidatesStream()},
	}
	if err := settle(ctx, errc, broker, inputs); err != nil {
		return res, err
	}
	if f := fanSeen.failed.Load() + coSeen.failed.Load(); f > 0 {
		return res, fmt.Errorf("demo: %d events failed; see the job's error topic", f)
	}
	purges, err := broker.Consume(string(cp.Purges))
	if err != nil {
		return res, err
	}
	cands, err := broker.Consume(string(cp.CandidatesStream()))
	if err != nil {
		return res, err
	}
	res.Purges, res.Candidates, res.Elapsed = len(purges), len(cands), time.Since(start)
	res.Sample = sample(purges)
	summariseChangeprop(out, res)
	return res, nil
}

// split separates the wiki's initial parses from what follows: changes
// and the re-parses they cause, in order.
func split(w *depsworkload.Workload) (initial, rest [][]byte, err error) {
	for i, l := range w.Lines {
		env, err := event.PeekEnvelope(l)
		if err != nil {
			return nil, nil, err
		}
		if env.Schema != deps.DependenciesSchema {
			return w.Lines[:i], w.Lines[i:], nil
		}
	}
	return w.Lines, nil, nil
}

// produceLines sends input events to their streams, keyed by the changed
// page ("wiki:title") or entity, as the job expects.
func produceLines(b *embedded.Broker, cp changeprop.Config, lines [][]byte) error {
	byStream := map[processor.Stream][]embedded.Record{}
	for _, l := range lines {
		var ev struct {
			event.Envelope
			Wiki   string `json:"wiki_id"`
			Entity string `json:"entity_id"`
			Page   struct {
				Title string `json:"page_title"`
			} `json:"page"`
		}
		if err := json.Unmarshal(l, &ev); err != nil {
			return err
		}
		stream, key := cp.PageChanges, ev.Wiki+":"+ev.Page.Title
		switch {
		case ev.Schema == deps.DependenciesSchema:
			stream = cp.Dependencies
		case ev.Schema == deps.EntityChangeSchema:
			stream, key = cp.EntityChanges, ev.Entity
		}
		byStream[stream] = append(byStream[stream], embedded.Record{Key: key, Value: l})
	}
	for s, recs := range byStream {
		if err := b.Produce(string(s), recs...); err != nil {
			return err
		}
	}
	return nil
}

func runJobs(ctx context.Context, b *embedded.Broker, dir string, fan processor.Job[changeprop.State], co processor.Job[changeprop.Coalesced],
	fanSeen, coSeen *outcomes) (stop func(), errc chan error, err error) {
	mk := func(sub string, h processor.Hook) processor.Config {
		return processor.Config{Brokers: b.Addrs(), KafkaVersion: embedded.KafkaVersion, StateDir: dir + "/" + sub, Hooks: []processor.Hook{h}}
	}
	r1, err := processor.NewRunner(fan, mk("fanout", fanSeen))
	if err != nil {
		return nil, nil, err
	}
	r2, err := processor.NewRunner(co, mk("coalesce", coSeen))
	if err != nil {
		return nil, nil, err
	}
	rctx, cancel := context.WithCancel(ctx)
	errc = make(chan error, 2)
	done := make(chan struct{}, 2)
	for _, run := range []func(context.Context) error{r1.Run, r2.Run} {
		go func() {
			if err := run(rctx); err != nil {
				errc <- err
			}
			done <- struct{}{}
		}()
	}
	return func() { cancel(); <-done; <-done }, errc, nil
}

func waitFor(ctx context.Context, errc chan error, cond func() bool) error {
	for !cond() {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err := <-errc:
			errc <- err
			return fmt.Errorf("a job stopped: %w", err)
		case <-time.After(20 * time.Millisecond):
		}
	}
	return nil
}

// settle waits until each job has handled every record of its inputs and
// both have been idle for half a second: every fan-out walked to its end
// and every candidate coalesced. Idleness alone is not enough: on a busy
// machine a job can be silent for longer while its consumer joins its
// group.
func settle(ctx context.Context, errc chan error, b *embedded.Broker, inputs map[*outcomes][]processor.Stream) error {
	handled := func() (n int64) {
		for o := range inputs {
			n += o.ok.Load() + o.failed.Load()
		}
		return n
	}
	last, since := int64(-1), time.Now()
	return waitFor(ctx, errc, func() bool {
		if n := handled(); n != last {
			last, since = n, time.Now()
			return false
		}
		if time.Since(since) <= 500*time.Millisecond {
			return false
		}
		for o, streams := range inputs {
			var records int64
			for _, s := range streams {
				n, err := b.Count(string(s))
				if err != nil {
					return false
				}
				records += n
			}
			if o.ok.Load()+o.failed.Load() < records {
				since = time.Now()
				return false
			}
		}
		return true
	})
}

func sample(purges []embedded.Record) []string {
	for _, p := range purges {
		var rc propagate.ResourceChange
		if json.Unmarshal(p.Value, &rc) == nil && len(rc.Explanation) >= 2 && strings.Contains(rc.Explanation[len(rc.Explanation)-1], "[") {
			return append([]string{rc.Meta.URI}, rc.Explanation...)
		}
	}
	return nil
}

func summariseChangeprop(out io.Writer, r ChangepropResult) {
	fmt.Fprintf(out, "  processed %d changes (entity edits, article and template edits, creations, deletions, moves) in %v\n",
		r.Changes, r.Elapsed.Round(time.Millisecond))
	fmt.Fprintf(out, "  purged    %d pages: of %d candidates, those whose change a purge sent later already covers were coalesced\n", r.Purges, r.Candidates)
	fmt.Fprintf(out, "            (the workload's oracle, replayed strictly in order and without coalescing, counts %d)\n", r.Exact)
	if r.Purges > 0 {
		fmt.Fprintf(out, "  broad     a broad approach (every transcluder, backlink, entity user) would send %d: %.1fx more\n",
			r.Broad, float64(r.Broad)/float64(r.Purges))
	}
	if len(r.Sample) > 0 {
		fmt.Fprintf(out, "  example   %s because:\n", r.Sample[0])
		for _, step := range r.Sample[1:] {
			fmt.Fprintf(out, "              %s\n", step)
		}
	}
	fmt.Fprintln(out, "  next      ripple deps gen | ripple deps replay --store pebble:/tmp/graph   (the same engine, no Kafka)")
}
