package propagate

import (
	"errors"
	"fmt"
	"time"

	"github.com/ripplestream/ripple/deps"
	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/event/mediawiki"
)

// Kind is the kind of a change.
type Kind string

// Change kinds. Page kinds follow mediawiki/page/change's page_change_kind.
const (
	PageEdit     Kind = "edit"
	PageCreate   Kind = "create"
	PageDelete   Kind = "delete"
	PageUndelete Kind = "undelete"
	// PageVisibility is a change of what of the page's revisions (text,
	// comment, user) readers may see: its history changes, its text not.
	PageVisibility Kind = "visibility_change"
	PageMove       Kind = "move"
	EntityChange   Kind = "entity"
)

// Change is one input change, from any of the input events.
type Change struct {
	Kind Kind
	// Wiki is the page's wiki, or the entity's repository wiki.
	Wiki string
	// Page is the changed page (for moves: its new title).
	Page deps.PageRef
	// PriorTitle is a moved page's old title.
	PriorTitle string
	// LeftRedirect is true for a move that left a redirect at the old
	// title, which therefore still exists.
	LeftRedirect bool
	// RevID is the page's revision after the change, 0 if unknown. For an
	// edit of a template or module it names the revision whose stored
	// digest tells whether transcluders see any change.
	RevID int64
	// Entity and Aspects describe an entity change.
	Entity  deps.EntityID
	Aspects []deps.Aspect
	// Root identifies the originating change; derived events carry it.
	Root event.RootEvent
	// TriggeredBy is the input's description for triggered_by.
	TriggeredBy string
}

// PageChangeEvent is the mediawiki/page/change event the engine reads.
type PageChangeEvent = mediawiki.PageChange

// ErrBadChange wraps every reason an input event cannot become a Change.
var ErrBadChange = errors.New("propagate: bad change event")

// FromPageChange makes a Change of a mediawiki/page/change event.
func FromPageChange(ev PageChangeEvent) (Change, error) {
	title, err := deps.NormalizeTitle(ev.Page.PageTitle)
	if err != nil {
		return Change{}, fmt.Errorf("%w: page_title: %w", ErrBadChange, err)
	}
	if err := deps.ValidateWiki(ev.WikiID); err != nil {
		return Change{}, fmt.Errorf("%w: wiki_id: %w", ErrBadChange, err)
	}
	c := Change{
		Kind:  Kind(ev.PageChangeKind),
		Wiki:  ev.WikiID,
		Page:  deps.PageRef{ID: ev.Page.PageID, Namespace: deps.Namespace(ev.Page.NamespaceID), Title: title},
		Root:  rootOf(ev.Envelope, ev.WikiID+":"+title),
		RevID: ev.Revision.RevID,
	}
	c.TriggeredBy = triggeredBy(ev.Envelope)
	switch c.Kind {
	case PageEdit, PageCreate, PageDelete, PageUndelete, PageVisibility:
	case PageMove:
		if ev.PriorState == nil || ev.PriorState.Page == nil || ev.PriorState.Page.PageTitle == "" {
			return Change{}, fmt.Errorf("%w: move of %s without prior_state.page.page_title", ErrBadChange, title)
		}
		if c.PriorTitle, err = deps.NormalizeTitle(ev.PriorState.Page.PageTitle); err != nil {
			return Change{}, fmt.Errorf("%w: prior_state.page.page_title: %w", ErrBadChange, err)
		}
		c.LeftRedirect = ev.CreatedRedirectPage != nil
	default:
		return Change{}, fmt.Errorf("%w: page_change_kind %q (want edit, create, delete, undelete, move or visibility_change)", ErrBadChange, ev.PageChangeKind)
	}
	return c, nil
}

// FromEntityChange makes a Change of a ripple/entity/change event.
func FromEntityChange(ev deps.EntityChange) (Change, error) {
	if err := deps.EntityID(ev.EntityID).Validate(); err != nil {
		return Change{}, fmt.Errorf("%w: entity_id: %w", ErrBadChange, err)
	}
	aspects, err := deps.ParseAspects(ev.Aspects)
	if err != nil {
		return Change{}, fmt.Errorf("%w: aspects: %w", ErrBadChange, err)
	}
	return Change{
		Kind:        EntityChange,
		Wiki:        ev.WikiID,
		Entity:      deps.EntityID(ev.EntityID),
		Aspects:     aspects,
		Root:        rootOf(ev.Envelope, ev.WikiID+":"+ev.EntityID),
		TriggeredBy: triggeredBy(ev.Envelope),
	}, nil
}

// rootOf returns the event's root_event, or makes the event its own root,
// signed by what it changed so a newer change of the same thing supersedes.
func rootOf(env event.Envelope, signature string) event.RootEvent {
	if env.RootEvent != nil && env.RootEvent.Signature != "" {
		return *env.RootEvent
	}
	dt := env.DT
	if dt.IsZero() {
		dt = env.Meta.DT
	}
	if dt.IsZero() {
		dt = time.Now().UTC()
	}
	return event.RootEvent{Signature: signature, DT: dt}
}

func triggeredBy(env event.Envelope) string {
	here := env.Meta.Stream + ":" + env.Meta.URI
	if env.TriggeredBy != "" {
		return env.TriggeredBy + "," + here
	}
	return here
}
