package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"sort"
	"sync/atomic"
	"time"

	"github.com/ripplestream/ripple/deps/propagate"
	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/jobs/changeprop"
	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/processor/embedded"
)

// Config sizes the demo.
type Config struct {
	// Events is the number of page_change events produced. Default 2000.
	Events int
	// Pages is the number of distinct pages edited. Default 120.
	Pages int
	// Seed makes the synthetic workload repeatable. Default 1.
	Seed uint64
	// Timeout bounds the whole run. Default 60 s.
	Timeout time.Duration
}

// WithDefaults returns c with what is unset filled in.
func (c Config) WithDefaults() Config {
	if c.Events == 0 {
		c.Events = 2000
	}
	if c.Pages == 0 {
		c.Pages = 120
	}
	if c.Seed == 0 {
		c.Seed = 1
	}
	if c.Timeout == 0 {
		c.Timeout = 60 * time.Second
	}
	return c
}

// Validate rejects sizes that cannot work.
func (c Config) Validate() error {
	if c.Events < 0 || c.Pages < 1 || c.Timeout <= 0 {
		return fmt.Errorf("demo: events (%d) must be >= 0, pages (%d) >= 1 and the timeout (%v) positive", c.Events, c.Pages, c.Timeout)
	}
	return nil
}

const (
	stream processor.Stream = "mediawiki.page_change.v1"
	group  processor.Group  = "demo-pagestats"
)

// Result is what the demo measured.
type Result struct {
	Produced, Processed, Canary int64
	Pages                       []PageStats
	Elapsed                     time.Duration
}

// PageStats is the state the job keeps per page.
type PageStats struct {
	Wiki    string `json:"wiki"`
	Title   string `json:"title"`
	Edits   int64  `json:"edits"`
	LastRev int64  `json:"last_rev"`
}

