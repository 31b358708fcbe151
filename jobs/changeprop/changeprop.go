// Package changeprop is ripple's change-propagation job: it keeps the
// dependency graph of a wiki farm in a deps.Store and turns page and entity
// changes into precise resource_change purges and page_rerender re-index
// requests, each carrying the dependency path that explains it.
//
// It runs as two processor jobs:
//
//   - the fan-out job (group <name>) consumes page dependency sets, page
//     changes and entity changes, keyed by the changed page ("wiki:title")
//     or entity id. It updates the store and walks each change's fan-out in
//     bounded steps through its loopback, with the walk's progress in
//     state: a crash resumes at the last finished step, memory stays flat
//     however large the fan-out, and a newer change of the same page or
//     entity takes over the unfinished walk of an older one when it
//     reaches every page that walk would, and waits behind it otherwise
//     (see State). Every purge goes to
//     <name>.purge_candidates, keyed by URI, in CandidateCodec's binary
//     form;
//   - the coalesce job (group <name>-coalesce) applies the coalescing
//     rules of propagate.Coalesced per URI: it drops a candidate when a
//     purge of its URI was already emitted after the candidate's change
//     happened, sends a URI's first purge at once, merges those that
//     follow within Config.CoalesceWindow into one sent when the window
//     closes, and emits each purge to the
//     stream of its kind (Config.PurgeStreams: by default the streams
//     Wikimedia's change-propagation rules and purged act on).
//
// Every input event is validated, before anything else, against the
// schema its $schema names, which must be a version of the input's schema
// title (mediawiki/page/change, ripple/page/dependencies,
// ripple/entity/change): an event of another title, without $schema or
// meta, or invalid, goes to the error topic saying what it is not ("not a
// page change: no page") and purges nothing. Config.SkipValidation turns
// this off.
//
// Purge URIs are built from a site table (Config.Sites, by default the
// Wikimedia wikis ripple ships): a dependency set or page change on a wiki
// the table lacks goes to the error topic, naming the wiki, rather than
// producing purges of a guessed URL.
//
// Entity changes come from package jobs/entitychange, which derives them
// from Wikidata's mediawiki.page_content_change.v1. The page change input
// reads Wikidata's page changes too: an edit of item Q42 is an edit of the
// page wikidatawiki:Q42, which purges https://www.wikidata.org/wiki/Q42
// and no client page.
//
// The embedded Pebble store serves one machine (every partition in one
// process); the Dgraph store serves any number of instances.
package changeprop

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/ripplestream/ripple/deps"
	"github.com/ripplestream/ripple/deps/propagate"
	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/internal/configerr"
	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/schemas"
)

// Config says what the job reads, writes and stores.
type Config struct {
	// Name is the fan-out job's group; the coalesce job is Name-coalesce.
	// Default "changeprop".
	Name processor.Group
	// Store holds the dependency graph. Required.
	Store deps.Store
	// Engine tunes the propagation engine. Its BatchSize is the
	// dependents one step of a walk reads; default DefaultWalkBatch.
	Engine propagate.Config
	// Sites is the site table purge URIs are built from (server and
	// article path of each wiki). Default propagate.WikimediaSites(); to
	// add wikis, Merge a table of your own (propagate.LoadSites) over it.
	// An input that needs a wiki the table lacks goes to the error topic.
	Sites propagate.Sites
	// Schemas validates the input events. Default: ripple's schema
	// repository (package schemas).
	Schemas *event.Repository
	// SkipValidation turns input validation off: events are only decoded,
	// and a wrong-shape event is acted on as far as it decodes.
	SkipValidation bool
	// MobilePurges also purges each page's URL on its wiki's mobile site
	// (Site.MobileServer), as a second resource_change event.
	MobilePurges bool
	// Input streams. Defaults: ripple.page_dependencies,
	// mediawiki.page_change.v1, ripple.entity_change.
	Dependencies, PageChanges, EntityChanges processor.Stream
	// PurgeStreams are the streams purges go to, by what caused them
	// (see propagate.PurgeStreams). Default: Wikimedia's, where
	// change-propagation's rules and purged act on them.
	PurgeStreams propagate.PurgeStreams
	// Purges, if set, sends every purge to this one stream instead.
	Purges processor.Stream
	// Rerenders is the stream of page_rerender events. Default
	// mediawiki.cirrussearch.page_rerender.v1.
	Rerenders processor.Stream
	// CoalesceWindow merges the purges of one URI: the first is sent at
	// once, those within the window after it are sent as one purge when it
	// closes (see coalesceJob). Default DefaultCoalesceWindow; negative
	// turns merging off (a purge is then dropped only if one sent after
	// its change already covers it).
	CoalesceWindow time.Duration
	// Now is the clock; default time.Now. The coalesce window's timers
	// fire by the job's processing time (processor.Config.Now).
	Now func() time.Time
}

