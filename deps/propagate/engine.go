package propagate

import (
	"context"
	"fmt"
	"strings"

	"github.com/ripplestream/ripple/deps"
	"github.com/ripplestream/ripple/event"
)

// Rules name why a page is purged; they become resource_change tags.
const (
	RulePageEdit     = "page_edit"       // the page itself changed
	RuleTransclusion = "transclusion"    // a template or module it transcludes changed
	RuleLinksTo      = "links_to"        // a title it links to was created, deleted, undeleted or moved
	RuleUsesFile     = "uses_file"       // a file it shows changed (its wiki's, or the shared repository's)
	RuleUsesEntity   = "uses_entity"     // aspects of an entity it uses changed
	RuleMovedAway    = "page_moved"      // the page's old title after a move
	RuleDeleted      = "page_deleted"    // the page itself was deleted
	RuleRestored     = "page_restored"   // the page itself was created or undeleted
	RuleVisibility   = "page_visibility" // what readers may see of its revisions changed
)

// Purge is one page a change affects, with the path of dependencies that
// explains why.
type Purge struct {
	Wiki string
	Page deps.PageRef
	Rule string
	// Path explains the purge, from the change to this page.
	Path []string
	// Rerender is true when the page's text changed, so search must
	// re-index it (not for link colour or file changes).
	Rerender bool
}

// Config tunes the engine.
type Config struct {
	// BatchSize is how many dependents one Step reads. Default 1000.
	BatchSize int
	// MaxDepth bounds transitive transclusion (templates in templates).
	// Default 20.
	MaxDepth int
	// FileRepository is the wiki id of the shared file repository: a page
	// of any wiki that shows a file its own wiki lacks (no File: page of
	// that title is stored for the wiki) shows the repository's, so a
	// change of a file there purges its users on every such wiki.
	// Default DefaultFileRepository.
	FileRepository string
}

// DefaultFileRepository is Wikimedia Commons, the shared file repository
// of every Wikimedia wiki.
const DefaultFileRepository = "commonswiki"

// WithDefaults returns c with its unset fields set to their defaults.
func (c Config) WithDefaults() Config {
	if c.BatchSize == 0 {
		c.BatchSize = 1000
	}
	if c.MaxDepth == 0 {
		c.MaxDepth = 20
	}
	if c.FileRepository == "" {
		c.FileRepository = DefaultFileRepository
	}
	return c
}

// Validate reports a configuration that cannot work; it changes nothing.
// A zero field stands for its default.
func (c Config) Validate() error {
	if c.BatchSize < 0 || c.BatchSize > deps.MaxLimit {
		return fmt.Errorf("%w: BatchSize %d: want 1 to %d", ErrInvalidConfig, c.BatchSize, deps.MaxLimit)
	}
	if c.MaxDepth < 0 {
		return fmt.Errorf("%w: MaxDepth %d is negative", ErrInvalidConfig, c.MaxDepth)
	}
	if c.FileRepository != "" {
		if err := deps.ValidateWiki(c.FileRepository); err != nil {
			return fmt.Errorf("%w: FileRepository: %w", ErrInvalidConfig, err)
		}
	}
	return nil
}

// Engine applies changes to a store and computes their fan-out.
type Engine struct {
	store deps.Store
	cfg   Config
}

// New returns an engine over store.
func New(store deps.Store, cfg Config) (*Engine, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Engine{store: store, cfg: cfg}, nil
}

// Fanout is the resumable state of one change's propagation: plain data,
// safe to persist as JSON between Steps.
type Fanout struct {
	Root        event.RootEvent `json:"root"`
	TriggeredBy string          `json:"triggered_by,omitempty"`
	Frames      []Frame         `json:"frames"`
	// Visited holds the templates and modules whose transcluders were
	// already queued, so cycles and diamonds are walked once.
	Visited map[string]bool `json:"visited,omitempty"`
	Steps   int             `json:"steps"`
	Purges  int             `json:"purges"`
}

