package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/ripplestream/ripple/deps"
	"github.com/ripplestream/ripple/deps/dgraphstore"
	"github.com/ripplestream/ripple/deps/pebblestore"
	"github.com/ripplestream/ripple/deps/propagate"
	"github.com/ripplestream/ripple/deps/replay"
	"github.com/ripplestream/ripple/deps/workload"
)

const storeHelp = "dependency store: pebble:DIR (embedded) or dgraph:HOST:PORT (Dgraph alpha gRPC)"

const windowHelp = "coalesce purges of one page by event time with the changeprop job's rules: the first is written at once, " +
	"later ones within this long of it merge into one written when the window closes (after every change it covers); " +
	"0: only drop purges already covered by one written after their change; negative: write every purge"

func runDeps(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	subs := map[string]func(context.Context, []string, io.Writer, io.Writer) error{
		"replay": depsReplay, "load": depsLoad, "gen": depsGen, "explain": depsExplain, "dependents": depsDependents,
		"aspects": depsAspects, "parse": depsParse,
	}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stdout, `Usage: ripple deps <command> [flags]

Dependency tracking: keep the page/template/file/entity graph and compute
precise purges.

Commands:
  replay      apply input events (JSON lines) and print the purge events they cause
  load        apply only the dependency sets of a file (build a graph)
  gen         write a synthetic Wikidata-like workload with its ground truth
  explain     show what a page depends on, i.e. which changes purge it and why
  dependents  list the pages that depend on a title or entity
  parse       derive a page's dependencies event from its wikitext (stdin)
  aspects     derive the changed usage aspects from two revisions of an entity's JSON

Start here:
  ripple deps gen --changes 2000 > work.jsonl
  ripple deps replay --store pebble:/tmp/graph --in work.jsonl > purges.jsonl
`)
		return nil
	}
	sub, ok := subs[args[0]]
	if !ok {
		return fmt.Errorf("unknown deps command %q; run `ripple deps help`", args[0])
	}
	return sub(ctx, args[1:], stdout, stderr)
}

// openStore opens a store from its spec.
func openStore(ctx context.Context, spec string) (deps.Store, error) {
	kind, where, ok := strings.Cut(spec, ":")
	switch {
	case !ok || where == "":
		return nil, fmt.Errorf("--store %q: want pebble:DIR or dgraph:HOST:PORT", spec)
	case kind == "pebble":
		return pebblestore.Open(pebblestore.Config{Dir: where})
	case kind == "dgraph":
		return dgraphstore.Open(ctx, dgraphstore.Config{Addrs: []string{where}})
	}
	return nil, fmt.Errorf("--store %q: unknown store %q; want pebble:DIR or dgraph:HOST:PORT", spec, kind)
}

func openInput(path string) (io.ReadCloser, error) {
	if path == "-" || path == "" {
		return io.NopCloser(os.Stdin), nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--in: %w", err)
	}
	return f, nil
}

// progress prints a one-line progress report to a terminal, at most every
// 200 ms; it prints nothing when w is not a terminal.
func progress(w io.Writer, total int) func(replay.Summary) {
	if !terminal(w) {
		return nil
	}
	var last time.Time
	return func(s replay.Summary) {
		if time.Since(last) < 200*time.Millisecond {
			return
		}
		last = time.Now()
		if total > 0 {
			fmt.Fprintf(w, "\r%s %d/%d lines, %d purges", bar(s.Lines, total), s.Lines, total, s.Purges)
		} else {
			fmt.Fprintf(w, "\r%d lines, %d purges", s.Lines, s.Purges)
		}
	}
}

// terminal reports whether w is a terminal, where progress lines go.
func terminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func bar(done, total int) string {
	const width = 30
	n := min(width, done*width/max(total, 1))
	return "[" + strings.Repeat("#", n) + strings.Repeat(".", width-n) + "]"
}

func replayLike(ctx context.Context, name, about string, args []string, stdout, stderr io.Writer, loadOnly bool) error {
	fs := newFlags("deps "+name, about, "ripple deps "+name+" --store pebble:/tmp/graph --in work.jsonl", stderr)
	store := fs.String("store", "", storeHelp)
	in := fs.String("in", "-", "input file of JSON lines, - for stdin")
	window := fs.Duration("window", propagate.DefaultWindow, windowHelp)
	rerender := fs.Bool("rerender", false, "also print page_rerender events for pages whose text changed")
	batch := fs.Int("batch", replay.DefaultBatch, "store up to this many consecutive dependency sets with one call "+
		"(on Dgraph, a few transactions instead of one per set); 1: one at a time")
	sitesFile := fs.String("sites", "", "site table file (YAML: wiki id -> server, article_path, mobile_server) laid over "+
		"the Wikimedia wikis ripple ships; purges on a wiki in neither are bad lines")
	mobile := fs.Bool("mobile", false, "also purge each page's URL on its wiki's mobile site")
	if err := fs.Parse(args); err != nil {
		return err
	}
	sites := propagate.WikimediaSites()
	if *sitesFile != "" {
		own, err := propagate.LoadSites(*sitesFile)
		if err != nil {
			return fmt.Errorf("--sites: %w", err)
		}
		sites = sites.Merge(own)
	}
	if *batch < 1 {
		return fmt.Errorf("--batch %d: want 1 or more", *batch)
	}
	if *store == "" {
		fs.Usage()
		return errors.New("--store is required")
	}
	st, err := openStore(ctx, *store)
	if err != nil {
		return err
	}
	defer st.Close()
	r, err := openInput(*in)
	if err != nil {
		return err
	}
	defer r.Close()
	cfg := replay.Config{Window: *window, Rerender: *rerender, LoadOnly: loadOnly, Batch: *batch, Progress: progress(stderr, 0),
		Sites: sites, MobilePurges: *mobile}
	sum, err := replay.Run(ctx, st, r, stdout, stderr, cfg)
	if cfg.Progress != nil {
		fmt.Fprintln(stderr)
	}
	fmt.Fprintf(stderr, "ripple deps %s: %v\n", name, sum)
	if err != nil {
		return err
	}
	if sum.Bad > 0 {
		return fmt.Errorf("%d of %d input lines were bad and skipped (see the messages above); fix or drop them and rerun", sum.Bad, sum.Lines)
	}
	return nil
}

