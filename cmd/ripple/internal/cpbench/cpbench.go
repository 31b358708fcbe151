// Package cpbench measures the changeprop job's change-to-purge latency at
// fixed input rates on a Kafka broker (`ripple bench changeprop`).
//
// It loads a generated graph into the store (pages transcluding templates),
// starts the job's two Kafka jobs (fan-out and coalesce) in this process,
// sends page changes at each rate for a while (mostly article edits, each
// purging its page; a share of template edits, each purging the template's
// transcluders) and reads the purges back. A purge's latency is the time
// from its change's event time (set when the change is sent) to when the
// purge is read, so it includes the producer's, the broker's and the
// consumer's share, not only the job's. The coalescing window is off: it
// holds a page's later purges on purpose, which is not latency.
package cpbench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/IBM/sarama"

	"github.com/ripplestream/ripple/deps"
	"github.com/ripplestream/ripple/deps/propagate"
	"github.com/ripplestream/ripple/internal/kafkaclient"
	"github.com/ripplestream/ripple/jobs/changeprop"
	"github.com/ripplestream/ripple/processor"
)

// Config configures a run.
type Config struct {
	// Kafka is the broker the job runs on.
	Kafka kafkaclient.Config
	// Store holds the graph; it must be empty of the pages Bench_N and
	// templates Template:Bench_N (a fresh store).
	Store deps.Store
	// StateDir holds the jobs' state.
	StateDir string
	// Rates are the input rates to measure, in changes per second.
	Rates []int
	// Duration is how long each rate is sent; Warmup the part of it at the
	// start whose purges are not counted.
	Duration, Warmup time.Duration
	// Pages and Templates shape the graph: page i transcludes template
	// i mod Templates, so a template edit purges Pages/Templates pages.
	Pages, Templates int
	// TemplateShare is the share of changes that are template edits.
	TemplateShare float64
	// Partitions of the input and purge topics.
	Partitions int
	// Progress, if set, is called about once a second while a rate runs.
	Progress func(rate int, sent, purges int)
	// WalkBatch is how many dependents one step of a fan-out reads
	// (propagate.Config.BatchSize; 0: changeprop.DefaultWalkBatch).
	WalkBatch int
	// Fanout, when positive, measures one template edit instead of the
	// rates: a template transcluded by Fanout pages (Pages and Templates
	// are then ignored), its purges read back (see Huge).
	Fanout int
	// WalkOnly, with Fanout, runs the fan-out job alone and waits for its
	// purge candidates rather than the purges: the walk without the
	// coalesce job's per-URI state and topics.
	WalkOnly bool
	// FetchWait is the fan-out job's processor.Config.FetchWait (0:
	// changeprop.FetchWait, as `ripple run` gives it).
	FetchWait time.Duration
}

// Huge is what the one-template measurement found.
type Huge struct {
	Pages int
	// WalkOnly: Purges counts candidates (Config.WalkOnly).
	WalkOnly bool
	// Load is how long storing the pages' dependency sets took.
	Load time.Duration
	// Purges read, in Elapsed from the edit's event time to the last.
	Purges  int
	Elapsed time.Duration
	// Walked is when the fan-out job emitted its last purge candidate,
	// from the edit's event time: the walk without the coalesce job.
	Walked time.Duration
	// Steps are the walk's steps, timed by their Continue records on the
	// job's loopback topic: StepP50 and StepMax of the time from one
	// step's Continue to the next (the loopback round trip and the step).
	Steps            int
	StepP50, StepMax time.Duration
	// PeakRSS is the process's peak resident set size after loading and
	// after the fan-out; CPU its CPU time over the fan-out.
	// TenthRSS is the peak RSS when a tenth of the purges had been read:
	// a walk in flat memory does not grow much past it.
	LoadedRSS, TenthRSS, PeakRSS int64
	CPU                          time.Duration
	// RunQueue is how long this process's threads were ready to run but
	// waited for a CPU over the fan-out (Linux schedstat; 0 elsewhere):
	// on a loaded machine, time the job neither computed nor waited on
	// Kafka.
	RunQueue time.Duration
}

