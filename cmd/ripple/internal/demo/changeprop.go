package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/ripplestream/ripple/cmd/ripple/internal/progress"
	"github.com/ripplestream/ripple/deps"
	"github.com/ripplestream/ripple/deps/pebblestore"
	"github.com/ripplestream/ripple/deps/propagate"
	depsworkload "github.com/ripplestream/ripple/deps/workload"
	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/jobs/changeprop"
	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/processor/embedded"
)

// ChangepropResult is what the change-propagation demo counted and
// measured.
type ChangepropResult struct {
	// Counts are the same on every run with the same seed.
	Counts Counts
	// Run is what the jobs did on Kafka; it varies from run to run.
	Run Measured
	// Groups names the jobs' consumer groups.
	Groups string
	// Sample is one purge's URI and the dependency path that explains it.
	Sample []string
}

// purgeStream is where the demo's purges go: one stream for all kinds, so
// that one consumer sees them all.
const purgeStream processor.Stream = "resource_change"

// rate is how many changes per second the demo produces: a steady load
// the jobs keep up with on a laptop, so that the latency is not the wait
// behind a burst.
const rate = 250

// RunChangeprop generates a Wikidata-like workload, counts what it needs
// by replaying it in order through the propagation engine, then runs
// ripple's change-propagation jobs on it on the embedded default
// (in-process broker, Pebble graph store), and summarises both.
func RunChangeprop(ctx context.Context, cfg Config, out io.Writer) (res ChangepropResult, err error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return res, err
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	w, err := workloadOf(cfg)
	if err != nil {
		return res, err
	}
	dir, err := os.MkdirTemp("", "ripple-demo-")
	if err != nil {
		return res, fmt.Errorf("demo: state directory: %w", err)
	}
	defer os.RemoveAll(dir)
	fmt.Fprintf(out, "ripple demo: change propagation (seed %d) on an in-process Kafka-protocol broker and an embedded Pebble graph; nothing installed\n", cfg.Seed)
	if res.Counts, err = count(ctx, w, dir+"/replay"); err != nil {
		return res, err
	}
	summariseCounts(out, res.Counts)
	fmt.Fprintf(out, "measured (the changeprop jobs on the in-process broker; varies from run to run):\n")
	if err := runOnBroker(ctx, w, dir, out, &res); err != nil {
		return res, err
	}
	summariseRun(out, res)
	return res, nil
}

// CountChangeprop counts what the demo's workload needs (see Counts),
// without Kafka.
func CountChangeprop(ctx context.Context, cfg Config) (Counts, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return Counts{}, err
	}
	w, err := workloadOf(cfg)
	if err != nil {
		return Counts{}, err
	}
	dir, err := os.MkdirTemp("", "ripple-demo-")
	if err != nil {
		return Counts{}, fmt.Errorf("demo: state directory: %w", err)
	}
	defer os.RemoveAll(dir)
	return count(ctx, w, dir)
}

// workloadOf generates the workload of cfg: a wiki of cfg.Pages articles
// and cfg.Events changes.
func workloadOf(cfg Config) (*depsworkload.Workload, error) {
	return depsworkload.Generate(depsworkload.Config{Seed: cfg.Seed, Pages: max(cfg.Pages, 10), Templates: max(cfg.Pages/10, 2),
		Entities: max(cfg.Pages/4, 1), Changes: cfg.Events})
}

// count replays w in order through the propagation engine, on a Pebble
// graph in dir, with the job's default coalescing window over the
// changes' event times, and scores it against the workload's oracle.
// Nothing in it depends on timing.
func count(ctx context.Context, w *depsworkload.Workload, dir string) (Counts, error) {
	store, err := pebblestore.Open(pebblestore.Config{Dir: dir})
	if err != nil {
		return Counts{}, err
	}
	defer store.Close()
	s, _, err := depsworkload.Evaluate(ctx, w, store, changeprop.DefaultCoalesceWindow)
	if err != nil {
		return Counts{}, err
	}
	n, err := firstChange(w)
	if err != nil {
		return Counts{}, err
	}
	return Counts{DependencySets: n, Changes: len(w.Truth), Reparses: len(w.Lines) - n - len(w.Truth),
		Broad: s.Broad, Oracle: s.Exact, Needed: s.TruePositives + s.FalsePositives, Missed: s.FalseNegatives, Extra: s.FalsePositives,
		Window: s.Window, Sent: s.Emitted}, nil
}

