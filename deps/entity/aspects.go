package entity

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Sentinel errors. ChangedAspects wraps them with the side (prior or next)
// and the field at fault.
var (
	// ErrInvalidJSON means an input is not the JSON of a Wikibase entity.
	ErrInvalidJSON = errors.New("entity: invalid entity JSON")
	// ErrNoEntity means neither prior nor next holds an entity.
	ErrNoEntity = errors.New("entity: neither prior nor next holds an entity")
	// ErrMismatch means prior and next are different entities.
	ErrMismatch = errors.New("entity: prior and next are different entities")
	// ErrBadOptions means Options.Validate failed.
	ErrBadOptions = errors.New("entity: invalid options")
)

// The aspects ChangedAspects reports, in the notation of Wikibase usage
// tracking.
const (
	AspectSitelinks = "S" // some sitelink changed
	AspectTitle     = "T" // the sitelink to the client wiki changed
	AspectOther     = "O" // something no other aspect names changed
	AspectAll       = "X" // the entity was created, deleted or redirected
	// AspectLabel, AspectDescription and AspectStatements stand alone when
	// more languages or properties changed than the collapse limit; else
	// they prefix a language (L.en) or a property (C.P31).
	AspectLabel       = "L"
	AspectDescription = "D"
	AspectStatements  = "C"
)

// AllSites, as Options.ClientSite, reports T for a retitled sitelink to
// any site: for one change event that serves every client wiki at once,
// where a T usage on a wiki whose sitelink did not change is purged too
// (Wikibase, which sends each client wiki its own change, would not).
const AllSites = "*"

// Default collapse limits.
const (
	DefaultMaxLabelLanguages       = 10
	DefaultMaxDescriptionLanguages = 10
	DefaultMaxProperties           = 50
	// NoLimit turns a collapse limit off.
	NoLimit = -1
)

// Options configure ChangedAspects. The zero value uses the default limits
// and reports no T.
type Options struct {
	// ClientSite is the site id of the client wiki whose pages use the
	// entity, such as enwiki. A change of the entity's sitelink to that
	// site, other than of its badges alone, is reported as T as well as S.
	// "" reports no T; AllSites reports T when the sitelink to any site
	// was added, removed or retitled.
	ClientSite string
	// MaxLabelLanguages is the most L.xx aspects reported; a change of
	// labels in more languages is reported as L. 0 means
	// DefaultMaxLabelLanguages; NoLimit reports every language.
	MaxLabelLanguages int
	// MaxDescriptionLanguages is the same limit for descriptions (D.xx,
	// D). 0 means DefaultMaxDescriptionLanguages.
	MaxDescriptionLanguages int
	// MaxProperties is the most C.Pnn aspects reported; a change of
	// statements of more properties is reported as C. 0 means
	// DefaultMaxProperties.
	MaxProperties int
}

// Validate reports a limit below NoLimit, wrapping ErrBadOptions.
func (o Options) Validate() error {
	for _, f := range []struct {
		name  string
		value int
	}{{"MaxLabelLanguages", o.MaxLabelLanguages}, {"MaxDescriptionLanguages", o.MaxDescriptionLanguages}, {"MaxProperties", o.MaxProperties}} {
		if f.value < NoLimit {
			return fmt.Errorf("%w: %s is %d; want NoLimit (-1), 0 for the default, or a positive limit", ErrBadOptions, f.name, f.value)
		}
	}
	return nil
}

// withDefaults returns o with its zero limits set to the defaults.
func (o Options) withDefaults() Options {
	if o.MaxLabelLanguages == 0 {
		o.MaxLabelLanguages = DefaultMaxLabelLanguages
	}
	if o.MaxDescriptionLanguages == 0 {
		o.MaxDescriptionLanguages = DefaultMaxDescriptionLanguages
	}
	if o.MaxProperties == 0 {
		o.MaxProperties = DefaultMaxProperties
	}
	return o
}

