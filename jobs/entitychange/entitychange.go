package entitychange

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/ripplestream/ripple/deps"
	"github.com/ripplestream/ripple/deps/entity"
	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/event/mediawiki"
)

// PageChange is the mediawiki/page/change event the job reads. Its
// PriorState shadows mediawiki.PageChange's to read the previous revision
// (entity pages do not move).
type PageChange struct {
	mediawiki.PageChange
	PriorState *PriorState `json:"prior_state,omitempty"`
}

// PriorState is the part of prior_state the job reads.
type PriorState struct {
	Revision *PriorRevision `json:"revision,omitempty"`
}

// PriorRevision is the revision before the change.
type PriorRevision struct {
	RevID int64 `json:"rev_id"`
}

// State is what the job keeps per entity page: the latest revision seen
// and its entity JSON.
type State struct {
	// Wiki and PageID identify the page; a key must hold one page.
	Wiki   string `json:"wiki"`
	PageID int64  `json:"page_id"`
	// EntityID is the entity on the page, such as Q42.
	EntityID string `json:"entity_id"`
	// RevID is the latest revision seen.
	RevID int64 `json:"rev_id"`
	// Entity is the revision's entity JSON, compacted; nil when it was
	// over Config.MaxEntityBytes, and then only SHA256 describes it.
	Entity json.RawMessage `json:"entity,omitempty"`
	// SHA256 is the hex SHA-256 of the compacted entity JSON.
	SHA256 string `json:"sha256"`
}

// Outcome says what Apply did with a page change.
type Outcome string

// Outcomes of Apply.
const (
	Changed   Outcome = "changed"   // a new revision changed the aspects in Result.Aspects: emit
	Unchanged Outcome = "unchanged" // a new revision that changed nothing pages use: state set
	Deleted   Outcome = "deleted"   // the page was deleted (X): emit, drop the state
	Stale     Outcome = "stale"     // older than the state's revision: ignored
	Duplicate Outcome = "duplicate" // the state's revision again: ignored
	Ignored   Outcome = "ignored"   // not an entity page of a repository: ignored
)

// Result is what Apply found.
type Result struct {
	Outcome  Outcome
	EntityID string
	// Aspects are the changed aspects (Changed, Deleted).
	Aspects []string
	// UnknownPrior says the aspects are X because the previous revision
	// was unknown; Fetched counts the revisions fetched from the Source.
	UnknownPrior bool
	Fetched      int
}

// ErrBadEvent is wrapped by the errors about events the job can never use.
var ErrBadEvent = mediawiki.ErrBadEvent

// Deriver turns page changes of entity pages into changed aspects. It is
// safe for concurrent use.
type Deriver struct{ cfg Config }

// NewDeriver returns a Deriver for cfg, with its defaults filled.
func NewDeriver(cfg Config) (*Deriver, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Deriver{cfg: cfg.WithDefaults()}, nil
}

// Apply applies ch to prev, the page's state (has false: none), and
// returns the next state and what changed. Errors wrapping ErrBadEvent,
// mediawiki.ErrOtherPage, entity.ErrInvalidJSON, entity.ErrMismatch or
// ErrNoRevision mean the event can never be used; others come from the
// Source.
func (d *Deriver) Apply(ctx context.Context, prev State, has bool, ch PageChange) (State, Result, error) {
	if !d.entityPage(prev, has, ch) {
		return prev, Result{Outcome: Ignored}, nil
	}
	order, err := ch.Against(prev.Wiki, prev.PageID, prev.RevID)
	if err != nil {
		return prev, Result{}, err
	}
	id := prev.EntityID
	if !has {
		if id, err = titleEntityID(ch.Page.PageTitle); err != nil {
			return prev, Result{}, err
		}
	}
	res := Result{EntityID: id}
	switch order {
	case mediawiki.Deletion:
		res.Outcome, res.Aspects = Deleted, []string{entity.AspectAll}
		return State{}, res, nil
	case mediawiki.Older:
		res.Outcome = Stale
		return prev, res, nil
	case mediawiki.Same:
		res.Outcome = Duplicate
		return prev, res, nil
	}
	next, err := d.revision(ctx, ch, id, &res)
	if err != nil {
		return prev, Result{}, err
	}
	state := State{Wiki: ch.WikiID, PageID: ch.Page.PageID, EntityID: id, RevID: ch.Revision.RevID, SHA256: hash(next)}
	if len(next) <= d.cfg.MaxEntityBytes {
		state.Entity = next
	}
	prior, known, err := d.prior(ctx, prev, has, ch, state, &res)
	if err != nil {
		return prev, Result{}, err
	}
	switch {
	case !known:
		res.Aspects, res.UnknownPrior = []string{entity.AspectAll}, true
	case prior == nil && has && prev.SHA256 == state.SHA256:
		res.Aspects = []string{} // the same JSON as the oversized one kept
	default:
		if res.Aspects, err = entity.ChangedAspects(prior, next, d.cfg.Aspects); err != nil {
			return prev, Result{}, fmt.Errorf("%w (%s revision %d of %s)", err, ch.WikiID, ch.Revision.RevID, id)
		}
	}
	res.Outcome = Changed
	if len(res.Aspects) == 0 {
		res.Outcome = Unchanged
	}
	return state, res, nil
}