// running is the two changeprop jobs on the embedded broker, with what
// their hooks counted.
type running struct {
	broker  *embedded.Broker
	cp      changeprop.Config
	fan, co *tally
	done    [2]<-chan struct{} // closed when a job has stopped
}

// runOnBroker starts the changeprop jobs on the embedded broker, waits until
// both are ready and drives them (see drive).
func runOnBroker(ctx context.Context, w *depsworkload.Workload, dir string, out io.Writer, res *ChangepropResult) (err error) {
	start := time.Now()
	broker, err := embedded.Start()
	if err != nil {
		return err
	}
	defer broker.Close()
	store, err := pebblestore.Open(pebblestore.Config{Dir: dir + "/graph"})
	if err != nil {
		return err
	}
	defer store.Close()
	// No coalescing window: it holds purges for seconds of processing
	// time, longer than this run lasts. A purge is then dropped only when
	// one of its URI was sent after its change was produced.
	cp := changeprop.Config{Store: store, CoalesceWindow: -1, Purges: purgeStream}.WithDefaults()
	if err := cp.Validate(); err != nil {
		return err
	}
	for _, s := range []processor.Stream{cp.Dependencies, cp.PageChanges, cp.EntityChanges, purgeStream} {
		if err := broker.CreateTopic(string(s), 4); err != nil {
			return err
		}
	}
	fan, co, err := changeprop.Jobs(cp)
	if err != nil {
		return err
	}
	res.Groups = string(fan.Name) + " and " + string(co.Name)
	rn := &running{broker: broker, cp: cp, fan: &tally{changeStreams: []processor.Stream{cp.PageChanges, cp.EntityChanges}}, co: &tally{}}
	pc := func(sub string, h processor.Hook) processor.Config {
		return processor.Config{Brokers: broker.Addrs(), KafkaVersion: embedded.KafkaVersion,
			StateDir: dir + "/" + sub, Hooks: []processor.Hook{h}}
	}
	fr, err := processor.Start(ctx, fan, pc("fanout", rn.fan))
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, fr.Stop()) }()
	cr, err := processor.Start(ctx, co, pc("coalesce", rn.co))
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, cr.Stop()) }()
	if err := fr.WaitReady(ctx); err != nil {
		return err
	}
	if err := cr.WaitReady(ctx); err != nil {
		return err
	}
	res.Run.Setup = time.Since(start)
	rn.done = [2]<-chan struct{}{fr.Done(), cr.Done()}
	return drive(ctx, rn, w, out, res)
}

// drive loads the graph, produces the changes at a steady rate and
// measures what arrives on the purge stream.
func drive(ctx context.Context, rn *running, w *depsworkload.Workload, out io.Writer, res *ChangepropResult) error {
	purges, err := receive(rn.broker, string(purgeStream))
	if err != nil {
		return err
	}
	defer purges.Close()
	f, err := newFeeder(rn.broker, rn.fan, rn.co, rn.done)
	if err != nil {
		return err
	}
	defer f.Close()
	n, err := firstChange(w)
	if err != nil {
		return err
	}
	load, err := routed(rn.cp, w, 0, n)
	if err != nil {
		return err
	}
	changes, err := routed(rn.cp, w, n, len(w.Lines))
	if err != nil {
		return err
	}
	m := &res.Run
	start := time.Now()
	if _, err := f.send(load); err != nil {
		return err
	}
	if err := f.settle(ctx, func() {}); err != nil {
		return fmt.Errorf("demo: loading the graph: %w", err)
	}
	m.Load = time.Since(start)

	start = time.Now()
	roots, err := processChanges(ctx, rn, f, purges, changes, progress.New(out, int64(res.Counts.Changes), "changes", "changes"))
	if err != nil {
		return err
	}
	m.Processing = time.Since(start)

	cands, err := rn.broker.Consume(string(rn.cp.CandidatesStream()))
	if err != nil {
		return err
	}
	m.Candidates = len(cands)
	if m.Missed, m.Extra, err = compare(w, rn.cp.Sites, roots, cands); err != nil {
		return err
	}
	sent, latency := purges.result()
	m.Purges, m.Latency, res.Sample = len(sent), latencyOf(latency), sample(sent)
	return nil
}