// Frame is one pending reverse traversal.
type Frame struct {
	Wiki    string        `json:"wiki,omitempty"`
	Edge    deps.EdgeKind `json:"edge"`
	Target  string        `json:"target"`
	Aspects []deps.Aspect `json:"aspects,omitempty"`
	After   deps.Cursor   `json:"after,omitempty"`
	Rule    string        `json:"rule"`
	Path    []string      `json:"path"`
	Depth   int           `json:"depth"`
}

// Done reports whether nothing is left to traverse.
func (f *Fanout) Done() bool { return len(f.Frames) == 0 }

// ApplyDependencies stores a page's new dependency set. A parse result
// purges nothing by itself: the edit that caused the parse already did.
func (e *Engine) ApplyDependencies(ctx context.Context, p deps.PageDeps) (deps.PutResult, error) {
	return e.store.PutPage(ctx, p)
}

// Begin applies c to the store (deletes and moves change it) and returns the
// purges due at once (the page itself) and the fan-out still to walk.
func (e *Engine) Begin(ctx context.Context, c Change) ([]Purge, *Fanout, error) {
	f := &Fanout{Root: c.Root, TriggeredBy: c.TriggeredBy}
	origin := fmt.Sprintf("%s of %s:%s", c.Kind, c.Wiki, c.Page.Title)
	self := func(rule string, page deps.PageRef) Purge {
		return Purge{Wiki: c.Wiki, Page: page, Rule: rule, Path: []string{origin}, Rerender: rule != RuleMovedAway && rule != RuleVisibility}
	}
	var now []Purge
	switch c.Kind {
	case PageEdit:
		now = append(now, self(RulePageEdit, c.Page))
		same, err := e.passesOnUnchanged(ctx, c)
		if err != nil {
			return nil, nil, err
		}
		if !same {
			e.pushContent(f, c.Wiki, c.Page, origin)
		}
	case PageVisibility:
		// MediaWiki purges the page's URLs after a revision deletion
		// of its current revision (mediawiki/page/change has one only
		// then); what it renders for others does not change. A change
		// of a revision the store knows is no longer the current one
		// arrived after a newer edit, which purged the page.
		current, err := e.isCurrent(ctx, c)
		if err != nil {
			return nil, nil, err
		}
		if current {
			now = append(now, self(RuleVisibility, c.Page))
		}
	case PageCreate, PageUndelete:
		now = append(now, self(RuleRestored, c.Page))
		e.pushExistence(f, c.Wiki, c.Page, origin)
	case PageDelete:
		now = append(now, self(RuleDeleted, c.Page))
		if _, err := e.store.DeletePage(ctx, c.Wiki, c.Page.Title); err != nil {
			return nil, nil, fmt.Errorf("propagate: deleting %s:%s: %w", c.Wiki, c.Page.Title, err)
		}
		e.pushExistence(f, c.Wiki, c.Page, origin)
	case PageMove:
		old := deps.PageRef{ID: c.Page.ID, Namespace: c.Page.Namespace, Title: c.PriorTitle}
		origin = fmt.Sprintf("move of %s:%s to %s", c.Wiki, c.PriorTitle, c.Page.Title)
		now = append(now, self(RuleMovedAway, old), self(RuleRestored, c.Page))
		if err := e.move(ctx, c.Wiki, old, c.Page); err != nil {
			return nil, nil, err
		}
		// A redirect left at the old title keeps it existing, and
		// links, transclusions and file uses of it follow the redirect
		// to the same page: only a title that stops existing is felt
		// by what depends on it.
		if !c.LeftRedirect {
			e.pushExistence(f, c.Wiki, old, origin)
		}
		e.pushExistence(f, c.Wiki, c.Page, origin)
	case EntityChange:
		origin = fmt.Sprintf("change of %s %s", c.Entity, joinAspects(c.Aspects))
		if len(c.Aspects) > 0 {
			f.Frames = append(f.Frames, Frame{Edge: deps.UsesEntity, Target: string(c.Entity), Aspects: c.Aspects,
				Rule: RuleUsesEntity, Path: []string{origin}})
		}
	default:
		return nil, nil, fmt.Errorf("%w: kind %q", ErrBadChange, c.Kind)
	}
	f.Purges = len(now)
	return now, f, nil
}