// Run starts the embedded broker, produces the workload, runs the job until it
// has consumed every event, checks its state against the workload and writes
// a summary to out.
func Run(ctx context.Context, cfg Config, out io.Writer) (Result, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return Result{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()

	broker, err := embedded.Start()
	if err != nil {
		return Result{}, err
	}
	defer broker.Close()
	fmt.Fprintf(out, "ripple demo: in-process Kafka-protocol broker on %v (embedded default, nothing installed)\n", broker.Addrs())

	events, want := workload(cfg)
	if err := produce(broker, events); err != nil {
		return Result{}, err
	}
	fmt.Fprintf(out, "  produced  %d %s events for %d pages on 3 wikis\n", len(events), stream, cfg.Pages)

	start := time.Now()
	res, err := process(ctx, broker, events, want)
	res.Elapsed = time.Since(start)
	if err != nil {
		return res, err
	}
	summarise(out, res)
	return res, nil
}

// counter is an EventHook counting what the job did with each event.
type counter struct{ ok, dropped, failed atomic.Int64 }

func (c *counter) OnEvent(e processor.EventInfo) {
	switch e.Outcome {
	case processor.OutcomeOK:
		c.ok.Add(1)
	case processor.OutcomeDropped:
		c.dropped.Add(1)
	default:
		c.failed.Add(1)
	}
}

// pageStatsJob keeps edit counts per page: the job a newcomer reads first.
func pageStatsJob() processor.Job[PageStats] {
	return processor.Job[PageStats]{
		Name:  group,
		State: event.JSON[PageStats]{},
		Inputs: []processor.Input[PageStats]{
			processor.On(stream, event.JSON[pageChange]{},
				func(c *processor.Context[PageStats], key string, ev pageChange) error {
					ps, _, err := c.State()
					if err != nil {
						return err
					}
					ps.Wiki, ps.Title = ev.WikiID, ev.Page.Title
					ps.Edits++
					ps.LastRev = max(ps.LastRev, ev.Revision.RevID)
					return c.SetState(ps)
				}),
		},
	}
}

func process(ctx context.Context, broker *embedded.Broker, events []pageChange, want map[string]PageStats) (_ Result, err error) {
	res := Result{Produced: int64(len(events))}
	var seen counter
	dir, err := os.MkdirTemp("", "ripple-demo-state-")
	if err != nil {
		return res, fmt.Errorf("demo: state directory: %w", err)
	}
	defer os.RemoveAll(dir)
	runner, err := processor.Start(ctx, pageStatsJob(), processor.Config{
		Brokers:      broker.Addrs(),
		KafkaVersion: embedded.KafkaVersion,
		StateDir:     dir, // Pebble, one database per partition
		Hooks:        []processor.Hook{&seen},
	})
	if err != nil {
		return res, err
	}
	defer func() { err = errors.Join(err, runner.Stop()) }()
	if err := runner.WaitReady(ctx); err != nil {
		return res, err
	}
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for seen.ok.Load()+seen.dropped.Load()+seen.failed.Load() < int64(len(events)) {
		select {
		case <-ctx.Done():
			return res, fmt.Errorf("demo: processed %d of %d events before the time limit: %w", seen.ok.Load(), len(events), ctx.Err())
		case <-runner.Done():
			return res, errors.New("demo: the job stopped early")
		case <-tick.C:
		}
	}
	res.Processed, res.Canary = seen.ok.Load()+seen.dropped.Load(), seen.dropped.Load()
	if f := seen.failed.Load(); f > 0 {
		return res, fmt.Errorf("demo: %d events failed", f)
	}
	for key, w := range want {
		got, _, err := runner.Get(key)
		if err != nil {
			return res, fmt.Errorf("demo: reading state of %s: %w", key, err)
		}
		if got != w {
			return res, fmt.Errorf("demo: state of %s is %+v, want %+v", key, got, w)
		}
		res.Pages = append(res.Pages, got)
	}
	return res, nil
}

func produce(broker *embedded.Broker, events []pageChange) error {
	if err := broker.CreateTopic(string(stream), 4); err != nil {
		return err
	}
	recs := make([]embedded.Record, len(events))
	for i, ev := range events {
		b, err := json.Marshal(ev)
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		recs[i] = embedded.Record{Key: ev.key(), Value: b}
	}
	return broker.Produce(string(stream), recs...)
}

func summarise(out io.Writer, res Result) {
	rate := float64(res.Processed) / res.Elapsed.Seconds()
	fmt.Fprintf(out, "  processed %d events in %v (%.0f events/s) with job %q (state in Pebble, changelogged to Kafka)\n",
		res.Processed, res.Elapsed.Round(time.Millisecond), rate, group)
	fmt.Fprintf(out, "  dropped   %d canary events (meta.domain == \"canary\")\n", res.Canary)
	fmt.Fprintf(out, "  checked   state of all %d pages against the workload: exact\n", len(res.Pages))
	sort.Slice(res.Pages, func(i, j int) bool {
		a, b := res.Pages[i], res.Pages[j]
		if a.Edits != b.Edits {
			return a.Edits > b.Edits
		}
		return a.Wiki+a.Title < b.Wiki+b.Title
	})
	fmt.Fprintln(out, "  most edited pages:")
	for _, p := range res.Pages[:min(5, len(res.Pages))] {
		fmt.Fprintf(out, "    %-13s %-10s %4d edits, last revision %d\n", p.Wiki, p.Title, p.Edits, p.LastRev)
	}
}

// workload makes cfg.Events page_change events with a skewed page choice and
// returns the per-page state the job must end with.
func workload(cfg Config) ([]pageChange, map[string]PageStats) {
	rng := rand.New(rand.NewPCG(cfg.Seed, cfg.Seed*7919))
	wikis := []string{"enwiki", "dewiki", "wikidatawiki"}
	sites := propagate.WikimediaSites()
	zipf := rand.NewZipf(rng, 1.2, 1, uint64(cfg.Pages-1))
	want := map[string]PageStats{}
	events := make([]pageChange, 0, cfg.Events)
	base := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for i := range cfg.Events {
		page := int64(zipf.Uint64())
		wiki := wikis[page%int64(len(wikis))]
		ev := pageChange{
			Schema:   "/mediawiki/page/change/1.2.0",
			Meta:     meta{Stream: string(stream), Domain: sites[wiki].Domain(), ID: fmt.Sprintf("00000000-0000-4000-8000-%012d", i), DT: base.Add(time.Duration(i) * time.Second)},
			DT:       base.Add(time.Duration(i) * time.Second),
			WikiID:   wiki,
			Kind:     "edit",
			Page:     page1{ID: page + 1, Title: fmt.Sprintf("Page_%d", page+1)},
			Revision: revision{RevID: int64(1000 + i)},
		}
		if i%100 == 99 {
			ev.Meta.Domain = "canary"
		} else {
			k := ev.key()
			ps := want[k]
			ps.Wiki, ps.Title = wiki, ev.Page.Title
			ps.Edits++
			ps.LastRev = ev.Revision.RevID
			want[k] = ps
		}
		events = append(events, ev)
	}
	return events, want
}

type meta struct {
	Stream string    `json:"stream"`
	ID     string    `json:"id"`
	DT     time.Time `json:"dt"`
	Domain string    `json:"domain"`
}

type page1 struct {
	ID    int64  `json:"page_id"`
	Title string `json:"page_title"`
	NS    int    `json:"namespace_id"`
}

type revision struct {
	RevID int64 `json:"rev_id"`
}

type pageChange struct {
	Schema   string    `json:"$schema"`
	Meta     meta      `json:"meta"`
	DT       time.Time `json:"dt"`
	WikiID   string    `json:"wiki_id"`
	Kind     string    `json:"page_change_kind"`
	Page     page1     `json:"page"`
	Revision revision  `json:"revision"`
}

func (p pageChange) key() string { return changeprop.PageKey(p.WikiID, p.Page.Title) }
