package wikitext

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
)

// Deps is the dependency set of one page's wikitext. Every list is sorted
// bytewise without duplicates, and non-nil, so that it encodes as [] when
// empty: the JSON names are those of the ripple/page/dependencies event,
// which an event type can embed Deps to fill.
type Deps struct {
	// Templates are the prefixed titles of the pages the text transcludes:
	// templates (Template:Cite_web), modules (Module:Citation/CS1, from
	// #invoke) and pages of other namespaces ({{:Main_page}} gives
	// Main_page, {{User:X/sig}} gives User:X/sig).
	Templates []string `json:"templates"`
	// Links are the prefixed titles of the local pages the text links to,
	// without fragments; links to the page itself are left out, as
	// MediaWiki leaves them out.
	Links []string `json:"links"`
	// Files are the files the text uses, as File:Name.ext.
	Files []string `json:"files"`
	// Categories are the categories the text puts the page in, as
	// Category:Name. The page dependencies event has no field for them,
	// so they do not encode; a producer that wants the creation of a
	// category page to re-render its members adds them to Links.
	Categories []string `json:"-"`
	// Entities are the Wikibase entities the text uses, by id.
	Entities []EntityUsage `json:"entities"`
	// Title is the page's prefixed title as MediaWiki normalizes it
	// (Template:Infobox_person for "template:infobox person"), and
	// Namespace its namespace; "" and NamespaceMain when Parse was given
	// no title. Like Categories, they do not encode: the event has them
	// in its page.
	Title     string    `json:"-"`
	Namespace Namespace `json:"-"`
	// The lists above are what the page renders on its own page: its
	// text without <includeonly> parts. PassesOn is what it passes on to
	// the pages that transclude it (its text without <noinclude> parts
	// and, with <onlyinclude>, only what is inside it), read as a
	// transcluder reads it: relative links and the connected entity are
	// the transcluder's, so neither counts. Parse fills it for templates
	// (namespace 10), and leaves it nil when it equals the own sets and
	// for other pages, whose transclusion ripple does not follow; a
	// module passes on what it uses.
	PassesOn *Sets `json:"passes_on,omitempty"`
	// PassesOnDigest is PassesOnDigest of the page's text, for templates
	// and modules; "" for other pages.
	PassesOnDigest string `json:"passes_on_digest,omitempty"`
}

// Sets are the dependency sets of one rendering of a page, as in Deps.
type Sets struct {
	Templates  []string      `json:"templates"`
	Links      []string      `json:"links"`
	Files      []string      `json:"files"`
	Categories []string      `json:"-"`
	Entities   []EntityUsage `json:"entities"`
}

// EntityUsage is the use of one Wikibase entity, in the aspects of
// Wikibase usage tracking (S, L.xx, D.xx, T, C.Pnn, C, O, X).
type EntityUsage struct {
	// ID is the entity id, such as Q42.
	ID string `json:"id"`
	// Aspects are sorted and without duplicates; C leaves out every C.Pnn.
	Aspects []string `json:"aspects"`
}

