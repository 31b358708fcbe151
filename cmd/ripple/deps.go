package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ripplestream/ripple/cmd/ripple/internal/progress"
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

func depsCmd() *cobra.Command {
	return group(&cobra.Command{
		Use:   "deps",
		Short: "dependency tracking: replay, load, gen, explain, dependents, parse, aspects",
		Long: `Dependency tracking: keep the page/template/file/entity graph and compute
precise purges.`,
		Example: `  ripple deps gen --changes 2000 > work.jsonl
  ripple deps replay --store pebble:/tmp/graph work.jsonl > purges.jsonl
  ripple deps explain --store pebble:/tmp/graph --page Article_1`,
	}, depsReplayCmd(), depsLoadCmd(), depsGenCmd(), depsExplainCmd(), depsDependentsCmd(), depsParseCmd(), depsAspectsCmd())
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

// replayFlags are the flags of deps replay and deps load.
type replayFlags struct {
	store, in, sites string
	window           time.Duration
	rerender, mobile bool
	batch            int
}

func replayLikeCmd(name, short, long string, loadOnly bool) *cobra.Command {
	var f replayFlags
	example := "  ripple deps " + name + " --store pebble:/tmp/graph work.jsonl\n  ripple deps gen | ripple deps " + name + " --store pebble:/tmp/graph"
	cmd := &cobra.Command{
		Use:     name + " [FILE]",
		Short:   short,
		Long:    long + "\n\nThe input is FILE, --in FILE, or stdin when neither is given (or FILE is -).",
		Example: example,
		Args:    exactArgs("ripple deps "+name+" --store pebble:/tmp/graph work.jsonl", "[FILE]"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				if cmd.Flags().Changed("in") && f.in != args[0] {
					return fmt.Errorf("give the input once: FILE %q or --in %q, not both", args[0], f.in)
				}
				f.in = args[0]
			}
			return replayLike(cmd, name, f, loadOnly)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&f.store, "store", "", storeHelp)
	fs.StringVar(&f.in, "in", "-", "input file of JSON lines, - for stdin (or give FILE)")
	fs.DurationVar(&f.window, "window", propagate.DefaultWindow, windowHelp)
	fs.BoolVar(&f.rerender, "rerender", false, "also print page_rerender events for pages whose text changed")
	fs.IntVar(&f.batch, "batch", replay.DefaultBatch, "store up to this many consecutive dependency sets with one call "+
		"(on Dgraph, a few transactions instead of one per set); 1: one at a time")
	fs.StringVar(&f.sites, "sites", "", "site table file (YAML: wiki id -> server, article_path, mobile_server) laid over "+
		"the Wikimedia wikis ripple ships; purges on a wiki in neither are bad lines")
	fs.BoolVar(&f.mobile, "mobile", false, "also purge each page's URL on its wiki's mobile site")
	return cmd
}

func replayLike(cmd *cobra.Command, name string, f replayFlags, loadOnly bool) error {
	ctx, stdout, stderr := cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr()
	sites := propagate.WikimediaSites()
	if f.sites != "" {
		own, err := propagate.LoadSites(f.sites)
		if err != nil {
			return fmt.Errorf("--sites: %w", err)
		}
		sites = sites.Merge(own)
	}
	if f.batch < 1 {
		return fmt.Errorf("--batch %d: want 1 or more", f.batch)
	}
	if f.store == "" {
		return errors.New("--store is required, such as --store pebble:/tmp/graph (a directory, created if missing)")
	}
	st, err := openStore(ctx, f.store)
	if err != nil {
		return err
	}
	defer st.Close()
	r, size, err := openInputSize(ctx, f.in)
	if err != nil {
		return err
	}
	defer r.Close()
	cfg := replay.Config{Window: f.window, Rerender: f.rerender, LoadOnly: loadOnly, Batch: f.batch, Sites: sites, MobilePurges: f.mobile}
	read := &countingReader{r: r}
	bar := progress.New(stderr, size, name, "bytes")
	if bar != nil {
		cfg.Progress = func(s replay.Summary) {
			bar.Describe("%s: %d lines, %d purges", name, s.Lines, s.Purges)
			bar.Set(read.n)
		}
	}
	sum, err := replay.Run(ctx, st, read, stdout, stderr, cfg)
	bar.Done()
	fmt.Fprintf(stderr, "ripple deps %s: %v\n", name, sum)
	if err != nil {
		return err
	}
	if sum.Bad > 0 {
		return fmt.Errorf("%d of %d input lines were bad and skipped (see the messages above); fix or drop them and rerun", sum.Bad, sum.Lines)
	}
	return nil
}

func depsReplayCmd() *cobra.Command {
	return replayLikeCmd("replay", "apply input events (JSON lines) and print the purge events they cause",
		`Reads input events as JSON lines (ripple/page/dependencies,
mediawiki/page/change and ripple/entity/change, mixed, in order), applies
them to the store and prints every resource_change purge event (and with
--rerender, page_rerender) as one JSON line. Bad lines are reported on stderr
with their line number, skipped and counted.`, false)
}

func depsLoadCmd() *cobra.Command {
	return replayLikeCmd("load", "apply only the dependency sets of a file (build a graph)",
		`Applies the ripple/page/dependencies events of a file to the store and
skips every other line: it builds a dependency graph without emitting purges.`, true)
}

func depsGenCmd() *cobra.Command {
	var cfg workload.Config
	var score string
	var window time.Duration
	cmd := &cobra.Command{
		Use:   "gen",
		Short: "write a synthetic Wikidata-like workload with its ground truth",
		Long: `Writes a synthetic Wikidata-like workload as JSON lines: the dependency sets
of every page (Zipf template use, nested templates, links, entity usage with
a Wikibase-like aspect mix), then changes, made in overlapping edit sessions
(a bot editing one item several times seconds apart, an editor saving an
article twice, a template fixed in a burst). Prints on stderr how many purges
its ground-truth oracle calls for and how many a broad approach (every
transcluder, backlink and entity user of what changed, regardless of the kind
of change and of aspect) would send, and a kind-aware one (transcluders for
edits, backlinks for creations, deletions and moves, every entity user).
With --score STORE it also replays the workload and scores the engine.`,
		Example: "  ripple deps gen --changes 2000 > work.jsonl\n  ripple deps gen --changes 5000 --score pebble:/tmp/g > work.jsonl",
		Args:    exactArgs("ripple deps gen --changes 2000 > work.jsonl"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return depsGen(cmd, cfg, score, window)
		},
	}
	fs := cmd.Flags()
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
	fs.StringVar(&score, "score", "", "replay into this store ("+storeHelp+"; must be empty) and print precision, recall and purge counts")
	fs.DurationVar(&window, "window", propagate.DefaultWindow, "with --score: "+windowHelp)
	return cmd
}

func depsGen(cmd *cobra.Command, cfg workload.Config, score string, window time.Duration) error {
	ctx, stdout, stderr := cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr()
	var st deps.Store
	if score != "" { // refused before minutes of generating
		var err error
		if st, err = openEmptyStore(ctx, score, "--score"); err != nil {
			return err
		}
		defer st.Close()
	}
	bar := progress.New(stderr, int64(cfg.Changes), "deps gen: changes", "changes")
	if bar != nil {
		cfg.Progress = func(done, _ int) { bar.Set(int64(done)) }
	}
	w, err := workload.GenerateContext(ctx, cfg)
	bar.Done()
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
	if score == "" {
		return nil
	}
	var onLine func(replay.Summary)
	if bar = progress.New(stderr, int64(len(w.Lines)), "deps gen: scoring", "lines"); bar != nil {
		onLine = func(s replay.Summary) { bar.Set(int64(s.Lines)) }
	}
	s, _, err := workload.EvaluateProgress(ctx, w, st, window, onLine)
	bar.Done()
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "ripple deps gen: %v\n", s)
	return nil
}

