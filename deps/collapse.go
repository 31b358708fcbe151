package deps

import (
	"fmt"
	"slices"
)

// Default collapse limits, those of Wikibase's entityUsageModifierLimits.
const (
	DefaultLabelLimit       = 10
	DefaultDescriptionLimit = 10
	DefaultStatementLimit   = 33
	// NoLimit turns a collapse limit off.
	NoLimit = -1
)

// CollapseLimits bound how many modified aspects of one base a page may
// record for one entity. A page that uses more than Labels label languages
// of an entity is stored as using label L (every language), and likewise for
// descriptions and statements. Collapsing keeps the stored usages small for
// pages that touch many languages or properties, at the price of re-rendering
// such a page on any change of that base: it never loses a match.
//
// A zero field takes its default; NoLimit disables that limit.
type CollapseLimits struct {
	// Labels is the most L.xx aspects kept per entity. Default 10.
	Labels int
	// Descriptions is the most D.xx aspects kept per entity. Default 10.
	Descriptions int
	// Statements is the most C.Pnn aspects kept per entity. Default 33.
	Statements int
}

// DefaultCollapseLimits returns the limits Wikibase uses by default.
func DefaultCollapseLimits() CollapseLimits {
	return CollapseLimits{
		Labels:       DefaultLabelLimit,
		Descriptions: DefaultDescriptionLimit,
		Statements:   DefaultStatementLimit,
	}
}

// Validate reports a limit below NoLimit, wrapping ErrInvalidConfig.
func (l CollapseLimits) Validate() error {
	for _, f := range []struct {
		name string
		v    int
	}{{"Labels", l.Labels}, {"Descriptions", l.Descriptions}, {"Statements", l.Statements}} {
		if f.v < NoLimit {
			return fmt.Errorf("%w: CollapseLimits.%s is %d; want NoLimit (-1), 0 for the default, or a positive limit",
				ErrInvalidConfig, f.name, f.v)
		}
	}
	return nil
}

// WithDefaults returns l with its zero fields set to the defaults.
func (l CollapseLimits) WithDefaults() CollapseLimits {
	d := DefaultCollapseLimits()
	if l.Labels == 0 {
		l.Labels = d.Labels
	}
	if l.Descriptions == 0 {
		l.Descriptions = d.Descriptions
	}
	if l.Statements == 0 {
		l.Statements = d.Statements
	}
	return l
}

// limit returns the limit for a collapsible base, or NoLimit.
func (l CollapseLimits) limit(base Aspect) int {
	switch base {
	case AspectLabel:
		return l.Labels
	case AspectDescription:
		return l.Descriptions
	case AspectStatements:
		return l.Statements
	}
	return NoLimit
}

// Collapse returns the canonical stored form of one entity usage, sorted and
// without duplicates:
//
//   - X alone when X is present, since X matches every change anyway;
//   - a collapsed base (L, D, C) replaces all its modified forms, both when
//     the usage names the base itself and when it names more modified forms
//     than the limit allows (after applying defaults to l).
//
// Every change that matches usage also matches the collapsed result.
func Collapse(usage []Aspect, l CollapseLimits) []Aspect {
	l = l.WithDefaults()
	if slices.Contains(usage, AspectAll) {
		return []Aspect{AspectAll}
	}
	modified := map[Aspect]int{}
	bare := map[Aspect]bool{}
	for _, a := range usage {
		if a.Modifier() == "" {
			bare[a] = true
		} else {
			modified[a.Base()]++
		}
	}
	for base, n := range modified {
		if lim := l.limit(base); lim != NoLimit && n > lim {
			bare[base] = true
		}
	}
	out := make([]Aspect, 0, len(usage))
	for _, a := range usage {
		if a.Modifier() != "" && bare[a.Base()] {
			continue
		}
		out = append(out, a)
	}
	for base := range bare {
		out = append(out, base)
	}
	slices.Sort(out)
	return slices.Compact(out)
}
