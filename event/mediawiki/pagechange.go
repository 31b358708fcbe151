// Package mediawiki holds the MediaWiki event types ripple's operators and
// jobs read, as Go structs over the real Wikimedia schemas; starting with
// mediawiki/page/change (and the content-carrying
// mediawiki.page_content_change stream of the same schema).
package mediawiki

import (
	"errors"
	"fmt"
	"time"

	"github.com/ripplestream/ripple/event"
)

// PageChange is the part of a mediawiki/page/change event (1.x) ripple
// reads. The revision text is in the main slot's content_body,
// which the mediawiki.page_content_change.v1 stream fills.
type PageChange struct {
	event.Envelope
	// WikiID is the wiki's database name, such as enwiki.
	WikiID string `json:"wiki_id"`
	// PageChangeKind is create, edit, move, delete, undelete or
	// visibility_change.
	PageChangeKind string `json:"page_change_kind"`
	// Page identifies the page.
	Page Page `json:"page"`
	// Revision is the page's current revision after the change.
	Revision Revision `json:"revision"`
	// PriorState holds the page as it was before the change, for moves.
	PriorState *PriorState `json:"prior_state,omitempty"`
	// CreatedRedirectPage is, for a move that left a redirect, the
	// redirect page now at the old title; nil when the move left none.
	CreatedRedirectPage *Page `json:"created_redirect_page,omitempty"`
}

// PriorState is the state of a page before a change.
type PriorState struct {
	Page *Page `json:"page,omitempty"`
}

// Page identifies a page.
type Page struct {
	PageID      int64  `json:"page_id"`
	PageTitle   string `json:"page_title"`
	NamespaceID int    `json:"namespace_id"`
}

// Revision is a revision of a page.
type Revision struct {
	RevID        int64           `json:"rev_id"`
	RevDT        time.Time       `json:"rev_dt,omitzero"`
	ContentSlots map[string]Slot `json:"content_slots,omitempty"`
}

// Slot is one content slot of a revision.
type Slot struct {
	ContentModel string  `json:"content_model,omitempty"`
	ContentBody  *string `json:"content_body,omitempty"`
}

// ErrBadEvent is wrapped by the errors about events that lack what a
// consumer needs; such an event can never be processed.
var ErrBadEvent = errors.New("mediawiki: unusable page change event")

// Deleted reports whether the change deletes the page.
func (p PageChange) Deleted() bool { return p.PageChangeKind == "delete" }

// Text returns the main slot's content, or an error wrapping ErrBadEvent
// that says which field is missing.
func (p PageChange) Text() (string, error) {
	main, ok := p.Revision.ContentSlots["main"]
	if !ok || main.ContentBody == nil {
		return "", fmt.Errorf("%w: %s page %d revision %d has no revision.content_slots.main.content_body "+
			"(read a stream that carries content, such as mediawiki.page_content_change.v1)",
			ErrBadEvent, p.WikiID, p.Page.PageID, p.Revision.RevID)
	}
	return *main.ContentBody, nil
}

// Check reports a missing identity field: wiki, page id, revision id.
func (p PageChange) Check() error {
	switch {
	case p.WikiID == "":
		return fmt.Errorf("%w: no wiki_id", ErrBadEvent)
	case p.Page.PageID <= 0:
		return fmt.Errorf("%w: %s: page.page_id is %d, want a positive id", ErrBadEvent, p.WikiID, p.Page.PageID)
	case p.Revision.RevID <= 0 && !p.Deleted():
		return fmt.Errorf("%w: %s page %d: revision.rev_id is %d, want a positive id",
			ErrBadEvent, p.WikiID, p.Page.PageID, p.Revision.RevID)
	}
	return nil
}

// EventTime is the time of the revision, or of the event without one.
func (p PageChange) EventTime() time.Time {
	if !p.Revision.RevDT.IsZero() {
		return p.Revision.RevDT
	}
	if !p.DT.IsZero() {
		return p.DT
	}
	return time.Now()
}

// Order is how a change relates to the latest revision a consumer keeps
// for the page.
type Order int

// Orders of a change against the kept revision.
const (
	Newer    Order = iota // a revision after the kept one (or none is kept)
	Older                 // a revision before the kept one: arrived late
	Same                  // the kept revision again: a redelivery
	Deletion              // the page was deleted
)

// ErrOtherPage is wrapped when a change is of another page than the one a
// consumer keeps under the change's key.
var ErrOtherPage = errors.New("mediawiki: key holds another page")

// Against checks p and orders it against the revision revID of page pageID
// on wiki that a consumer keeps (revID 0: none). Errors wrap ErrBadEvent or
// ErrOtherPage: the change can never be applied.
func (p PageChange) Against(wiki string, pageID, revID int64) (Order, error) {
	if err := p.Check(); err != nil {
		return 0, err
	}
	if revID != 0 && (wiki != p.WikiID || pageID != p.Page.PageID) {
		return 0, fmt.Errorf("%w: state is of %s page %d, event of %s page %d; key the input by page",
			ErrOtherPage, wiki, pageID, p.WikiID, p.Page.PageID)
	}
	switch rev := p.Revision.RevID; {
	case p.Deleted():
		return Deletion, nil
	case rev < revID:
		return Older, nil
	case rev == revID:
		return Same, nil
	}
	return Newer, nil
}

// ChangelogKind returns the changelog_kind MediaWiki writes with a page
// change of kind (page_change_kind): insert for create and undelete,
// delete for delete, update for edit, move and visibility_change. The
// schema requires it; events ripple generates (tests, workloads) use this.
func ChangelogKind(kind string) string {
	switch kind {
	case "create", "undelete":
		return "insert"
	case "delete":
		return "delete"
	}
	return "update"
}