// entityPage reports whether ch is of an entity page of a repository.
func (d *Deriver) entityPage(prev State, has bool, ch PageChange) bool {
	if !slices.Contains(d.cfg.Repos, ch.WikiID) || ch.PageChangeKind == "visibility_change" {
		return false
	}
	if main, ok := ch.Revision.ContentSlots["main"]; ok && main.ContentModel != "" {
		return slices.Contains(d.cfg.ContentModels, main.ContentModel)
	}
	// No slot: a suppressed deletion, say. The state says what the page
	// held; without one, its namespace does.
	return has || ch.Deleted() && slices.Contains(d.cfg.Namespaces, ch.Page.NamespaceID)
}

// revision returns the compacted entity JSON of ch's revision: the event's
// content, or the Source's.
func (d *Deriver) revision(ctx context.Context, ch PageChange, id string, res *Result) ([]byte, error) {
	text, err := ch.Text()
	if err != nil {
		if d.cfg.Source == nil {
			return nil, fmt.Errorf("%w; or set Config.Source to fetch revisions", err)
		}
		b, err := d.fetch(ctx, ch.WikiID, id, ch.Revision.RevID, res)
		if err != nil {
			return nil, err
		}
		text = string(b)
	}
	return compact([]byte(text), ch.WikiID, ch.Revision.RevID)
}

// prior returns the entity JSON before ch: nil for a page created or
// undeleted, the state's, or the Source's; known is false when none of
// them can tell. An oversized state JSON with the same hash as next
// returns nil, true.
func (d *Deriver) prior(ctx context.Context, prev State, has bool, ch PageChange, next State, res *Result) (prior []byte, known bool, err error) {
	switch {
	case has && prev.Entity != nil:
		return prev.Entity, true, nil
	case has && prev.SHA256 == next.SHA256:
		return nil, true, nil
	case !has && (ch.PageChangeKind == "create" || ch.PageChangeKind == "undelete"):
		return nil, true, nil
	}
	rev := prev.RevID
	if !has && ch.PriorState != nil && ch.PriorState.Revision != nil {
		rev = ch.PriorState.Revision.RevID
	}
	if d.cfg.Source == nil || rev <= 0 {
		return nil, false, nil
	}
	b, err := d.fetch(ctx, ch.WikiID, next.EntityID, rev, res)
	if err != nil {
		return nil, false, err
	}
	b, err = compact(b, ch.WikiID, rev)
	return b, err == nil, err
}

func (d *Deriver) fetch(ctx context.Context, wiki, id string, rev int64, res *Result) ([]byte, error) {
	b, err := d.cfg.Source.EntityJSON(ctx, wiki, id, rev)
	if err != nil {
		return nil, fmt.Errorf("entitychange: fetching %s revision %d of %s: %w", wiki, rev, id, err)
	}
	res.Fetched++
	return b, nil
}

// Change returns the event for res, derived from ch.
func (d *Deriver) Change(ch PageChange, prev State, res Result) entity.Change {
	dt := ch.DT
	if dt.IsZero() {
		dt = ch.EventTime()
	}
	rev := ch.Revision.RevID
	if rev <= 0 {
		rev = prev.RevID
	}
	c := entity.NewChange(string(d.cfg.Output), dt, ch.WikiID, res.EntityID, rev, res.Aspects)
	c.Envelope = event.Derive(ch.Envelope, entity.ChangeSchema, string(d.cfg.Output), dt)
	c.Meta.URI = ch.Meta.URI
	return c
}

// titleEntityID returns the entity id a page title names: Q42 for Q42,
// P31 for Property:P31, L7 for Lexeme:L7.
func titleEntityID(title string) (string, error) {
	id := title[strings.LastIndexByte(title, ':')+1:]
	if err := deps.EntityID(id).Validate(); err != nil {
		return "", fmt.Errorf("%w: page title %q names no entity: %w", ErrBadEvent, title, err)
	}
	return id, nil
}

// compact returns data without insignificant whitespace, checking it is
// JSON.
func compact(data []byte, wiki string, rev int64) ([]byte, error) {
	var b bytes.Buffer
	if err := json.Compact(&b, data); err != nil {
		return nil, fmt.Errorf("%w: %s revision %d: %v", entity.ErrInvalidJSON, wiki, rev, err)
	}
	return b.Bytes(), nil
}

func hash(b []byte) string {
	sum := sha256.Sum256(b)
	return fmt.Sprintf("%x", sum)
}

// permanent reports whether err can never be cured by trying again.
func permanent(err error) bool {
	for _, e := range []error{ErrBadEvent, mediawiki.ErrOtherPage, entity.ErrInvalidJSON, entity.ErrMismatch, entity.ErrNoEntity, ErrNoRevision} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}