// passesOnUnchanged reports whether the edit c of a template or module
// left what it passes on to its transcluders as it was, so that only the
// page itself needs a purge: the store holds the dependencies of the
// edit's revision, and their digest is the one of the revision before
// (deps.PageDeps.PassesOnUnchanged). When the store cannot tell (no
// digest, or the dependencies event of the revision has not arrived),
// the edit is followed to every transcluder, as MediaWiki does.
func (e *Engine) passesOnUnchanged(ctx context.Context, c Change) (bool, error) {
	if !c.Page.Namespace.Transcludable() || c.RevID <= 0 {
		return false, nil
	}
	p, ok, err := e.store.Page(ctx, c.Wiki, c.Page.Title)
	if err != nil {
		return false, fmt.Errorf("propagate: reading %s:%s: %w", c.Wiki, c.Page.Title, err)
	}
	return ok && p.PassesOnUnchanged(c.RevID), nil
}

// pushContent queues what depends on the content of page: transcluders of
// templates and modules, users of files.
func (e *Engine) pushContent(f *Fanout, wiki string, page deps.PageRef, origin string) {
	switch {
	case page.Namespace.Transcludable():
		e.pushTranscluders(f, wiki, page.Title, []string{origin}, 0)
	case page.Namespace == deps.NamespaceFile && wiki == e.cfg.FileRepository:
		// Users on every wiki: Step keeps those of wikis without a
		// file of their own of that title.
		f.Frames = append(f.Frames, Frame{Edge: deps.UsesFile, Target: page.Title, Rule: RuleUsesFile, Path: []string{origin}})
	case page.Namespace == deps.NamespaceFile:
		f.Frames = append(f.Frames, Frame{Wiki: wiki, Edge: deps.UsesFile, Target: page.Title, Rule: RuleUsesFile, Path: []string{origin}})
	}
}

// isCurrent reports whether the revision of c is the page's current one
// as far as the store knows: not older than the revision it holds.
func (e *Engine) isCurrent(ctx context.Context, c Change) (bool, error) {
	if c.RevID <= 0 {
		return true, nil
	}
	p, ok, err := e.store.Page(ctx, c.Wiki, c.Page.Title)
	if err != nil {
		return false, fmt.Errorf("propagate: reading %s:%s: %w", c.Wiki, c.Page.Title, err)
	}
	return !ok || p.RevID <= c.RevID, nil
}

// sharedFileUsers keeps the users of the shared repository's file target
// that show it: those on the repository itself and on wikis without a
// file page of that title of their own.
func (e *Engine) sharedFileUsers(ctx context.Context, target string, found []deps.Dependent) ([]deps.Dependent, error) {
	local := map[string]bool{}
	kept := found[:0:0]
	for _, d := range found {
		if d.Wiki != e.cfg.FileRepository {
			has, seen := local[d.Wiki]
			if !seen {
				_, ok, err := e.store.Page(ctx, d.Wiki, target)
				if err != nil {
					return nil, fmt.Errorf("propagate: reading %s:%s: %w", d.Wiki, target, err)
				}
				has, local[d.Wiki] = ok, ok
			}
			if has {
				continue
			}
		}
		kept = append(kept, d)
	}
	return kept, nil
}

// pushExistence queues what depends on whether page exists: pages linking
// to it, and everything that depends on its content.
func (e *Engine) pushExistence(f *Fanout, wiki string, page deps.PageRef, origin string) {
	e.pushContent(f, wiki, page, origin)
	f.Frames = append(f.Frames, Frame{Wiki: wiki, Edge: deps.LinksTo, Target: page.Title, Rule: RuleLinksTo, Path: []string{origin}})
}

func (e *Engine) pushTranscluders(f *Fanout, wiki, title string, path []string, depth int) {
	key := wiki + ":" + title
	if f.Visited[key] || depth >= e.cfg.MaxDepth {
		return
	}
	if f.Visited == nil {
		f.Visited = map[string]bool{}
	}
	f.Visited[key] = true
	f.Frames = append(f.Frames, Frame{Wiki: wiki, Edge: deps.Transcludes, Target: title, Rule: RuleTransclusion, Path: path, Depth: depth})
}