// DefaultCoalesceWindow is the default Config.CoalesceWindow.
const DefaultCoalesceWindow = 10 * time.Second

// DefaultWalkBatch is the job's default Config.Engine.BatchSize, the most
// a store query returns (deps.MaxLimit). Each step of a walk costs a round
// trip through the job's loopback, which on a loaded machine took longer
// than reading and emitting a thousand purges, so larger steps walk
// faster (BENCHMARKS.md: 3,100 candidates/s with steps of 1,000, 11,000
// with 10,000); a crash re-sends at most about two steps.
const DefaultWalkBatch = deps.MaxLimit

// ErrInvalidConfig is wrapped by the errors of Config.Validate.
var ErrInvalidConfig = configerr.New("changeprop")

// WithDefaults returns c with its unset fields set to their defaults
// (Schemas, if unset and validation is on, is opened by Jobs).
func (c Config) WithDefaults() Config {
	set := func(s *processor.Stream, d processor.Stream) {
		if *s == "" {
			*s = d
		}
	}
	if c.Name == "" {
		c.Name = "changeprop"
	}
	set(&c.Dependencies, "ripple.page_dependencies")
	set(&c.PageChanges, "mediawiki.page_change.v1")
	set(&c.EntityChanges, "ripple.entity_change")
	if c.Purges != "" {
		c.PurgeStreams = propagate.OneStream(string(c.Purges))
	}
	c.PurgeStreams = c.PurgeStreams.WithDefaults()
	set(&c.Rerenders, propagate.PageRerenderStream)
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.CoalesceWindow == 0 {
		c.CoalesceWindow = DefaultCoalesceWindow
	}
	if c.Sites == nil {
		c.Sites = propagate.WikimediaSites()
	}
	if c.Engine.BatchSize == 0 {
		c.Engine.BatchSize = DefaultWalkBatch
	}
	c.Engine = c.Engine.WithDefaults()
	return c
}

// Validate reports a configuration that cannot work; it changes nothing.
func (c Config) Validate() error {
	if c.Store == nil {
		return fmt.Errorf("%w: Config.Store is required (pebblestore.Open or dgraphstore.Open)", ErrInvalidConfig)
	}
	if c.Sites != nil {
		if err := c.Sites.Validate(); err != nil {
			return fmt.Errorf("%w: Config.Sites: %w", ErrInvalidConfig, err)
		}
	}
	if err := c.Engine.Validate(); err != nil {
		return fmt.Errorf("changeprop: Config.Engine: %w", err)
	}
	return nil
}

// CandidatesStream is the stream between the two jobs.
func (c Config) CandidatesStream() processor.Stream {
	return processor.Stream(string(c.Name) + ".purge_candidates")
}

// State is the fan-out job's state per changed page or entity: its walk in
// progress (or the last one, finished) and the walks waiting behind it.
//
// A newer change of the page or entity takes over an unfinished walk only
// when its walk covers it (propagate.Covers: it starts from the same
// targets, over the same edges and rules, with at least its aspects), as
// two edits of one template do. Otherwise, as for an entity's label edit
// then its sitelink edit, or a template's edit then an edit of its
// <noinclude> part only, the older walk goes on and the newer one waits in
// Pending, so that no page either of them reaches is left unpurged. Pending
// holds at most one walk per set of starting frames that no later change
// covered.
//
// The processor writes state, emits and the loopback of one event
// separately and commits the event's offset only when all are
// acknowledged, so after a crash an event may be processed again with some
// of its effects already applied and others lost. The walk therefore keeps the step before its
// last one (Prev) to redo it, and a generation number (Gen): redoing a step
// starts a new generation, and Continue events of older generations are
// dropped, so a walk never forks into two chains.
type State struct {
	Fanout *propagate.Fanout `json:"fanout,omitempty"`
	// Start are the frames the walk began with (propagate.Covers).
	Start []propagate.Frame `json:"start,omitempty"`
	Prev  *propagate.Fanout `json:"prev,omitempty"`
	Step  int               `json:"step"`
	Gen   int               `json:"gen"`
	// Pending are the walks of newer changes that did not cover the walk
	// in progress, oldest first; each starts when the one before it ends.
	Pending []Walk `json:"pending,omitempty"`
	// Latest is the root (and triggered_by) of the latest change when
	// its walk is not Fanout: it waits in Pending or had nothing to walk.
	Latest *propagate.Fanout `json:"latest,omitempty"`
	// Now are the purges the latest change caused at once (the page
	// itself), emitted again if the change is redelivered.
	Now []propagate.Purge `json:"now,omitempty"`
}

