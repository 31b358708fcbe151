// Package workload generates a synthetic, Wikidata-like dependency-tracking
// workload: a wiki whose pages transclude templates chosen by a Zipf law
// (templates nest, and most render Template:Documentation in <noinclude>,
// which only their own page shows), link to each other and use Wikibase entities with a
// realistic aspect mix; then a sequence of changes (entity edits in many
// languages, article and template edits, page creations, deletions and
// moves, re-parses) made in edit sessions that overlap in time (see
// Sessions). It keeps its own model of the wiki and computes, for every
// change, the exact set of pages whose rendering the change affects (the
// ground-truth oracle) and the pages a broad approach would purge (every
// transcluder, backlink and entity user of what changed, regardless of the
// kind of change and of aspect).
//
// It does not replay anything itself beyond Evaluate, which drives
// deps/replay and scores what it wrote against the oracle.
package workload

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"time"

	"github.com/ripplestream/ripple/deps"
	"github.com/ripplestream/ripple/deps/propagate"
	"github.com/ripplestream/ripple/event"
)

// Config sizes a workload.
type Config struct {
	Seed      uint64
	Pages     int // articles (namespace 0); default 2000
	Templates int // templates; default 200 (a tenth nest other templates)
	// Entities is the number of Wikibase items articles name through
	// Wikidata (Zipf: a country is named far more often than a village);
	// default 500. Articles connected to an item of their own (70%) add
	// one each.
	Entities int
	// Items is the mean number of items an article names (uniform from
	// 0 to 2*Items); default 1. A wiki whose infoboxes come from
	// Wikidata names more: BENCHMARKS.md shows the purge reduction
	// growing with it.
	Items   int
	Changes int // changes after the initial parses; default 3000
	// Documented is the percentage of templates with documentation in
	// <noinclude> that transcludes Template:Documentation, as most
	// templates on Wikimedia wikis have: their own page renders it, their
	// transcluders do not. Default 70; negative means none.
	Documented int
	// NoincludeEdits is the percentage of the edits of documented
	// templates that touch only their <noinclude> part (the documentation
	// call, categories), leaving what transcluders see as it was: the
	// digest in their dependencies event is unchanged. Default 20;
	// negative means none. An assumption, not a measurement:
	// BENCHMARKS.md reports the reduction with it and without.
	NoincludeEdits int
	// MoveRedirects is the percentage of moves that leave a redirect at
	// the old title, as MediaWiki does unless the mover has the right to
	// suppress it: the old title keeps existing, so its linkers are not
	// due. 0 (the default) means none, as in the workloads BENCHMARKS.md
	// measured before it; the redirect's own page creation event, which
	// MediaWiki sends too, is not generated.
	MoveRedirects int
	// ParseAfterEdit makes a template edit's dependencies event follow its
	// page change instead of preceding it. The engine then cannot tell
	// an edit that changed nothing transcluders see, and purges them all.
	ParseAfterEdit bool
	// Sessions shapes the bursts changes come in and their event times.
	Sessions Sessions
	// Progress, if set, is called as Generate makes changes, with the
	// number made so far and Changes (a large workload takes minutes).
	Progress func(done, total int)
}

// WithDefaults returns c with its unset fields set to their defaults.
func (c Config) WithDefaults() Config {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.Pages, 2000)
	def(&c.Templates, 200)
	def(&c.Entities, 500)
	def(&c.Changes, 3000)
	def(&c.Items, 1)
	def(&c.Documented, 70)
	def(&c.NoincludeEdits, 20)
	if c.Seed == 0 {
		c.Seed = 1
	}
	c.Sessions = c.Sessions.WithDefaults()
	return c
}

// Validate reports a workload that cannot be made; it changes nothing. A
// zero field stands for its default.
func (c Config) Validate() error {
	small := func(v, least int) bool { return v != 0 && v < least }
	if small(c.Pages, 10) || small(c.Templates, 2) || small(c.Entities, 1) || c.Changes < 0 || c.Items < 0 {
		return fmt.Errorf("%w: need >= 10 pages, >= 2 templates, >= 1 entity, >= 0 changes and >= 0 items per page (got %d, %d, %d, %d, %d)",
			deps.ErrInvalidConfig, c.Pages, c.Templates, c.Entities, c.Changes, c.Items)
	}
	return c.Sessions.Validate()
}