// openReadOnlyStore opens an existing store for a command that only
// reads: a Pebble directory that holds no store is an error, never a new
// store.
func openReadOnlyStore(ctx context.Context, spec string) (deps.Store, error) {
	kind, dir, _ := strings.Cut(spec, ":")
	if kind != "pebble" || dir == "" {
		return openStore(ctx, spec)
	}
	st, err := pebblestore.Open(pebblestore.Config{Dir: dir, ReadOnly: true})
	if errors.Is(err, pebblestore.ErrNotExist) {
		return nil, fmt.Errorf("--store %s: %w; create one with: ripple deps load --store %s deps.jsonl (or deps replay)", spec, err, spec)
	}
	return st, err
}

// emptier is a store that can tell whether it holds anything (both
// stores of this module can).
type emptier interface {
	Empty(ctx context.Context) (bool, error)
}

// openEmptyStore opens the store of spec and refuses it unless it is
// empty.
func openEmptyStore(ctx context.Context, spec, flag string) (deps.Store, error) {
	st, err := openStore(ctx, spec)
	if err != nil {
		return nil, err
	}
	e, ok := st.(emptier)
	if !ok {
		st.Close()
		return nil, fmt.Errorf("%s %s: this store cannot tell whether it is empty", flag, spec)
	}
	empty, err := e.Empty(ctx)
	if err == nil && !empty {
		err = fmt.Errorf("%s %s: the store is not empty, and pages stored before would change the score; "+
			"give a new directory (pebble:/tmp/score-%d) or another Dgraph prefix", flag, spec, time.Now().Unix())
	}
	if err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}