func depsReplay(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return replayLike(ctx, "replay", `Reads input events as JSON lines (ripple/page/dependencies,
mediawiki/page/change and ripple/entity/change, mixed, in order), applies
them to the store and prints every resource_change purge event (and with
--rerender, page_rerender) as one JSON line. Bad lines are reported on stderr
with their line number, skipped and counted.`, args, stdout, stderr, false)
}

func depsLoad(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return replayLike(ctx, "load", `Applies the ripple/page/dependencies events of a file to the store and
skips every other line: it builds a dependency graph without emitting purges.`, args, stdout, stderr, true)
}

func depsGen(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg workload.Config
	fs := newFlags("deps gen", `Writes a synthetic Wikidata-like workload as JSON lines: the dependency sets
of every page (Zipf template use, nested templates, links, entity usage with
a Wikibase-like aspect mix), then changes, made in overlapping edit sessions
(a bot editing one item several times seconds apart, an editor saving an
article twice, a template fixed in a burst). Prints on stderr how many purges
its ground-truth oracle calls for and how many a broad approach (every
transcluder, backlink and entity user of what changed, regardless of the kind
of change and of aspect) would send, and a kind-aware one (transcluders for
edits, backlinks for creations, deletions and moves, every entity user).
With --score STORE it also replays the workload and scores the engine.`, "ripple deps gen --changes 5000 --score pebble:/tmp/g > work.jsonl", stderr)
	fs.Uint64Var(&cfg.Seed, "seed", 1, "random seed")
	fs.IntVar(&cfg.Pages, "pages", 2000, "articles")
	fs.IntVar(&cfg.Templates, "templates", 200, "templates")
	fs.IntVar(&cfg.Entities, "entities", 500, "Wikibase items that articles name (70% of articles also have an item of their own)")
	fs.IntVar(&cfg.Items, "items", 1, "mean number of items an article names through Wikidata, by label (4: a wiki whose infoboxes come from Wikidata)")
	fs.IntVar(&cfg.Changes, "changes", 3000, "changes after the initial parses")
	fs.BoolVar(&cfg.Sessions.Off, "no-sessions", false, "make every change its own edit session (no bursts)")
	fs.Float64Var(&cfg.Sessions.Entity.Edits, "entity-session-edits", 4, "mean edits of one item per Wikidata edit session")
	fs.DurationVar(&cfg.Sessions.Entity.Gap, "entity-session-gap", 3*time.Second, "mean time between two edits of a Wikidata edit session")
	fs.IntVar(&cfg.Documented, "documented", 70, "percentage of templates with <noinclude>{{Documentation}}</noinclude> (negative: none)")
	fs.IntVar(&cfg.NoincludeEdits, "noinclude-edits", 20, "percentage of the edits of documented templates that touch only <noinclude> (negative: none)")
	fs.IntVar(&cfg.MoveRedirects, "move-redirects", 0, "percentage of moves that leave a redirect at the old title (0: none)")
	fs.BoolVar(&cfg.ParseAfterEdit, "parse-after-edit", false, "send a template edit's dependencies event after its page change (the engine then cannot tell a noinclude-only edit)")
	score := fs.String("score", "", "replay into this store ("+storeHelp+"; must be empty) and print precision, recall and purge counts")
	window := fs.Duration("window", propagate.DefaultWindow, "with --score: "+windowHelp)
	if err := fs.Parse(args); err != nil {
		return err
	}
	w, err := workload.Generate(cfg)
	if err != nil {
		return err
	}
	for _, l := range w.Lines {
		if _, err := fmt.Fprintf(stdout, "%s\n", l); err != nil {
			return err
		}
	}
	exact, broad := w.Totals()
	fmt.Fprintf(stderr, "ripple deps gen: %d lines, %d changes; oracle: %d purges; broad approach: %d purges (kind-aware: %d)\n",
		len(w.Lines), len(w.Truth), exact, broad, w.KindAwareTotal())
	for _, k := range w.ByKind() {
		fmt.Fprintf(stderr, "  %-23s %5d changes: oracle %6d purges, broad %6d, kind-aware %6d\n", k.Kind, k.Changes, k.Exact, k.Broad, k.KindAware)
	}
	if *score == "" {
		return nil
	}
	st, err := openStore(ctx, *score)
	if err != nil {
		return err
	}
	defer st.Close()
	s, _, err := workload.Evaluate(ctx, w, st, *window)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "ripple deps gen: %v\n", s)
	return nil
}