// WithDefaults returns c with its unset fields set.
func (c Config) WithDefaults() Config {
	if len(c.Rates) == 0 {
		c.Rates = []int{1000, 5000, 20000}
	}
	if c.Duration == 0 {
		c.Duration = 20 * time.Second
	}
	if c.Warmup == 0 {
		c.Warmup = c.Duration / 4
	}
	if c.Pages == 0 {
		c.Pages = 100_000
	}
	if c.Templates == 0 {
		c.Templates = 1_000
	}
	if c.TemplateShare == 0 {
		c.TemplateShare = 0.001
	}
	if c.Partitions == 0 {
		c.Partitions = 4
	}
	if c.FetchWait == 0 {
		c.FetchWait = changeprop.FetchWait
	}
	return c
}

// Validate reports a configuration Run cannot use.
func (c Config) Validate() error {
	switch {
	case c.Store == nil:
		return errors.New("cpbench: no store")
	case c.StateDir == "":
		return errors.New("cpbench: no state directory")
	case c.Warmup >= c.Duration:
		return fmt.Errorf("cpbench: warm-up %v is not shorter than the duration %v", c.Warmup, c.Duration)
	case c.Templates <= 0 || c.Pages < c.Templates:
		return fmt.Errorf("cpbench: %d pages over %d templates: want at least one page a template", c.Pages, c.Templates)
	case c.TemplateShare < 0 || c.TemplateShare > 1:
		return fmt.Errorf("cpbench: template share %v is not in [0, 1]", c.TemplateShare)
	}
	for _, r := range c.Rates {
		if r <= 0 {
			return fmt.Errorf("cpbench: rate %d is not positive", r)
		}
	}
	if len(c.Kafka.Brokers) == 0 {
		return errors.New("cpbench: no brokers")
	}
	return nil
}

// Step is what one rate measured.
type Step struct {
	Rate int
	// Sent changes, at Achieved changes per second.
	Sent     int
	Achieved float64
	// Purges read. Fewer than the pages the changes affect: a purge sent
	// after a change covers it, so the job drops the purges covered that
	// way (propagate.Coalesced).
	Purges int
	// Latency percentiles of the purges of changes sent after the warm-up.
	P50, P99, Max time.Duration
	// CPU is this process's CPU time over the step (job, producer and
	// consumer together).
	CPU time.Duration
}