// Workload is a generated input stream with its oracle.
type Workload struct {
	// Lines are the input events as JSON, in order of event time.
	Lines [][]byte
	// Times are the event times (dt) of Lines, never decreasing.
	Times []time.Time
	// Truth maps the 1-based line number of each change to the sorted
	// titles ("wiki:title") it must purge.
	Truth map[int][]string
	// Broad maps the line number of each change to the number of pages a
	// broad approach purges for it: every page that depends on what
	// changed (transcludes it, transitively, links to it or uses the
	// entity), whatever the kind of change and aspect.
	Broad map[int]int
	// KindAware maps the line number of each change to the number of
	// pages broad purging sends when it follows the kind of change, as
	// MediaWiki and change-propagation do: transcluders for an edit,
	// backlinks for a creation, deletion or move, every user of an entity
	// (regardless of aspect). The baseline BENCHMARKS.md reported first.
	KindAware map[int]int
	// BroadPages maps the line number of each change to the sorted titles
	// a broad approach purges for it.
	BroadPages map[int][]string
	// Kinds maps the line number of each change to its kind.
	Kinds map[int]Kind
}

// Kind is the kind of a change.
type Kind string

// Change kinds.
const (
	EntityEdit   Kind = "entity edit"
	ArticleEdit  Kind = "article edit"
	TemplateEdit Kind = "template edit"
	// NoincludeEdit is an edit of a template's <noinclude> part only.
	NoincludeEdit Kind = "template noinclude edit"
	Creation      Kind = "creation"
	Deletion      Kind = "deletion"
	Move          Kind = "move"
)

// KindTotals counts one kind of change.
type KindTotals struct {
	Kind Kind
	// Changes is how many; Exact the purges the oracle calls for; Broad
	// and KindAware the purges the broad approaches send.
	Changes, Exact, Broad, KindAware int
}

// ByKind breaks Totals down by kind of change, in a fixed order.
func (w *Workload) ByKind() []KindTotals {
	out := []KindTotals{{Kind: EntityEdit}, {Kind: ArticleEdit}, {Kind: TemplateEdit}, {Kind: NoincludeEdit}, {Kind: Creation}, {Kind: Deletion}, {Kind: Move}}
	for line, k := range w.Kinds {
		for i := range out {
			if out[i].Kind == k {
				out[i].Changes++
				out[i].Exact += len(w.Truth[line])
				out[i].Broad += w.Broad[line]
				out[i].KindAware += w.KindAware[line]
			}
		}
	}
	return out
}

// Totals returns the number of purges the oracle and the broad approach
// call for over the whole workload.
func (w *Workload) Totals() (exact, broad int) {
	for _, t := range w.Truth {
		exact += len(t)
	}
	for _, b := range w.Broad {
		broad += b
	}
	return exact, broad
}

// KindAwareTotal returns the number of purges kind-aware broad purging
// sends over the whole workload.
func (w *Workload) KindAwareTotal() int {
	n := 0
	for _, k := range w.KindAware {
		n += k
	}
	return n
}

const wiki = "enwiki"

var languages = []string{"en", "de", "fr", "es", "it", "ja", "ru", "pt", "zh", "ar", "nl", "pl", "sv", "uk", "vi", "fa", "ko", "he", "fi", "cs"}

var properties = []string{"P31", "P18", "P569", "P570", "P27", "P106", "P625", "P17", "P131", "P856"}

// documentation is the template documented templates transclude in their
// <noinclude> part.
const documentation = "Template:Documentation"

// page is the model's view of one page.
type page struct {
	ref deps.PageRef
	rev int64
	// templates are what the page transcludes and, for a template, passes
	// on; a documented template's own page transcludes documentation too.
	templates []string
	// documented: the template has <noinclude>{{Documentation}}</noinclude>.
	documented bool
	// content counts the edits of a template that changed what it passes
	// on; its digest is derived from it.
	content  int
	links    []string
	entities map[string][]deps.Aspect
	item     string // the item the page is connected to, if any
	deleted  bool
}