// processChanges produces the changes at rate and waits until the jobs have
// handled them and every purge has arrived. It returns the line of each
// change by its purges' root_event (signature@dt).
func processChanges(ctx context.Context, rn *running, f *feeder, purges *receiver, changes []line, bar *progress.Bar) (map[string]int, error) {
	defer bar.Done()
	roots := map[string]int{}
	err := f.pace(ctx, changes, rate, func(sent []line, stamps []string) {
		for i, l := range sent {
			if l.change {
				roots[l.sig+"@"+stamps[i]] = l.n
			}
		}
		bar.Set(rn.fan.changes.Load())
	})
	if err != nil {
		return nil, err
	}
	if err := f.settle(ctx, func() { bar.Set(rn.fan.changes.Load()) }); err != nil {
		return nil, err
	}
	return roots, waitArrived(ctx, rn.broker, rn.cp, purges, rn.co)
}

// firstChange returns the index of the workload's first line after the
// initial parses.
func firstChange(w *depsworkload.Workload) (int, error) {
	for i, l := range w.Lines {
		env, err := event.PeekEnvelope(l)
		if err != nil {
			return 0, fmt.Errorf("demo: workload line %d: %w", i+1, err)
		}
		if env.Schema != deps.DependenciesSchema {
			return i, nil
		}
	}
	return len(w.Lines), nil
}

// waitArrived waits until every event the coalesce job has emitted, purges
// and re-index requests, has reached its stream, and every purge the
// receiver.
func waitArrived(ctx context.Context, b *embedded.Broker, cp changeprop.Config, purges *receiver, coSeen *tally) error {
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		got, err := purges.received()
		if err != nil {
			return err
		}
		rerenders, err := b.Count(string(cp.Rerenders))
		if err != nil {
			return err
		}
		if int64(got)+rerenders >= coSeen.emitted.Load() {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("demo: %d of the purges and re-index requests sent have arrived: %w", int64(got)+rerenders, ctx.Err())
		case <-tick.C:
		}
	}
}

// compare matches the fan-out's candidates with the oracle. A page the
// oracle says change n needs is missed (left stale) unless a candidate
// purges it for n or for a change after n: a purge issued after a later
// change happened re-renders the page with n's effect too, which is how a
// newer walk that covers an unfinished older one stands in for it
// (changeprop.State). A candidate is extra when its page is needed by
// neither its change nor any change before it.
func compare(w *depsworkload.Workload, sites propagate.Sites, roots map[string]int, cands []embedded.Record) (missed, extra int, err error) {
	purgedBy := map[string][]int{} // URI -> the changes that purged it
	for _, r := range cands {
		c, err := changeprop.CandidateCodec{}.Decode(r.Value)
		if err != nil {
			return 0, 0, fmt.Errorf("demo: a purge candidate: %w", err)
		}
		dt, _ := c.Purge.RootEvent.DT.MarshalJSON()
		n, ok := roots[c.Purge.RootEvent.Signature+"@"+string(dt)]
		if !ok {
			extra++ // a purge of no change the demo sent
			continue
		}
		purgedBy[c.Purge.Meta.URI] = append(purgedBy[c.Purge.Meta.URI], n)
	}
	needed := map[int]map[string]bool{} // change -> the URIs it needs
	firstNeeded := map[string]int{}     // URI -> the first change that needs it
	for n, titles := range w.Truth {
		needed[n] = map[string]bool{}
		for _, t := range titles {
			wiki, title, _ := strings.Cut(t, ":")
			site, err := sites.Site(wiki)
			if err != nil {
				return 0, 0, err
			}
			uri := site.URL(title)
			needed[n][uri] = true
			if first, ok := firstNeeded[uri]; !ok || n < first {
				firstNeeded[uri] = n
			}
		}
	}
	for n, uris := range needed {
		for uri := range uris {
			if !slices.ContainsFunc(purgedBy[uri], func(m int) bool { return m >= n }) {
				missed++
			}
		}
	}
	for uri, by := range purgedBy {
		for _, m := range by {
			if first, ok := firstNeeded[uri]; !needed[m][uri] && (!ok || first > m) {
				extra++
			}
		}
	}
	return missed, extra, nil
}

// sample returns a purge that an entity usage explains, with its path:
// of those, the first by URI, so that every run shows the same.
func sample(purges []propagate.ResourceChange) []string {
	var best []string
	for _, rc := range purges {
		if len(rc.Explanation) >= 2 && strings.Contains(rc.Explanation[len(rc.Explanation)-1], "[") &&
			(best == nil || rc.Meta.URI < best[0]) {
			best = append([]string{rc.Meta.URI}, rc.Explanation...)
		}
	}
	return best
}