// Run loads the graph, starts the job and measures each rate in turn.
func Run(ctx context.Context, cfg Config, out io.Writer) ([]Step, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.Kafka = cfg.Kafka.WithDefaults() // the protocol version the job is given below
	if err := cfg.Kafka.Validate(); err != nil {
		return nil, err
	}
	prefix := fmt.Sprintf("bench-%d.", time.Now().UnixNano())
	topic := func(s string) string { return prefix + s }
	cp := changeprop.Config{Name: processor.Group(topic("changeprop")), Store: cfg.Store,
		Dependencies: processor.Stream(topic("page_dependencies")), PageChanges: processor.Stream(topic("page_change")),
		EntityChanges: processor.Stream(topic("entity_change")), Purges: processor.Stream(topic("purges")),
		Rerenders: processor.Stream(topic("rerenders")), CoalesceWindow: -1, Engine: propagate.Config{BatchSize: cfg.WalkBatch}}
	if err := createTopics(cfg, topic("page_dependencies"), topic("page_change"), topic("entity_change"), topic("purges"), topic("rerenders")); err != nil {
		return nil, err
	}
	if cfg.Fanout > 0 {
		cfg.Pages, cfg.Templates = cfg.Fanout, 1
	}
	fmt.Fprintf(out, "loading %d pages over %d templates into the store\n", cfg.Pages, cfg.Templates)
	loadStart := time.Now()
	if err := loadGraph(ctx, cfg); err != nil {
		return nil, err
	}
	load := time.Since(loadStart)
	fan, co, err := changeprop.Jobs(cp)
	if err != nil {
		return nil, err
	}
	pc := processor.Config{Brokers: cfg.Kafka.Brokers, StateDir: cfg.StateDir, KafkaVersion: cfg.Kafka.Version.String(), Security: cfg.Kafka.Security}
	pf := pc
	pf.FetchWait = cfg.FetchWait
	rf, err := processor.Start(ctx, fan, pf)
	if err != nil {
		return nil, err
	}
	defer rf.Stop()
	runners := []interface{ WaitReady(context.Context) error }{rf}
	if cfg.Fanout == 0 || !cfg.WalkOnly {
		rc, err := processor.Start(ctx, co, pc)
		if err != nil {
			return nil, err
		}
		defer rc.Stop()
		runners = append(runners, rc)
	}
	for _, rn := range runners {
		if err := rn.WaitReady(ctx); err != nil {
			return nil, fmt.Errorf("cpbench: starting the job: %w", err)
		}
	}
	mode := purgeTimes
	if cfg.Fanout > 0 {
		mode = counts // a map of millions of titles would be most of the peak RSS
	}
	purges, err := newReader(cfg.Kafka, string(cp.Purges), mode)
	if err != nil {
		return nil, err
	}
	defer purges.close()
	sender, err := newSender(cfg.Kafka, string(cp.PageChanges))
	if err != nil {
		return nil, err
	}
	defer sender.close()

	if cfg.Fanout > 0 {
		walk, err := newWalkReaders(cfg.Kafka, cp.CandidatesStream(), fan.LoopStream())
		if err != nil {
			return nil, err
		}
		defer walk.close()
		h, err := huge(ctx, cfg, sender, purges, walk)
		h.Load = load
		what := "purges"
		if h.WalkOnly {
			what = "candidates (the fan-out job alone)"
		}
		fmt.Fprintf(out, "one edit of a template transcluded by %d pages (loaded in %v): %d %s read in %v, %.0f/s; "+
			"the walk emitted its last candidate after %v (%.0f candidates/s) in %d steps (step to step p50 %v, max %v); "+
			"peak RSS %d MiB after loading, %d MiB at a tenth, %d MiB after the fan-out; %.1f CPU-s over the fan-out, %.1f s waiting for a CPU\n",
			h.Pages, h.Load.Round(time.Second), h.Purges, what, h.Elapsed.Round(time.Millisecond), float64(h.Purges)/h.Elapsed.Seconds(),
			h.Walked.Round(time.Millisecond), float64(h.Purges)/h.Walked.Seconds(), h.Steps, round(h.StepP50), round(h.StepMax),
			h.LoadedRSS>>20, h.TenthRSS>>20, h.PeakRSS>>20, h.CPU.Seconds(), h.RunQueue.Seconds())
		return nil, err
	}
	var steps []Step
	rng := rand.New(rand.NewPCG(1, 2))
	for _, rate := range cfg.Rates {
		st, err := measure(ctx, cfg, rate, rng, sender, purges)
		if err != nil {
			return steps, err
		}
		steps = append(steps, st)
	}
	return steps, nil
}

// measure sends rate changes a second for cfg.Duration and waits for
// their purges.
func measure(ctx context.Context, cfg Config, rate int, rng *rand.Rand, s *sender, r *reader) (Step, error) {
	st := Step{Rate: rate}
	cpu0 := cpuTime()
	start := time.Now()
	counted := start.Add(cfg.Warmup)
	r.reset(counted)
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	lastProgress := start
	var pending []change
	// Every change of the run is sent: a tick that comes late (a loaded
	// machine) sends what fell due meanwhile, the last one the rest, so
	// sent is rate x duration and a late process shows in achieved/s.
	total := int(float64(rate) * cfg.Duration.Seconds())
	for now := start; st.Sent < total; now = <-tick.C {
		due := total
		if el := now.Sub(start); el < cfg.Duration {
			due = int(float64(rate) * el.Seconds())
		}
		for ; st.Sent < due; st.Sent++ {
			if rng.Float64() < cfg.TemplateShare {
				t := rng.IntN(cfg.Templates)
				title := fmt.Sprintf("Template:Bench_%d", t)
				c := change{at: s.send(title, 10), pages: []string{title}}
				for i := t; i < cfg.Pages; i += cfg.Templates {
					c.pages = append(c.pages, fmt.Sprintf("Bench_%d", i))
				}
				pending = append(pending, c)
			} else {
				title := fmt.Sprintf("Bench_%d", rng.IntN(cfg.Pages))
				pending = append(pending, change{at: s.send(title, 0), pages: []string{title}})
			}
		}
		if cfg.Progress != nil && now.Sub(lastProgress) >= time.Second {
			lastProgress = now
			cfg.Progress(rate, st.Sent, r.count())
		}
		if err := ctx.Err(); err != nil {
			return st, err
		}
		if err := s.err(); err != nil {
			return st, err
		}
	}
	st.Achieved = float64(st.Sent) / time.Since(start).Seconds()
	deadline := time.Now().Add(2*time.Minute + cfg.Duration)
	for pending = r.uncovered(pending); len(pending) > 0; pending = r.uncovered(pending) {
		if time.Now().After(deadline) {
			return st, fmt.Errorf("cpbench: at %d/s, %d of %d changes still without a purge of every page they affect %v after the first: the job fell behind or lost purges",
				rate, len(pending), st.Sent, time.Since(start).Round(time.Second))
		}
		select {
		case <-ctx.Done():
			return st, ctx.Err()
		case <-tick.C:
		}
		if cfg.Progress != nil && time.Since(lastProgress) >= time.Second {
			lastProgress = time.Now()
			cfg.Progress(rate, st.Sent, r.count())
		}
	}
	st.CPU = cpuTime() - cpu0
	st.Purges = r.count()
	lat := r.latencies()
	if len(lat) > 0 {
		slices.Sort(lat)
		st.P50, st.P99, st.Max = percentile(lat, 0.50), percentile(lat, 0.99), lat[len(lat)-1]
	}
	return st, nil
}