// move re-keys a page's stored dependency set from old to new.
func (e *Engine) move(ctx context.Context, wiki string, old, renamed deps.PageRef) error {
	p, ok, err := e.store.Page(ctx, wiki, old.Title)
	if err != nil {
		return fmt.Errorf("propagate: reading %s:%s: %w", wiki, old.Title, err)
	}
	if _, err := e.store.DeletePage(ctx, wiki, old.Title); err != nil {
		return fmt.Errorf("propagate: moving %s:%s: %w", wiki, old.Title, err)
	}
	if !ok {
		return nil
	}
	p.Page = renamed
	if _, err := e.store.PutPage(ctx, p); err != nil {
		return fmt.Errorf("propagate: moving %s:%s to %s: %w", wiki, old.Title, renamed.Title, err)
	}
	return nil
}

// Step reads one batch of dependents for the top frame and returns their
// purges, advancing f. Call it until f.Done(); persist f between calls to
// resume after a crash without re-reading finished batches.
func (e *Engine) Step(ctx context.Context, f *Fanout) ([]Purge, error) {
	if f.Done() {
		return nil, nil
	}
	top := len(f.Frames) - 1
	fr := f.Frames[top]
	q := deps.Query{Wiki: fr.Wiki, Edge: fr.Edge, Target: fr.Target, Aspects: fr.Aspects, After: fr.After, Limit: e.cfg.BatchSize}
	found, next, err := e.store.Dependents(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("propagate: dependents of %s via %s: %w", fr.Target, fr.Edge, err)
	}
	shared := fr.Wiki == "" && fr.Edge == deps.UsesFile
	if shared {
		if found, err = e.sharedFileUsers(ctx, fr.Target, found); err != nil {
			return nil, err
		}
	}
	if next == "" {
		f.Frames = f.Frames[:top]
	} else {
		f.Frames[top].After = next
	}
	out := make([]Purge, 0, len(found))
	for _, d := range found {
		hop := fmt.Sprintf("%s %s %s", d.Page.Title, d.Edge, fr.Target)
		if shared {
			hop = fmt.Sprintf("%s:%s %s %s:%s", d.Wiki, d.Page.Title, d.Edge, e.cfg.FileRepository, fr.Target)
		}
		if len(d.Aspects) > 0 {
			hop += " [" + joinAspects(d.Aspects) + "]"
		}
		if d.Scope != deps.ScopeBoth {
			hop += " (" + d.Scope.String() + ")"
		}
		path := append(append(make([]string, 0, len(fr.Path)+1), fr.Path...), hop)
		// The page itself is purged when its own rendering uses the
		// target (not only in <includeonly>); its transcluders are
		// followed when it passes the target on (not only in
		// <noinclude>).
		if d.Scope.Own() {
			out = append(out, Purge{Wiki: d.Wiki, Page: d.Page, Rule: fr.Rule, Path: path,
				Rerender: fr.Rule == RuleTransclusion || fr.Rule == RuleUsesEntity})
		}
		if fr.Edge == deps.Transcludes && d.Scope.PassesOn() && d.Page.Namespace.Transcludable() {
			e.pushTranscluders(f, d.Wiki, d.Page.Title, path, fr.Depth+1)
		}
	}
	f.Steps++
	f.Purges += len(out)
	return out, nil
}

// Run walks f to the end, passing every purge to emit.
func (e *Engine) Run(ctx context.Context, f *Fanout, emit func(Purge) error) error {
	for !f.Done() {
		ps, err := e.Step(ctx, f)
		if err != nil {
			return err
		}
		for _, p := range ps {
			if err := emit(p); err != nil {
				return err
			}
		}
	}
	return nil
}

func joinAspects(as []deps.Aspect) string {
	s := make([]string, len(as))
	for i, a := range as {
		s[i] = string(a)
	}
	return strings.Join(s, ",")
}

// Clone returns a copy of f that Step can advance without changing f, so a
// job can keep the walk as it was before a step and redo that step.
func (f *Fanout) Clone() *Fanout {
	c := *f
	c.Frames = append([]Frame(nil), f.Frames...)
	if f.Visited != nil {
		c.Visited = make(map[string]bool, len(f.Visited))
		for k, v := range f.Visited {
			c.Visited[k] = v
		}
	}
	return &c
}
