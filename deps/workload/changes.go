package workload

import (
	"fmt"
	"sort"
	"strings"

	"github.com/ripplestream/ripple/deps"
	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/event/mediawiki"
)

func (g *gen) live(ns deps.Namespace) *page {
	for {
		p := g.pages[g.order[g.rng.IntN(len(g.order))]]
		if !p.deleted && p.ref.Namespace == ns {
			return p
		}
	}
}

func (g *gen) pageChange(kind string, p *page, prior string) int {
	return g.emit(g.pageChangeEvent(kind, p, prior))
}

func (g *gen) pageChangeEvent(kind string, p *page, prior string) map[string]any {
	ev := map[string]any{
		"$schema":          "/mediawiki/page/change/1.2.0",
		"meta":             event.Meta{Stream: "mediawiki.page_change.v1", ID: event.NewID(), DT: g.clock, Domain: g.site.Domain(), URI: g.site.URL(p.ref.Title)},
		"dt":               g.clock,
		"wiki_id":          wiki,
		"page_change_kind": kind,
		"changelog_kind":   mediawiki.ChangelogKind(kind),
		"page":             map[string]any{"page_id": p.ref.ID, "page_title": p.ref.Title, "namespace_id": int(p.ref.Namespace), "is_redirect": false},
		"revision":         map[string]any{"rev_id": p.rev, "rev_dt": g.clock},
	}
	if prior != "" {
		ev["prior_state"] = map[string]any{"page": map[string]any{"page_title": prior}}
	}
	return ev
}

// record keeps the oracle of the change on line: the pages it must purge,
// the pages broad purging sends, and those kind-aware broad purging sends
// (see Workload.KindAware).
func (g *gen) record(line int, kind Kind, truth, broad, kindAware map[string]bool) {
	g.out.Kinds[line] = kind
	g.out.Truth[line] = titles(truth)
	g.out.BroadPages[line] = titles(broad)
	g.out.Broad[line] = len(broad)
	g.out.KindAware[line] = len(kindAware)
}

// union returns the pages in any of sets.
func union(sets ...map[string]bool) map[string]bool {
	out := map[string]bool{}
	for _, set := range sets {
		for t := range set {
			out[t] = true
		}
	}
	return out
}

func titles(set map[string]bool) []string {
	t := make([]string, 0, len(set))
	for title := range set {
		t = append(t, wiki+":"+title)
	}
	sort.Strings(t)
	return t
}

// articleEdit edits an article: the page itself must be purged; broad
// purging purges its backlinks too, and kind-aware purging its
// transcluders (articles have none here).
func (g *gen) articleEdit(p *page) {
	line := g.pageChange("edit", p, "")
	self := map[string]bool{p.ref.Title: true}
	kindAware := union(self, g.transcluders(p.ref.Title))
	g.record(line, ArticleEdit, self, union(kindAware, g.backlinks(p.ref.Title)), kindAware)
	if g.rng.IntN(10) < 4 { // the edit changed what the page uses: a re-parse follows
		zipfT := newTemplateZipf(g)
		g.randomDeps(p, zipfT)
		g.parse(p)
	}
}

// templateEdit edits a template, which MediaWiki re-parses: its
// dependencies event precedes its page change, unless
// Config.ParseAfterEdit. An edit of the <noinclude> part only of a
// documented template (Config.NoincludeEdits) must purge the template's
// own page only; any other, the pages that render it (renders).
// MediaWiki purges those on every edit (kind-aware); broad purging
// every page that transcludes it in any way, transitively, and its
// backlinks.
func (g *gen) templateEdit(p *page) {
	kind := TemplateEdit
	if p.documented && g.rng.IntN(100) < g.cfg.NoincludeEdits {
		kind = NoincludeEdit
	} else {
		p.content++
	}
	p.rev++
	if !g.cfg.ParseAfterEdit {
		g.emitParse(p)
	}
	line := g.pageChange("edit", p, "")
	if g.cfg.ParseAfterEdit {
		g.emitParse(p)
	}
	self := map[string]bool{p.ref.Title: true}
	rendered := union(self, g.renders(p.ref.Title))
	truth := rendered
	if kind == NoincludeEdit {
		truth = self
	}
	broad := union(rendered, g.transcluders(p.ref.Title), g.backlinks(p.ref.Title))
	g.record(line, kind, truth, broad, rendered)
}

// renders is the oracle's set of the pages whose rendering shows template
// t, as MediaWiki expands templates: a page renders t when its own page
// transcludes t or a template that passes t on, transitively; a
// template passes on what it transcludes outside <noinclude>.
func (g *gen) renders(t string) map[string]bool {
	out := map[string]bool{}
	passing := map[string]bool{t: true}
	queue := []string{t}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for _, title := range g.order {
			p := g.pages[title]
			if p.deleted {
				continue
			}
			if contains(p.own(), cur) {
				out[title] = true
			}
			if p.ref.Namespace == deps.NamespaceTemplate && !passing[title] && contains(p.templates, cur) {
				passing[title] = true
				queue = append(queue, title)
			}
		}
	}
	return out
}

