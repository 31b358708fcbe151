package deps

import (
	"github.com/ripplestream/ripple/event"
)

// Schema URIs of the events this package models.
const (
	// DependenciesSchema is the $schema of PageDependencies events: the
	// page's own sets, what it passes on to transcluders, and a digest of
	// that.
	DependenciesSchema = "/ripple/page/dependencies/2.0.0"
	// DependenciesSchemaV1 is the $schema of the first version, still
	// read: its sets are the page's own and all are passed on, with no
	// digest (PageDependencies.PassesOn nil).
	DependenciesSchemaV1 = "/ripple/page/dependencies/1.0.0"
	// EntityChangeSchema is the $schema of EntityChange events.
	EntityChangeSchema = "/ripple/entity/change/1.0.0"
)

// PageDependencies is a ripple/page/dependencies event: the full dependency
// sets of one page after a parse. Decode it with event.JSON, validate it
// against its schema, and store PageDeps().
type PageDependencies struct {
	event.Envelope
	// WikiID is the wiki of the page, such as enwiki.
	WikiID string `json:"wiki_id"`
	// Page is the page that was parsed.
	Page EventPage `json:"page"`
	// RevID is the revision whose parse produced the sets.
	RevID int64 `json:"rev_id"`
	// Templates are the prefixed titles of transcluded templates and modules.
	Templates []string `json:"templates"`
	// Links are the prefixed titles the page links to.
	Links []string `json:"links"`
	// Files are the prefixed titles of the files the page uses.
	Files []string `json:"files"`
	// Entities are the Wikibase entity usages of the page.
	Entities []EventEntityUsage `json:"entities"`
	// PassesOn is what the page passes on to its transcluders, when it
	// differs from the sets above (2.0.0); nil means the same sets.
	PassesOn *EventSets `json:"passes_on,omitempty"`
	// PassesOnDigest is the digest of what the page passes on (2.0.0), or
	// "" when unknown.
	PassesOnDigest string `json:"passes_on_digest,omitempty"`
}

// EventSets is the passes_on object of a PageDependencies event.
type EventSets struct {
	Templates []string           `json:"templates"`
	Links     []string           `json:"links"`
	Files     []string           `json:"files"`
	Entities  []EventEntityUsage `json:"entities"`
}

// EventPage is the page object of a PageDependencies event.
type EventPage struct {
	// PageID is the MediaWiki page id.
	PageID int64 `json:"page_id"`
	// PageTitle is the normalized prefixed title.
	PageTitle string `json:"page_title"`
	// NamespaceID is the page's namespace.
	NamespaceID int `json:"namespace_id"`
}

// EventEntityUsage is one entry of a PageDependencies event's entities.
type EventEntityUsage struct {
	// ID is the entity id, such as Q42.
	ID string `json:"id"`
	// Aspects are the used aspects, such as S, L.en, C.P18.
	Aspects []string `json:"aspects"`
}

// PageDeps returns the dependency set the event carries, not yet
// normalized: Store.PutPage normalizes and validates it. An event without
// passes_on (every 1.0.0 event) passes on all its sets.
func (e PageDependencies) PageDeps() PageDeps {
	p := PageDeps{
		Wiki:      e.WikiID,
		Page:      PageRef{ID: e.Page.PageID, Namespace: Namespace(e.Page.NamespaceID), Title: e.Page.PageTitle},
		RevID:     e.RevID,
		Templates: e.Templates,
		Links:     e.Links,
		Files:     e.Files,
		Entities:  entityUsages(e.Entities),
		Digest:    e.PassesOnDigest,
	}
	if e.PassesOn != nil {
		p.PassesOn = &Sets{Templates: e.PassesOn.Templates, Links: e.PassesOn.Links, Files: e.PassesOn.Files,
			Entities: entityUsages(e.PassesOn.Entities)}
	}
	return p
}

// entityUsages converts the entities of an event.
func entityUsages(in []EventEntityUsage) []EntityUsage {
	var out []EntityUsage
	for _, u := range in {
		aspects := make([]Aspect, len(u.Aspects))
		for i, a := range u.Aspects {
			aspects[i] = Aspect(a)
		}
		out = append(out, EntityUsage{ID: EntityID(u.ID), Aspects: aspects})
	}
	return out
}

// EntityChange is a ripple/entity/change event: the aspects of a Wikibase
// entity that one revision changed.
type EntityChange struct {
	event.Envelope
	// WikiID is the repository wiki of the entity, such as wikidatawiki.
	WikiID string `json:"wiki_id"`
	// EntityID is the changed entity.
	EntityID string `json:"entity_id"`
	// RevID is the entity revision that made the change.
	RevID int64 `json:"rev_id"`
	// Aspects are the changed aspects.
	Aspects []string `json:"aspects"`
}

// Query returns the Dependents query for the pages of wiki ("" for every
// wiki) affected by the change. affects is false when the event names no
// aspect: it changed nothing pages use, while a Query without aspects would
// ask for every user of the entity. An invalid entity id or aspect wraps
// ErrInvalid.
func (e EntityChange) Query(wiki string) (q Query, affects bool, err error) {
	aspects, err := ParseAspects(e.Aspects)
	if err != nil {
		return Query{}, false, err
	}
	if err := EntityID(e.EntityID).Validate(); err != nil {
		return Query{}, false, err
	}
	q = Query{Wiki: wiki, Edge: UsesEntity, Target: e.EntityID, Aspects: aspects}
	return q, len(aspects) > 0, nil
}