// Walk is a walk waiting for the one in progress to end.
type Walk struct {
	Fanout *propagate.Fanout `json:"fanout"`
	Start  []propagate.Frame `json:"start"`
}

// latest returns the walk of the latest change begun: its root and
// triggered_by, for redeliveries.
func (s State) latest() *propagate.Fanout {
	if s.Latest != nil {
		return s.Latest
	}
	return s.Fanout
}

// Candidate is a purge on its way to coalescing.
type Candidate struct {
	Purge    propagate.ResourceChange `json:"purge"`
	Rerender *propagate.PageRerender  `json:"rerender,omitempty"`
}

// ContinueSchema is the schema of Continue records (package schemas).
const ContinueSchema = "/ripple/changeprop/continue/1.0.0"

// Continue is the loopback event that drives step Step of the walk of Root
// in generation Gen.
type Continue struct {
	Schema string          `json:"$schema"`
	Root   event.RootEvent `json:"root_event"`
	Step   int             `json:"step"`
	Gen    int             `json:"gen"`
}

type fanout struct {
	cfg        Config
	engine     *propagate.Engine
	deps       *depBuffer // dependency sets not yet stored
	candidates processor.Output[Candidate]
}

// Jobs returns the fan-out and coalesce jobs. Run both (topology runs
// several jobs in one process; see Run).
func Jobs(cfg Config) (processor.Job[State], processor.Job[Coalesced], error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return processor.Job[State]{}, processor.Job[Coalesced]{}, err
	}
	if cfg.Schemas == nil && !cfg.SkipValidation {
		repo, err := event.OpenRepositoryFS(schemas.FS())
		if err != nil {
			return processor.Job[State]{}, processor.Job[Coalesced]{}, fmt.Errorf("changeprop: ripple's schema repository: %w", err)
		}
		cfg.Schemas = repo
	}
	engine, err := propagate.New(cfg.Store, cfg.Engine)
	if err != nil {
		return processor.Job[State]{}, processor.Job[Coalesced]{}, err
	}
	f := &fanout{cfg: cfg, engine: engine, deps: newDepBuffer(cfg.Store),
		candidates: processor.NewOutput[Candidate](cfg.CandidatesStream(), CandidateCodec{})}
	fan := processor.Job[State]{
		Name:  cfg.Name,
		State: event.JSON[State]{},
		Inputs: []processor.Input[State]{
			processor.On(cfg.Dependencies, inputCodec[deps.PageDependencies](cfg, deps.DependenciesSchema, "a page dependency set"), f.onDependencies),
			processor.On(cfg.PageChanges, inputCodec[propagate.PageChangeEvent](cfg, pageChangeSchema, "a page change"), f.onPageChange),
			processor.On(cfg.EntityChanges, inputCodec[deps.EntityChange](cfg, deps.EntityChangeSchema, "an entity change"), f.onEntityChange),
		},
		Loop:    processor.OnLoop(event.JSON[Continue]{}, f.onContinue),
		Outputs: []processor.Declared{f.candidates},
	}
	if f.deps != nil {
		fan.Flush = f.deps.flush
		fan.Release = f.deps.drop
	}
	return fan, coalesceJob(cfg), nil
}

// pageChangeSchema is the schema of the page changes ripple reads (any
// version of its title is accepted).
const pageChangeSchema = "/mediawiki/page/change/1.2.0"

// inputCodec decodes the events of an input: events of the title of schema,
// valid against the version they name, unless Config.SkipValidation.
func inputCodec[T any](cfg Config, schema, what string) event.Codec[T] {
	if cfg.SkipValidation {
		return event.JSON[T]{}
	}
	title, _, _ := event.ParseSchemaURI(schema)
	return event.Validated[T]{Schemas: cfg.Schemas, Title: title, What: what}
}