type gen struct {
	cfg   Config
	rng   *rand.Rand
	pages map[string]*page // by title, templates included
	order []string         // titles in creation order, for stable choices
	out   *Workload
	clock time.Time // event time of the next line
	ids   int64
	zipfE *rand.Zipf
	items []string       // the items articles are connected to, in creation order
	site  propagate.Site // the wiki's, for the inputs' meta.domain and meta.uri
}

// newTemplateZipf draws templates with Zipf popularity: a few are used by
// a large share of pages.
func newTemplateZipf(g *gen) *rand.Zipf {
	return rand.NewZipf(g.rng, 1.1, 2, uint64(g.cfg.Templates-1))
}

// Generate makes a workload.
func Generate(cfg Config) (*Workload, error) {
	return GenerateContext(context.Background(), cfg)
}

// GenerateContext is Generate that stops with ctx's error when ctx is
// done (a large workload takes minutes).
func GenerateContext(ctx context.Context, cfg Config) (*Workload, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	g := &gen{cfg: cfg, rng: rand.New(rand.NewPCG(cfg.Seed, 0x5eed)), pages: map[string]*page{},
		out:   &Workload{Truth: map[int][]string{}, Broad: map[int]int{}, KindAware: map[int]int{}, BroadPages: map[int][]string{}, Kinds: map[int]Kind{}},
		clock: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), site: propagate.WikimediaSites()[wiki]}
	g.zipfE = rand.NewZipf(g.rng, 1.2, 3, uint64(cfg.Entities-1))
	g.build()
	if err := g.sessions(ctx); err != nil {
		return nil, err
	}
	return g.out, nil
}

// tick advances the clock between the initial parses.
func (g *gen) tick() {
	g.clock = g.clock.Add(time.Duration(100+g.rng.IntN(900)) * time.Millisecond)
}

// emit appends an event that happened at the clock's time.
func (g *gen) emit(v any) int {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // plain structs: cannot fail
	}
	g.out.Lines = append(g.out.Lines, b)
	g.out.Times = append(g.out.Times, g.clock)
	return len(g.out.Lines)
}

func (g *gen) nextID() int64 { g.ids++; return g.ids }

// build creates Template:Documentation, templates (some nesting others,
// most documented), articles and their parses.
func (g *gen) build() {
	zipfT := newTemplateZipf(g)
	g.add(&page{ref: deps.PageRef{ID: g.nextID(), Namespace: deps.NamespaceTemplate, Title: documentation}})
	for i := range g.cfg.Templates {
		p := &page{ref: deps.PageRef{ID: g.nextID(), Namespace: deps.NamespaceTemplate, Title: fmt.Sprintf("Template:T%d", i)}}
		if i >= 10 && g.rng.IntN(10) == 0 { // nested: uses a more popular (lower-numbered) template
			p.templates = []string{fmt.Sprintf("Template:T%d", g.rng.IntN(i/2+1))}
		}
		p.documented = g.rng.IntN(100) < g.cfg.Documented
		g.add(p)
	}
	for i := range g.cfg.Pages {
		p := &page{ref: deps.PageRef{ID: g.nextID(), Title: fmt.Sprintf("Article_%d", i)}}
		if g.rng.IntN(10) < 7 {
			p.item = fmt.Sprintf("Q%d", g.cfg.Entities+1+len(g.items))
			g.items = append(g.items, p.item)
		}
		g.randomDeps(p, zipfT)
		g.add(p)
	}
}

func (g *gen) add(p *page) {
	g.tick()
	g.pages[p.ref.Title] = p
	g.order = append(g.order, p.ref.Title)
	g.parse(p)
}

// randomDeps draws an article's templates, links and entity usages.
func (g *gen) randomDeps(p *page, zipfT *rand.Zipf) {
	p.templates, p.links, p.entities = nil, nil, map[string][]deps.Aspect{}
	for range 1 + g.rng.IntN(4) {
		p.templates = appendUnique(p.templates, fmt.Sprintf("Template:T%d", zipfT.Uint64()))
	}
	for range g.rng.IntN(6) {
		p.links = appendUnique(p.links, fmt.Sprintf("Article_%d", g.rng.IntN(g.cfg.Pages+g.cfg.Pages/10))) // some red links
	}
	if p.item != "" {
		p.entities[p.item] = g.itemUsage()
	}
	for range g.rng.IntN(2*g.cfg.Items + 1) {
		id := fmt.Sprintf("Q%d", 1+g.zipfE.Uint64()) // popular items are named by many pages
		if _, ok := p.entities[id]; !ok {
			p.entities[id] = g.labelUsage()
		}
	}
}

