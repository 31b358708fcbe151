package deps

import (
	"fmt"
	"slices"
	"strings"
)

// Aspect is one part of a Wikibase entity that a page uses, or that an edit
// changed, in the notation of Wikibase usage tracking: a one-letter base,
// optionally followed by a dot and a modifier.
//
//	S       sitelinks
//	L.xx    label in language xx;  L alone: labels in any language
//	D.xx    description in xx;     D alone: descriptions in any language
//	T       title (the sitelink to the page's own wiki)
//	C.Pnn   statements of property Pnn; C alone: statements of any property
//	O       other: anything the letters above do not name (aliases, ...)
//	X       everything
//
// The zero Aspect is invalid. Build aspects with the constants and
// constructors below or with ParseAspect, which also canonicalizes them.
type Aspect string

// The aspects without a modifier. AspectLabel, AspectDescription and
// AspectStatements are the collapsed forms: a usage stored as AspectLabel
// uses labels in every language, and a change reported as AspectLabel
// changed labels in unknown or many languages.
const (
	AspectSitelinks   Aspect = "S"
	AspectLabel       Aspect = "L"
	AspectDescription Aspect = "D"
	AspectTitle       Aspect = "T"
	AspectStatements  Aspect = "C"
	AspectOther       Aspect = "O"
	AspectAll         Aspect = "X"
)

// Length limits of aspects: the schemas' maxLength, and a bound that keeps
// property ids in int range.
const (
	maxAspectBytes     = 128
	maxPropertyIDBytes = 20
)

// LabelAspect returns the aspect "label in language lang", such as L.en.
func LabelAspect(lang string) Aspect { return Aspect("L." + strings.ToLower(lang)) }

// DescriptionAspect returns the aspect "description in language lang",
// such as D.de.
func DescriptionAspect(lang string) Aspect { return Aspect("D." + strings.ToLower(lang)) }

// StatementAspect returns the aspect "statements of property", such as
// C.P31 for property "P31".
func StatementAspect(property string) Aspect { return Aspect("C." + property) }

// ParseAspect parses s as an aspect and returns it in canonical form
// (language codes in lower case, as MediaWiki writes them). It accepts
// exactly the aspects of the ripple/page/dependencies and ripple/entity/change
// schemas and wraps ErrInvalid otherwise.
func ParseAspect(s string) (Aspect, error) {
	a := Aspect(s)
	if err := a.Validate(); err != nil {
		return "", err
	}
	switch base, mod, _ := strings.Cut(s, "."); Aspect(base) {
	case AspectLabel, AspectDescription:
		if mod != "" {
			return Aspect(base + "." + strings.ToLower(mod)), nil
		}
	}
	return a, nil
}

// ParseAspects parses each of ss with ParseAspect.
func ParseAspects(ss []string) ([]Aspect, error) {
	out := make([]Aspect, 0, len(ss))
	for _, s := range ss {
		a, err := ParseAspect(s)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// Validate reports whether a is a well-formed aspect, wrapping ErrInvalid
// with the reason when it is not.
func (a Aspect) Validate() error {
	s := string(a)
	if s == "" || len(s) > maxAspectBytes {
		return fmt.Errorf("%w: aspect %q: want 1 to %d bytes", ErrInvalid, s, maxAspectBytes)
	}
	base, mod, hasMod := strings.Cut(s, ".")
	switch base {
	case "S", "T", "O", "X":
		if hasMod {
			return fmt.Errorf("%w: aspect %q: %s takes no modifier", ErrInvalid, s, base)
		}
		return nil
	case "L", "D":
		if hasMod && !isLanguageCode(mod) {
			return fmt.Errorf("%w: aspect %q: %q is not a language code", ErrInvalid, s, mod)
		}
		return nil
	case "C":
		if hasMod && !isPropertyID(mod) {
			return fmt.Errorf("%w: aspect %q: %q is not a property id like P31", ErrInvalid, s, mod)
		}
		return nil
	}
	return fmt.Errorf("%w: aspect %q: unknown aspect letter %q (want S, L, D, T, C, O or X)", ErrInvalid, s, base)
}

// isLanguageCode reports whether s matches [A-Za-z0-9-]+.
func isLanguageCode(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// isPropertyID reports whether s matches P[1-9][0-9]*.
func isPropertyID(s string) bool {
	if len(s) < 2 || len(s) > maxPropertyIDBytes || s[0] != 'P' || s[1] == '0' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Base returns a without its modifier: L for L.en, C for C.P31, S for S.
func (a Aspect) Base() Aspect {
	base, _, _ := strings.Cut(string(a), ".")
	return Aspect(base)
}

// Modifier returns the language or property after the dot ("en" for L.en),
// or "" for an aspect without one.
func (a Aspect) Modifier() string {
	_, mod, _ := strings.Cut(string(a), ".")
	return mod
}

// Collapsed reports whether a is L, D or C without a modifier: a usage of
// every language or property.
func (a Aspect) Collapsed() bool {
	switch a {
	case AspectLabel, AspectDescription, AspectStatements:
		return true
	}
	return false
}

// Matches reports whether a page that uses an entity in aspect a must be
// re-rendered when an edit changed the entity in the aspects changed. This is
// the rule of Wikibase's usage tracking (AffectedPagesFinder):
//
//   - a usage X matches every non-empty change, and a change X matches every
//     usage (the entity was created, deleted, redirected, or the producer
//     could not tell what changed);
//   - otherwise the bases must be equal and the modifiers compatible: two
//     modifiers are compatible when they are equal or when either side has
//     none. So usage L.en matches changes L.en and L; the collapsed usage L
//     matches every change L.xx; usage C matches every C.Pnn; usage C.P31
//     matches C.P31 and C but not C.P18;
//   - S, T and O have no modifier and match only themselves. A producer of
//     changes reports O for every changed part that no other letter names
//     (aliases, lexeme lemmas and forms, ...), so a usage O (a page used
//     such a part) matches exactly those edits. Like Wikibase, a producer
//     reports T, in addition to S, when the sitelink to the using wiki
//     changed.
//
// An empty change matches nothing. Language modifiers compare without
// regard to case.
func (a Aspect) Matches(changed []Aspect) bool {
	if len(changed) == 0 {
		return false
	}
	if a == AspectAll {
		return true
	}
	for _, c := range changed {
		if a.matchesOne(c) {
			return true
		}
	}
	return false
}

// matchesOne applies the rule of Matches to one changed aspect.
func (a Aspect) matchesOne(c Aspect) bool {
	if a == AspectAll || c == AspectAll {
		return true
	}
	ub, um, _ := strings.Cut(string(a), ".")
	cb, cm, _ := strings.Cut(string(c), ".")
	if ub != cb {
		return false
	}
	return um == "" || cm == "" || strings.EqualFold(um, cm)
}

// MatchAspects returns the aspects of usage that Matches changed, in the
// order of usage. It is what a Dependent reports as the reason a page is
// affected.
func MatchAspects(usage, changed []Aspect) []Aspect {
	var out []Aspect
	for _, u := range usage {
		if u.Matches(changed) {
			out = append(out, u)
		}
	}
	return out
}

// AnyMatches reports whether any aspect of usage Matches changed.
func AnyMatches(usage, changed []Aspect) bool {
	return slices.ContainsFunc(usage, func(u Aspect) bool { return u.Matches(changed) })
}
