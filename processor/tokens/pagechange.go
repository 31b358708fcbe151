package tokens

import "github.com/ripplestream/ripple/event/mediawiki"

// PageChange is the mediawiki/page/change event the operator reads; the
// revision text is in the main slot's content_body, which the
// mediawiki.page_content_change.v1 stream fills.
type PageChange = mediawiki.PageChange

// Page, Revision and Slot are parts of a PageChange.
type (
	Page     = mediawiki.Page
	Revision = mediawiki.Revision
	Slot     = mediawiki.Slot
)

// ErrBadEvent is wrapped by the errors about events that lack what the
// operator needs; such an event can never be processed.
var ErrBadEvent = mediawiki.ErrBadEvent