// huge sends one edit of the template every page transcludes and waits
// for a purge of each page and the template.
func huge(ctx context.Context, cfg Config, s *sender, r *reader, walk walkReaders) (Huge, error) {
	h := Huge{Pages: cfg.Pages, LoadedRSS: peakRSS(), WalkOnly: cfg.WalkOnly}
	if cfg.WalkOnly {
		r = walk.candidates
	}
	r.reset(time.Time{})
	cpu0, rq0 := cpuTime(), runQueueWait()
	at := s.send("Template:Bench_0", 10)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	last, lastAt := 0, time.Now()
	for r.count() < cfg.Pages+1 {
		select {
		case <-ctx.Done():
			return h, ctx.Err()
		case <-tick.C:
		}
		if n := r.count(); n > last {
			last, lastAt = n, time.Now()
			if h.TenthRSS == 0 && n >= cfg.Pages/10 {
				h.TenthRSS = peakRSS()
			}
			if cfg.Progress != nil {
				cfg.Progress(0, 1, n)
			}
		} else if time.Since(lastAt) > 2*time.Minute {
			return h, fmt.Errorf("cpbench: %d of %d purges (or candidates) read; none for 2 min", n, cfg.Pages+1)
		}
		if err := s.err(); err != nil {
			return h, err
		}
	}
	h.Purges, h.Elapsed = r.count(), r.lastRead().Sub(at)
	h.CPU, h.PeakRSS, h.RunQueue = cpuTime()-cpu0, peakRSS(), runQueueWait()-rq0
	for walk.candidates.count() < cfg.Pages+1 { // read before the purges made of them, unless lagging
		select {
		case <-ctx.Done():
			return h, ctx.Err()
		case <-tick.C:
		}
	}
	h.Walked = walk.candidates.lastRead().Sub(at)
	stamps := walk.steps.stamps()
	slices.SortFunc(stamps, func(a, b time.Time) int { return a.Compare(b) })
	var gaps []time.Duration
	for i := 1; i < len(stamps); i++ {
		gaps = append(gaps, stamps[i].Sub(stamps[i-1]))
	}
	h.Steps = len(stamps)
	if len(gaps) > 0 {
		slices.Sort(gaps)
		h.StepP50, h.StepMax = percentile(gaps, 0.5), gaps[len(gaps)-1]
	}
	return h, nil
}

// peakRSS is the process's peak resident set size, in bytes.
func peakRSS() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Maxrss << 10 // kilobytes on Linux
}

// percentile is the nearest-rank percentile of sorted ds.
func percentile(ds []time.Duration, p float64) time.Duration {
	i := int(float64(len(ds))*p+0.999999) - 1
	return ds[min(max(i, 0), len(ds)-1)]
}