// ChangedAspects returns the aspects in which next, the JSON of a Wikibase
// entity after an edit, differs from prior, its JSON before: sorted,
// without duplicates, and empty (not nil) when nothing pages can use
// changed, as for a null edit. The inputs are in the Wikibase JSON format
// of Special:EntityData and the entity's page content, with or without the
// {"entities": {id: ...}} envelope.
//
// The aspects are those of Wikibase's usage tracking, derived as its
// AffectedPagesFinder derives them:
//
//   - L.xx and D.xx for each language whose label or description was added,
//     removed or changed; L or D alone beyond the collapse limit;
//   - S when any sitelink was added, removed or changed (title or badges),
//     and T as well when the sitelink to Options.ClientSite was added,
//     removed or retitled;
//   - C.Pnn for each property with a statement added, removed, changed
//     (value, rank, qualifiers, references) or moved: the order of a
//     property's statements is what #statements renders, so unlike
//     Wikibase, which diffs statements by id, a reorder is a change; C
//     alone beyond the collapse limit;
//   - O for any other change: aliases, and every other field (type,
//     datatype, lexeme lemmas, forms and senses, ...);
//   - X alone when the entity was created (prior empty), deleted (next
//     empty), turned into or out of a redirect, or redirected elsewhere:
//     everything changed. A redirect compared with itself changed nothing.
//
// Empty input, whitespace and JSON null mean "no entity". Comparison is
// semantic: key order, whitespace and number spelling (1, 1.0, 1e0) do not
// matter, and a missing field equals null, {} and [] (Wikibase writes empty
// maps as []). The lastrevid, modified, pageid, ns and title fields are
// ignored. "statements" is read as "claims", as newer Wikibase entity
// types (MediaInfo) name it.
//
// Errors wrap ErrInvalidJSON (naming the side and field), ErrMismatch
// (different ids), ErrNoEntity (both sides empty) or ErrBadOptions.
func ChangedAspects(prior, next []byte, opts Options) ([]string, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	a, err := decodeEntity(prior, "prior")
	if err != nil {
		return nil, err
	}
	b, err := decodeEntity(next, "next")
	if err != nil {
		return nil, err
	}
	switch {
	case a == nil && b == nil:
		return nil, ErrNoEntity
	case a == nil || b == nil:
		return []string{AspectAll}, nil
	case a.redirect != nil || b.redirect != nil:
		if equalJSON(a.redirect, b.redirect) {
			return []string{}, nil
		}
		return []string{AspectAll}, nil
	case a.id != "" && b.id != "" && a.id != b.id:
		return nil, fmt.Errorf("%w: prior is %q, next is %q", ErrMismatch, a.id, b.id)
	}
	out := []string{}
	out = appendChanged(out, AspectLabel, changedKeys(a.labels, b.labels, equalJSON), opts.MaxLabelLanguages)
	out = appendChanged(out, AspectDescription, changedKeys(a.descriptions, b.descriptions, equalJSON), opts.MaxDescriptionLanguages)
	out = appendChanged(out, AspectStatements, changedKeys(a.statements, b.statements, equalJSON), opts.MaxProperties)
	out = append(out, sitelinkAspects(a.sitelinks, b.sitelinks, opts.ClientSite)...)
	if !equalJSON(a.aliases, b.aliases) || len(changedKeys(a.other, b.other, equalJSON)) > 0 {
		out = append(out, AspectOther)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// changedKeys returns the keys whose values differ between a and b by
// equal, a missing value being the zero value.
func changedKeys[V any](a, b map[string]V, equal func(V, V) bool) []string {
	var changed []string
	for k, va := range a {
		if !equal(va, b[k]) {
			changed = append(changed, k)
		}
	}
	for k, vb := range b {
		var zero V
		if _, ok := a[k]; !ok && !equal(zero, vb) {
			changed = append(changed, k)
		}
	}
	return changed
}

// appendChanged appends base.key for each changed key, or base alone when
// more than limit keys changed. Language codes are lower-cased, as
// MediaWiki writes them.
func appendChanged(out []string, base string, keys []string, limit int) []string {
	if len(keys) == 0 {
		return out
	}
	if limit != NoLimit && len(keys) > limit {
		return append(out, base)
	}
	for _, k := range keys {
		if base != AspectStatements {
			k = strings.ToLower(k)
		}
		out = append(out, base+"."+k)
	}
	return out
}

// sitelinkAspects returns S if any sitelink changed, and T too if the
// sitelink to client was added, removed or retitled.
func sitelinkAspects(a, b map[string]sitelink, client string) []string {
	changed := changedKeys(a, b, sitelink.equal)
	if len(changed) == 0 {
		return nil
	}
	out := []string{AspectSitelinks}
	for _, site := range changed {
		if (client == AllSites || site == client) && a[site].title != b[site].title {
			return append(out, AspectTitle)
		}
	}
	return out
}

// sitelink is the part of a sitelink that renders: the linked page and
// its badges (featured article, good article, ...) as a set.
type sitelink struct {
	title  string
	badges []string // sorted, unique
}

// equal reports whether s and t render alike.
func (s sitelink) equal(t sitelink) bool {
	return s.title == t.title && slices.Equal(s.badges, t.badges)
}