// Entity usage follows the roles Wikibase's usage tracking describes:
//   - an article connected to an item of its own (most are) shows that
//     item's sitelinks as its language links (S), often a few of its
//     statements in an infobox or an authority-control box (C.Pnn),
//     sometimes other parts (O), rarely everything (X: Lua's getEntity);
//   - the items an article names through Wikidata (an infobox's country
//     or occupation) are shown by their label in the page's language
//     (L.en), sometimes one more for language fallback, rarely
//     everything (X).

// itemUsage draws the usage of an article's own item.
func (g *gen) itemUsage() []deps.Aspect {
	if g.rng.IntN(20) == 0 {
		return []deps.Aspect{deps.AspectAll}
	}
	as := []deps.Aspect{deps.AspectSitelinks}
	if g.rng.IntN(2) == 0 {
		for range 1 + g.rng.IntN(3) {
			as = append(as, deps.StatementAspect(properties[g.rng.IntN(len(properties))]))
		}
	}
	if g.rng.IntN(5) == 0 {
		as = append(as, deps.AspectOther)
	}
	return uniqueAspects(as)
}

// labelUsage draws the usage of an item an article names.
func (g *gen) labelUsage() []deps.Aspect {
	if g.rng.IntN(20) == 0 {
		return []deps.Aspect{deps.AspectAll}
	}
	as := []deps.Aspect{deps.LabelAspect("en")}
	if g.rng.IntN(4) == 0 {
		as = append(as, deps.LabelAspect(languages[g.rng.IntN(len(languages))]))
	}
	return uniqueAspects(as)
}

// parse emits the page's current dependency set, at the time of the edit
// that caused the parse.
func (g *gen) parse(p *page) {
	p.rev++
	g.emitParse(p)
}

// emitParse emits the page's current dependency set at its current
// revision.
func (g *gen) emitParse(p *page) {
	ev := deps.PageDependencies{
		Envelope: event.Envelope{Schema: deps.DependenciesSchema, Meta: event.Meta{Stream: "ripple.page_dependencies", ID: event.NewID(), DT: g.clock, Domain: g.site.Domain()}, DT: g.clock},
		WikiID:   wiki,
		Page:     deps.EventPage{PageID: p.ref.ID, PageTitle: p.ref.Title, NamespaceID: int(p.ref.Namespace)},
		RevID:    p.rev, Templates: nonNil(p.own()), Links: nonNil(p.links), Files: []string{},
		Entities: []deps.EventEntityUsage{},
	}
	if p.ref.Namespace == deps.NamespaceTemplate {
		ev.PassesOnDigest = fmt.Sprintf("%016x", p.content)
		if p.documented {
			ev.PassesOn = &deps.EventSets{Templates: nonNil(p.templates), Links: nonNil(p.links), Files: []string{}, Entities: []deps.EventEntityUsage{}}
		}
	}
	ids := make([]string, 0, len(p.entities))
	for id := range p.entities {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		as := make([]string, len(p.entities[id]))
		for i, a := range p.entities[id] {
			as[i] = string(a)
		}
		ev.Entities = append(ev.Entities, deps.EventEntityUsage{ID: id, Aspects: as})
	}
	g.emit(ev)
}

// own returns the templates the page's own page renders.
func (p *page) own() []string {
	if p.documented {
		return appendUnique(slices.Clone(p.templates), documentation)
	}
	return p.templates
}

func appendUnique(s []string, v string) []string {
	for _, x := range s {
		if x == v {
			return s
		}
	}
	return append(s, v)
}

func uniqueAspects(as []deps.Aspect) []deps.Aspect {
	seen := map[deps.Aspect]bool{}
	out := as[:0]
	for _, a := range as {
		if !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