// runQueueWait is how long the process's live threads have waited on a
// run queue (the second field of /proc/self/task/*/schedstat, in ns).
func runQueueWait() time.Duration {
	tasks, _ := filepath.Glob("/proc/self/task/*/schedstat")
	var sum time.Duration
	for _, t := range tasks {
		b, err := os.ReadFile(t)
		if err != nil {
			continue
		}
		if f := strings.Fields(string(b)); len(f) >= 2 {
			ns, _ := strconv.ParseInt(f[1], 10, 64)
			sum += time.Duration(ns)
		}
	}
	return sum
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func createTopics(cfg Config, topics ...string) error {
	admin, err := sarama.NewClusterAdmin(cfg.Kafka.Brokers, cfg.Kafka.Sarama())
	if err != nil {
		return fmt.Errorf("cpbench: connecting to %v: %w; is the broker running (deploy/local/kafka up)?", cfg.Kafka.Brokers, err)
	}
	defer admin.Close()
	for _, t := range topics {
		err := admin.CreateTopic(t, &sarama.TopicDetail{NumPartitions: int32(cfg.Partitions), ReplicationFactor: 1}, false)
		if err != nil && !errors.Is(err, sarama.ErrTopicAlreadyExists) {
			return fmt.Errorf("cpbench: creating %s: %w", t, err)
		}
	}
	return nil
}

// loadGraph stores the dependency sets of the pages.
func loadGraph(ctx context.Context, cfg Config) error {
	const batch = 1000
	for from := 0; from < cfg.Pages; from += batch {
		pages := make([]deps.PageDeps, 0, batch)
		for i := from; i < min(from+batch, cfg.Pages); i++ {
			pages = append(pages, deps.PageDeps{Wiki: "enwiki", Page: deps.PageRef{Title: fmt.Sprintf("Bench_%d", i)}, RevID: 1,
				Templates: []string{fmt.Sprintf("Template:Bench_%d", i%cfg.Templates)}})
		}
		if _, err := deps.PutPages(ctx, cfg.Store, pages); err != nil {
			return fmt.Errorf("cpbench: loading the graph: %w", err)
		}
	}
	return nil
}

// sender sends page changes asynchronously.
type sender struct {
	p     sarama.AsyncProducer
	topic string
	rev   int64
	mu    sync.Mutex
	first error
	done  chan struct{}
}

func newSender(kc kafkaclient.Config, topic string) (*sender, error) {
	sc := kc.Sarama()
	sc.Producer.Return.Successes = false
	sc.Producer.Return.Errors = true
	sc.Producer.Flush.Frequency = time.Millisecond
	p, err := sarama.NewAsyncProducer(kc.Brokers, sc)
	if err != nil {
		return nil, fmt.Errorf("cpbench: producer: %w", err)
	}
	s := &sender{p: p, topic: topic, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		for e := range p.Errors() {
			s.mu.Lock()
			if s.first == nil {
				s.first = fmt.Errorf("cpbench: sending a change: %w", e.Err)
			}
			s.mu.Unlock()
		}
	}()
	return s, nil
}

// send sends an edit of title and returns its event time.
func (s *sender) send(title string, ns int) time.Time {
	s.rev++
	at := time.Now().UTC()
	now := at.Format(time.RFC3339Nano)
	v := fmt.Sprintf(`{"$schema":"/mediawiki/page/change/1.2.0","dt":%q,"meta":{"stream":"mediawiki.page_change.v1","dt":%q,"domain":"en.wikipedia.org"},`+
		`"wiki_id":"enwiki","page_change_kind":"edit","changelog_kind":"update","page":{"page_id":%d,"page_title":%q,"namespace_id":%d},`+
		`"revision":{"rev_id":%d,"rev_dt":%q}}`, now, now, s.rev, title, ns, s.rev, now)
	s.p.Input() <- &sarama.ProducerMessage{Topic: s.topic, Key: sarama.StringEncoder(changeprop.PageKey("enwiki", title)), Value: sarama.StringEncoder(v)}
	return at
}

// change is a change sent: when, and the pages it must get purged.
type change struct {
	at    time.Time
	pages []string
}

func (s *sender) err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.first
}

func (s *sender) close() {
	s.p.AsyncClose()
	<-s.done
}

// reader reads the purges and records their latency.
type reader struct {
	mode  readMode
	ts    []time.Time // record timestamps (stamps)
	c     sarama.Consumer
	pcs   []sarama.PartitionConsumer
	wg    sync.WaitGroup
	mu    sync.Mutex
	n     int
	since time.Time // purges of changes before it are not timed
	lat   []time.Duration
	sent  map[string]time.Time // by page title, when its latest purge was sent
	last  time.Time            // when the latest purge was read
}

// readMode is what a reader keeps of its records: it counts them all.
type readMode int

const (
	// purgeTimes decodes purges, times them and keeps the latest of each
	// page (measure).
	purgeTimes readMode = iota
	counts
	// stamps keeps the record timestamps (set by the producer).
	stamps
)