// PageKey is the Kafka key producers give a page's changes and dependency
// sets on the job's inputs: "<wiki>:<title>", such as
// "enwiki:Template:Infobox". The job keeps a page's walk under its key, so
// the changes of one page must share it (a newer change then covers an
// older one still walking); entity changes are keyed by entity id.
func PageKey(wiki, title string) string { return wiki + ":" + title }

// onDependencies stores a page's dependency set: it validates it and
// keeps it with the others of its partition, which are written in one
// batch before the partition reads the graph or commits (see depBuffer;
// a store without batch writes gets it at once).
// A page on a wiki the site table lacks is refused, so that no stored page
// has purges that cannot be built.
func (f *fanout) onDependencies(c *processor.Context[State], key string, ev deps.PageDependencies) error {
	if _, err := f.cfg.Sites.Site(ev.WikiID); err != nil {
		return processor.Permanent(err)
	}
	if f.deps == nil {
		_, err := f.engine.ApplyDependencies(c.Context(), ev.PageDeps())
		return classify(err)
	}
	return classify(f.deps.add(c.Context(), c.Partition(), ev.PageDeps(), c.Logger()))
}

// onPageChange starts the walk of a page change. A change on a wiki the
// site table lacks is refused before it touches the store.
func (f *fanout) onPageChange(c *processor.Context[State], key string, ev propagate.PageChangeEvent) error {
	ch, err := propagate.FromPageChange(ev)
	if err != nil {
		return processor.Permanent(err)
	}
	if _, err := f.cfg.Sites.Site(ch.Wiki); err != nil {
		return processor.Permanent(err)
	}
	return f.begin(c, key, ch)
}

func (f *fanout) onEntityChange(c *processor.Context[State], key string, ev deps.EntityChange) error {
	ch, err := propagate.FromEntityChange(ev)
	if err != nil {
		return processor.Permanent(err)
	}
	return f.begin(c, key, ch)
}

// begin starts the walk of a change. A change no newer than the latest
// change of the same page or entity is an older change arriving late (on a
// replay), left to the newer one; the same change again is a redelivery:
// its immediate purges are emitted again and, if its walk is the one in
// progress and no step has run yet, the walk is restarted in a new
// generation in case its first Continue was lost. A new walk takes over
// the walk in progress if it covers it, and waits behind it otherwise (see
// State).
func (f *fanout) begin(c *processor.Context[State], key string, ch propagate.Change) error {
	if err := f.deps.flush(c.Context(), c.Partition()); err != nil {
		return err
	}
	st, _, err := c.State()
	if err != nil {
		return err
	}
	if last := st.latest(); last != nil && last.Root.Signature == ch.Root.Signature && !ch.Root.DT.After(last.Root.DT) {
		if !ch.Root.DT.Equal(last.Root.DT) {
			return nil // older: the newer change is walked
		}
		if st.Latest == nil && st.Step == 0 && !st.Fanout.Done() {
			st.Gen++
			if err := f.save(c, key, st); err != nil {
				return err
			}
		}
		return f.emit(c, last, st.Now)
	}
	now, walk, err := f.engine.Begin(c.Context(), ch)
	if err != nil {
		return classify(err)
	}
	start := slices.Clone(walk.Frames)
	pending := slices.DeleteFunc(st.Pending, func(w Walk) bool { return propagate.Covers(start, w.Start) })
	if cur := st.Fanout; cur != nil && !cur.Done() && !propagate.Covers(start, st.Start) {
		// The walk in progress goes on, its next step already on the
		// loopback; this one waits behind it.
		if !walk.Done() {
			pending = append(pending, Walk{Fanout: walk, Start: start})
		}
		st.Pending, st.Latest, st.Now = pending, &propagate.Fanout{Root: walk.Root, TriggeredBy: walk.TriggeredBy}, now
		if err := c.SetState(st); err != nil {
			return err
		}
	} else if err := f.save(c, key, State{Fanout: walk, Start: start, Gen: st.Gen + 1, Pending: pending, Now: now}); err != nil {
		return err
	}
	return f.emit(c, walk, now)
}