// Parse returns the dependency set of text, the wikitext of page title on
// wiki. title is the prefixed title of the page (Talk:Foo, or Foo in the
// main namespace); it resolves relative links ([[/Sub]], [[../Up]]) and
// keeps self-links out. It may be "" when unknown. wiki only names the page
// in errors.
//
// Parse reads the constructs that name dependencies as MediaWiki's
// preprocessor and parser read them; see the package documentation for
// what it reads and what it cannot know. It never fails on the text
// itself: unbalanced braces and brackets, unclosed tags, invalid UTF-8 and
// deep nesting give what a parse of the text shows. It runs in time linear
// in the length of the text.
//
// It fails, wrapping the sentinel, with ErrBadOptions for invalid options,
// ErrBadTitle for an invalid title, and ErrTooLarge for text longer than
// Options.MaxBytes.
func Parse(wiki, title, text string, opts Options) (Deps, error) {
	if err := opts.Validate(); err != nil {
		return Deps{}, err
	}
	limit := opts.MaxBytes
	if limit == 0 {
		limit = DefaultMaxBytes
	}
	if len(text) > limit {
		return Deps{}, fmt.Errorf("%w: %s %q: %d bytes of wikitext, more than MaxBytes (%d)", ErrTooLarge, wiki, title, len(text), limit)
	}
	r := newRun(&opts)
	if title != "" {
		t, ok := r.parseAnyTitle(title, NamespaceMain)
		if !ok || t.interwiki || t.colon || t.ns < 0 || strings.ContainsRune(title, '#') {
			return Deps{}, fmt.Errorf("%w: %s %q: not the title of a local page", ErrBadTitle, wiki, title)
		}
		r.self, r.selfNS = r.prefixed(t), t.ns
	}
	if opts.ConnectedEntity != "" {
		r.connected = normalizeEntityID(opts.ConnectedEntity)
		r.addEntity(r.connected, "S")
	}
	includes := r.selfNS != NamespaceModule && hasIncludeTags(text)
	own := text
	if includes {
		own = includeText(text, viewMode)
	}
	r.scan(r.clean(own, 0))
	d := r.deps()
	switch r.selfNS {
	case NamespaceModule:
		d.PassesOnDigest = PassesOnDigest(text, r.selfNS)
	case NamespaceTemplate:
		d.PassesOnDigest = PassesOnDigest(text, r.selfNS)
		passed := text
		if includes {
			passed = includeText(text, inclusionText)
		}
		// As a transcluder reads it: no page of its own to resolve
		// relative links against or to leave out as a self-link, no
		// connected entity.
		transcluder := opts
		transcluder.ConnectedEntity = ""
		t := newRun(&transcluder)
		t.scan(t.clean(passed, 0))
		if p := t.deps().sets(); !reflect.DeepEqual(p, d.sets()) {
			d.PassesOn = &p
		}
	}
	return d, nil
}

// sets returns the sets of d.
func (d Deps) sets() Sets {
	return Sets{Templates: d.Templates, Links: d.Links, Files: d.Files, Categories: d.Categories, Entities: d.Entities}
}

// run is the state of one Parse call.
type run struct {
	opts      *Options
	self      string    // the page's prefixed title, or ""
	selfNS    Namespace // the page's namespace
	connected string    // the connected entity, or ""

	interwiki map[string]bool // cache of isInterwiki answers

	templates, links, files, categories map[string]struct{}
	entities                            map[string]map[string]struct{}

	// The scanner's stack, kept to reuse its memory across the texts of
	// one run (gallery lines, then the page).
	frames []frame
}

// newRun returns the state for one Parse call.
func newRun(opts *Options) *run {
	return &run{
		opts:       opts,
		templates:  map[string]struct{}{},
		links:      map[string]struct{}{},
		files:      map[string]struct{}{},
		categories: map[string]struct{}{},
		entities:   map[string]map[string]struct{}{},
	}
}

// deps returns what the run recorded.
func (r *run) deps() Deps {
	d := Deps{
		Templates:  sorted(r.templates),
		Links:      sorted(r.links),
		Files:      sorted(r.files),
		Categories: sorted(r.categories),
		Entities:   make([]EntityUsage, 0, len(r.entities)),
		Title:      r.self,
		Namespace:  r.selfNS,
	}
	for _, id := range slices.Sorted(maps.Keys(r.entities)) {
		d.Entities = append(d.Entities, EntityUsage{ID: id, Aspects: subsume(sorted(r.entities[id]))})
	}
	return d
}

// sorted returns the keys of set in order, as a non-nil slice.
func sorted(set map[string]struct{}) []string {
	keys := slices.AppendSeq(make([]string, 0, len(set)), maps.Keys(set))
	slices.Sort(keys)
	return keys
}

// subsume drops from sorted aspects those those a broader aspect covers: every
// other aspect under X, C.Pnn under C, L.xx under L, D.xx under D.
func subsume(aspects []string) []string {
	if slices.Contains(aspects, "X") {
		return []string{"X"}
	}
	collapsed := map[string]bool{}
	for _, a := range aspects {
		if a == "C" || a == "L" || a == "D" {
			collapsed[a] = true
		}
	}
	if len(collapsed) == 0 {
		return aspects
	}
	return slices.DeleteFunc(aspects, func(a string) bool {
		base, _, ok := strings.Cut(a, ".")
		return ok && collapsed[base]
	})
}