// transcluders is the transitive closure of the pages transcluding t in
// any way, <noinclude> parts included: what broad purging sends.
func (g *gen) transcluders(t string) map[string]bool {
	out := map[string]bool{}
	queue := []string{t}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for _, title := range g.order {
			p := g.pages[title]
			if p.deleted || out[title] || !contains(p.own(), cur) {
				continue
			}
			out[title] = true
			if p.ref.Namespace == deps.NamespaceTemplate {
				queue = append(queue, title)
			}
		}
	}
	return out
}

func (g *gen) backlinks(t string) map[string]bool {
	out := map[string]bool{}
	for _, title := range g.order {
		if p := g.pages[title]; !p.deleted && contains(p.links, t) {
			out[title] = true
		}
	}
	return out
}

// create creates a page at a title that some pages already link to (red
// links), if one is free; false if none is.
func (g *gen) create() bool {
	var free []string
	for i := range g.cfg.Pages/10 + 1 {
		title := fmt.Sprintf("Article_%d", g.cfg.Pages+i)
		if p, ok := g.pages[title]; !ok || p.deleted {
			free = append(free, title)
		}
	}
	if len(free) == 0 {
		return false
	}
	title := free[g.rng.IntN(len(free))]
	p := &page{ref: deps.PageRef{ID: g.nextID(), Title: title}, entities: map[string][]deps.Aspect{}}
	if old, ok := g.pages[title]; ok {
		p.rev = old.rev
	} else {
		g.order = append(g.order, title)
	}
	g.pages[title] = p
	p.rev++
	line := g.pageChange("create", p, "")
	truth := g.backlinks(title)
	truth[title] = true
	g.record(line, Creation, truth, union(truth, g.transcluders(title)), truth)
	g.parse(p)
	return true
}

func (g *gen) delete() {
	p := g.live(deps.NamespaceMain)
	p.deleted = true
	line := g.pageChange("delete", p, "")
	truth := g.backlinks(p.ref.Title)
	truth[p.ref.Title] = true
	g.record(line, Deletion, truth, union(truth, g.transcluders(p.ref.Title)), truth)
}

func (g *gen) move() {
	p := g.live(deps.NamespaceMain)
	oldTitle := p.ref.Title
	newTitle := fmt.Sprintf("Moved_%d", g.nextID())
	moved := &page{ref: deps.PageRef{ID: p.ref.ID, Title: newTitle}, rev: p.rev, templates: p.templates, links: p.links, entities: p.entities, item: p.item}
	p.deleted = true
	g.pages[newTitle] = moved
	g.order = append(g.order, newTitle)
	ev := g.pageChangeEvent("move", moved, oldTitle)
	// A redirect left at the old title keeps it existing: its linkers'
	// links stay blue, so only they are not due.
	redirect := g.cfg.MoveRedirects > 0 && g.rng.IntN(100) < g.cfg.MoveRedirects
	var left *page
	if redirect {
		left = &page{ref: deps.PageRef{ID: g.nextID(), Title: oldTitle}, rev: p.rev, links: []string{newTitle}, entities: map[string][]deps.Aspect{}}
		ev["created_redirect_page"] = map[string]any{"page_id": left.ref.ID, "page_title": oldTitle, "namespace_id": 0, "is_redirect": true}
	}
	line := g.emit(ev)
	backlinks := union(g.backlinks(oldTitle), g.backlinks(newTitle))
	backlinks[oldTitle], backlinks[newTitle] = true, true
	truth := backlinks
	if redirect {
		truth = g.backlinks(newTitle)
		truth[oldTitle], truth[newTitle] = true, true
	}
	g.record(line, Move, truth, union(backlinks, g.transcluders(oldTitle), g.transcluders(newTitle)), backlinks)
	if left != nil {
		g.pages[oldTitle] = left
		g.parse(left)
	}
}

// entityChange edits one aspect of entity id, as most Wikidata edits do:
// a label or description in one of many languages, a statement, sitelinks.
func (g *gen) entityChange(id string) {
	var aspect deps.Aspect
	switch r := g.rng.IntN(100); {
	case r < 60:
		aspect = deps.LabelAspect(languages[g.rng.IntN(len(languages))])
	case r < 75:
		aspect = deps.DescriptionAspect(languages[g.rng.IntN(len(languages))])
	case r < 95:
		aspect = deps.StatementAspect(properties[g.rng.IntN(len(properties))])
	default:
		aspect = deps.AspectSitelinks
	}
	ev := deps.EntityChange{
		Envelope: event.Envelope{Schema: deps.EntityChangeSchema, Meta: event.Meta{Stream: "ripple.entity_change", ID: event.NewID(), DT: g.clock, Domain: "www.wikidata.org"}, DT: g.clock},
		WikiID:   "wikidatawiki", EntityID: id, RevID: g.nextID(), Aspects: []string{string(aspect)},
	}
	line := g.emit(ev)
	truth, users := map[string]bool{}, map[string]bool{}
	for _, title := range g.order {
		p := g.pages[title]
		usage, ok := p.entities[id]
		if p.deleted || !ok {
			continue
		}
		users[title] = true
		if usesAspect(usage, aspect) {
			truth[title] = true
		}
	}
	g.record(line, EntityEdit, truth, users, users)
}

// usesAspect is the oracle's own matching rule: the page uses everything
// (X) or exactly the changed aspect.
func usesAspect(usage []deps.Aspect, changed deps.Aspect) bool {
	for _, a := range usage {
		if a == deps.AspectAll || strings.EqualFold(string(a), string(changed)) {
			return true
		}
	}
	return false
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