func (f *fanout) onContinue(c *processor.Context[State], key string, next Continue) error {
	if err := f.deps.flush(c.Context(), c.Partition()); err != nil {
		return err
	}
	st, ok, err := c.State()
	if err != nil {
		return err
	}
	if !ok || st.Fanout == nil {
		return nil
	}
	if st.Fanout.Root != next.Root || next.Gen < st.Gen {
		// A newer change took this walk over, or a stale chain. The
		// last Continue of the walk before the one in progress comes
		// again after a crash that may have lost the first Continue of
		// this one: while this one has not stepped, send it again in a
		// new generation (the older Continue, if it was not lost, is
		// then dropped).
		if st.Fanout.Root != next.Root && next.Gen == st.Gen-1 && st.Step == 0 && !st.Fanout.Done() {
			st.Gen++
			return f.save(c, key, st)
		}
		return nil
	}
	st.Gen = next.Gen
	switch {
	case next.Step == st.Step && !st.Fanout.Done():
		prev := st.Fanout.Clone()
		purges, err := f.engine.Step(c.Context(), st.Fanout)
		if err != nil {
			return classify(err)
		}
		st.Prev, st.Step = prev, st.Step+1
		if err := f.save(c, key, st); err != nil {
			return err
		}
		return f.emit(c, st.Fanout, purges)
	case next.Step == st.Step-1 && st.Prev != nil:
		// Processed before a crash, but its purges may be lost: redo it
		// from the walk as it was, and continue in a new generation.
		redo := st.Prev.Clone()
		purges, err := f.engine.Step(c.Context(), redo)
		if err != nil {
			return classify(err)
		}
		st.Gen++
		if err := f.save(c, key, st); err != nil {
			return err
		}
		return f.emit(c, redo, purges)
	default:
		return nil
	}
}

// save stores the walk and, while it is unfinished, schedules its next
// step; a finished walk makes way for the first waiting one, which starts
// in a new generation. Handlers call it before they emit a step's purges:
// the processor sends a handler's records in the order they were made, so
// the next step's Continue goes ahead of this step's purges and the next
// read of the store overlaps their sending; all are acknowledged before
// the event's offset is committed either way. save takes st by value: the
// caller's walk is still the one whose purges it emits.
func (f *fanout) save(c *processor.Context[State], key string, st State) error {
	if st.Fanout.Done() && len(st.Pending) > 0 {
		w := st.Pending[0]
		st.Fanout, st.Start, st.Pending = w.Fanout, w.Start, st.Pending[1:]
		st.Prev, st.Step = nil, 0
		st.Gen++
		if st.Latest != nil && st.Latest.Root == st.Fanout.Root {
			st.Latest = nil
		}
	}
	if err := c.SetState(st); err != nil {
		return err
	}
	if st.Fanout.Done() {
		return nil
	}
	b, err := event.JSON[Continue]{}.Encode(Continue{Schema: ContinueSchema, Root: st.Fanout.Root, Step: st.Step, Gen: st.Gen})
	if err != nil {
		return processor.Permanent(err)
	}
	return c.Loopback(key, b)
}

func (f *fanout) emit(c *processor.Context[State], walk *propagate.Fanout, purges []propagate.Purge) error {
	now := f.cfg.Now().UTC()
	targets := propagate.Targets{Sites: f.cfg.Sites, Mobile: f.cfg.MobilePurges, Streams: f.cfg.PurgeStreams, Rerenders: string(f.cfg.Rerenders)}
	for _, p := range purges {
		// Inputs on wikis the table lacks were refused, so this fails
		// only for pages stored before the table lost their wiki.
		rcs, rr, err := walk.Events(p, targets, now)
		if err != nil {
			return processor.Permanent(err)
		}
		for i, rc := range rcs {
			cand := Candidate{Purge: rc}
			if i == 0 {
				cand.Rerender = rr // once per page, with its canonical URL
			}
			if err := f.candidates.Emit(c, rc.Meta.URI, cand); err != nil {
				return err
			}
		}
	}
	return nil
}

// classify makes invalid input permanent; store outages stay retriable.
func classify(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, deps.ErrInvalid) || errors.Is(err, propagate.ErrBadChange) || errors.Is(err, propagate.ErrUnknownWiki) {
		return processor.Permanent(err)
	}
	if errors.Is(err, context.Canceled) {
		return err
	}
	return fmt.Errorf("changeprop: %w", err)
}
