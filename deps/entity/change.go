package entity

import (
	"slices"
	"time"

	"github.com/ripplestream/ripple/deps"
	"github.com/ripplestream/ripple/event"
)

// ChangeSchema is the $schema of the events NewChange builds.
const ChangeSchema = deps.EntityChangeSchema

// Change is a ripple/entity/change event: the aspects of a Wikibase entity
// that one revision changed. It is deps.EntityChange, the type the
// propagation engine consumes. Encode it with event.JSON.
type Change = deps.EntityChange

// NewChange returns the change event for revision revID of entityID on
// wikiID, which happened at dt, for stream. Its envelope comes from
// event.New: a fresh meta.id and meta.dt. To link the change to the page
// change it was derived from, replace the envelope:
//
//	c.Envelope = event.Derive(pageChange, entity.ChangeSchema, stream, dt)
//
// aspects is copied; nil becomes empty, which encodes as [] as the schema
// requires.
func NewChange(stream string, dt time.Time, wikiID, entityID string, revID int64, aspects []string) Change {
	a := slices.Clone(aspects)
	if a == nil {
		a = []string{}
	}
	return Change{
		Envelope: event.New(ChangeSchema, stream, dt),
		WikiID:   wikiID,
		EntityID: entityID,
		RevID:    revID,
		Aspects:  a,
	}
}