func newReader(kc kafkaclient.Config, topic string, mode readMode) (*reader, error) {
	c, err := sarama.NewConsumer(kc.Brokers, kc.Sarama())
	if err != nil {
		return nil, fmt.Errorf("cpbench: consumer: %w", err)
	}
	parts, err := c.Partitions(topic)
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("cpbench: partitions of %s: %w", topic, err)
	}
	r := &reader{c: c, sent: map[string]time.Time{}, mode: mode}
	for _, p := range parts {
		pc, err := c.ConsumePartition(topic, p, sarama.OffsetOldest)
		if err != nil {
			r.close()
			return nil, fmt.Errorf("cpbench: reading %s: %w", topic, err)
		}
		r.pcs = append(r.pcs, pc)
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			for m := range pc.Messages() {
				r.take(m, time.Now())
			}
		}()
	}
	return r, nil
}

// take records m, read at at.
func (r *reader) take(m *sarama.ConsumerMessage, at time.Time) {
	if r.mode == purgeTimes {
		r.add(m.Value, at)
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.n++
	r.last = at
	if r.mode == stamps {
		r.ts = append(r.ts, m.Timestamp)
	}
}

// add records purge v, read at at.
func (r *reader) add(v []byte, at time.Time) {
	var rc struct {
		Meta struct {
			URI string    `json:"uri"`
			DT  time.Time `json:"dt"`
		} `json:"meta"`
		RootEvent struct {
			DT time.Time `json:"dt"`
		} `json:"root_event"`
	}
	err := json.Unmarshal(v, &rc)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.n++
	r.last = at
	if err != nil {
		return
	}
	if !rc.RootEvent.DT.Before(r.since) {
		r.lat = append(r.lat, at.Sub(rc.RootEvent.DT))
	}
	title := rc.Meta.URI[strings.LastIndexByte(rc.Meta.URI, '/')+1:]
	if rc.Meta.DT.After(r.sent[title]) {
		r.sent[title] = rc.Meta.DT
	}
}

// uncovered returns the changes some of whose pages have no purge sent
// at or after the change yet.
func (r *reader) uncovered(cs []change) []change {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := cs[:0]
	for _, c := range cs {
		for _, p := range c.pages {
			if r.sent[p].Before(c.at) {
				out = append(out, c)
				break
			}
		}
	}
	return out
}

// reset starts a step: counts from zero, timing purges of changes sent
// from since on.
func (r *reader) reset(since time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.n, r.since, r.lat = 0, since, nil
}

func (r *reader) lastRead() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.last
}

func (r *reader) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n
}

func (r *reader) stamps() []time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.ts)
}

func (r *reader) latencies() []time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.lat)
}

func (r *reader) close() {
	for _, pc := range r.pcs {
		pc.AsyncClose()
	}
	r.wg.Wait()
	r.c.Close()
}

// walkReaders read what the fan-out job itself writes: its purge
// candidates (counted), and its Continue records (their timestamps, one a
// step).
type walkReaders struct{ candidates, steps *reader }

func newWalkReaders(kc kafkaclient.Config, candidates, loop processor.Stream) (walkReaders, error) {
	c, err := newReader(kc, string(candidates), counts)
	if err != nil {
		return walkReaders{}, err
	}
	s, err := newReader(kc, string(loop), stamps)
	if err != nil {
		c.close()
		return walkReaders{}, err
	}
	return walkReaders{candidates: c, steps: s}, nil
}

func (w walkReaders) close() {
	w.candidates.close()
	w.steps.close()
}

// Table writes steps as a Markdown table.
func Table(w io.Writer, steps []Step) {
	fmt.Fprintln(w, "| rate (changes/s) | sent | achieved/s | purges read | p50 | p99 | max | CPU-s | changes per CPU-s |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|")
	for _, s := range steps {
		per := 0.0
		if s.CPU > 0 {
			per = float64(s.Sent) / s.CPU.Seconds()
		}
		fmt.Fprintf(w, "| %d | %d | %.0f | %d | %v | %v | %v | %.1f | %.0f |\n", s.Rate, s.Sent, s.Achieved, s.Purges,
			round(s.P50), round(s.P99), round(s.Max), s.CPU.Seconds(), per)
	}
}

func round(d time.Duration) string { return d.Round(100 * time.Microsecond).String() }
