// Package entity derives what an edit of a Wikibase entity changed, in the
// aspects of Wikibase usage tracking (S, T, L.xx, D.xx, C.Pnn, O, X), from
// the entity's JSON before and after the edit, and builds the
// ripple/entity/change event that carries them. Package deps matches the
// changed aspects against the aspects pages use.
//
// It does not fetch entities nor read page change events: a job gives it
// the two revisions' JSON.
package entity
