package deps

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// Limits on identifiers, so that every store can use them in keys.
const (
	// MaxTitleBytes is the longest prefixed title accepted, in bytes.
	MaxTitleBytes = 1024
	// MaxWikiBytes is the longest wiki id accepted, in bytes.
	MaxWikiBytes = 64
)

// ValidateWiki reports whether wiki is a usable wiki id: 1 to MaxWikiBytes
// bytes of ASCII letters, digits, '_', '-' and '.', such as enwiki or
// be_x_oldwiki. It wraps ErrInvalid otherwise.
func ValidateWiki(wiki string) error {
	if wiki == "" || len(wiki) > MaxWikiBytes {
		return fmt.Errorf("%w: wiki id %q: want 1 to %d bytes", ErrInvalid, wiki, MaxWikiBytes)
	}
	for i := 0; i < len(wiki); i++ {
		c := wiki[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return fmt.Errorf("%w: wiki id %q: byte %q is not a letter, digit, '_', '-' or '.'", ErrInvalid, wiki, c)
		}
	}
	return nil
}

// NormalizeTitle returns title in database key form: spaces become
// underscores, runs of underscores collapse to one and leading and trailing
// ones go, as MediaWiki does. It does not change case (first-letter
// capitalization is a per-wiki setting) nor resolve namespace aliases.
//
// It wraps ErrInvalid for an empty or too long title, invalid UTF-8, and the
// characters MediaWiki forbids in titles: control characters, U+FFFD and
// any of # < > [ ] | { }. Stores rely on those never appearing.
func NormalizeTitle(title string) (string, error) {
	if plainTitle(title) {
		return title, nil
	}
	if !utf8.ValidString(title) {
		return "", fmt.Errorf("%w: title %q is not valid UTF-8", ErrInvalid, title)
	}
	var b strings.Builder
	b.Grow(len(title))
	pendingUnderscore := false
	for _, r := range title {
		if r < 0x20 || r == 0x7f || r == utf8.RuneError || strings.ContainsRune("#<>[]|{}", r) {
			return "", fmt.Errorf("%w: title %q contains %q, which MediaWiki titles cannot", ErrInvalid, title, r)
		}
		if r == ' ' || r == '_' {
			pendingUnderscore = b.Len() > 0
			continue
		}
		if pendingUnderscore {
			b.WriteByte('_')
			pendingUnderscore = false
		}
		b.WriteRune(r)
	}
	out := b.String()
	if out == "" || len(out) > MaxTitleBytes {
		return "", fmt.Errorf("%w: title %q: want 1 to %d bytes", ErrInvalid, title, MaxTitleBytes)
	}
	return out, nil
}

// Normalize validates p and returns it in the canonical form stores keep:
// titles normalized with NormalizeTitle, every list sorted bytewise without
// duplicates, duplicate entities merged, aspects canonical (ParseAspect) and
// collapsed with Collapse under limits, entities without aspects dropped;
// PassesOn likewise, and nil when it equals the own sets; Digest checked
// (lowercase hex) and DigestSince zeroed, since stores set it.
// Nil lists become empty ones. It wraps ErrInvalid with the field at fault.
func (p PageDeps) Normalize(limits CollapseLimits) (PageDeps, error) {
	if err := ValidateWiki(p.Wiki); err != nil {
		return PageDeps{}, err
	}
	title, err := NormalizeTitle(p.Page.Title)
	if err != nil {
		return PageDeps{}, fmt.Errorf("page: %w", err)
	}
	where := p.Wiki + ":" + title
	if p.RevID < 1 || p.Page.ID < 0 || p.Page.Namespace < 0 {
		return PageDeps{}, fmt.Errorf("%w: %s: rev id %d, page id %d, namespace %d: want rev id >= 1, others >= 0",
			ErrInvalid, where, p.RevID, p.Page.ID, p.Page.Namespace)
	}
	if err := validateDigest(p.Digest); err != nil {
		return PageDeps{}, fmt.Errorf("%s: %w", where, err)
	}
	own, err := p.own().normalize(limits)
	if err != nil {
		return PageDeps{}, fmt.Errorf("%s: %w", where, err)
	}
	out := PageDeps{Wiki: p.Wiki, Page: PageRef{ID: p.Page.ID, Namespace: p.Page.Namespace, Title: title}, RevID: p.RevID,
		Templates: own.Templates, Links: own.Links, Files: own.Files, Entities: own.Entities, Digest: p.Digest}
	if p.PassesOn == nil {
		return out, nil
	}
	passed, err := p.PassesOn.normalize(limits)
	if err != nil {
		return PageDeps{}, fmt.Errorf("%s: passes on: %w", where, err)
	}
	out.PassesOn = &passed
	// Rebuilding from the merged edges gives one canonical form: no
	// PassesOn when it equals the own sets, and entities used in both
	// with the same (united) aspects in both.
	canon := PageDepsFromEdges(out.Wiki, out.Page, out.RevID, out.Edges())
	canon.Digest = out.Digest
	return canon, nil
}

// normalize returns s with every list normalized as PageDeps.Normalize
// says.
func (s Sets) normalize(limits CollapseLimits) (Sets, error) {
	var out Sets
	var err error
	for _, l := range []struct {
		name string
		in   []string
		out  *[]string
	}{{"templates", s.Templates, &out.Templates}, {"links", s.Links, &out.Links}, {"files", s.Files, &out.Files}} {
		if *l.out, err = normalizeTitles(l.in); err != nil {
			return Sets{}, fmt.Errorf("%s: %w", l.name, err)
		}
	}
	if out.Entities, err = normalizeEntities(s.Entities, limits); err != nil {
		return Sets{}, fmt.Errorf("entities: %w", err)
	}
	return out, nil
}

// plainTitle reports whether title is already normalized and valid in the
// common case of printable ASCII: the fast path of NormalizeTitle.
func plainTitle(title string) bool {
	if title == "" || len(title) > MaxTitleBytes || title[0] == '_' || title[len(title)-1] == '_' {
		return false
	}
	for i := 0; i < len(title); i++ {
		switch c := title[i]; {
		case c <= ' ' || c >= 0x7f:
			return false
		case c == '#' || c == '<' || c == '>' || c == '[' || c == ']' || c == '|' || c == '{' || c == '}':
			return false
		case c == '_' && title[i-1] == '_':
			return false
		}
	}
	return true
}

// normalizeTitles normalizes, sorts and deduplicates titles.
func normalizeTitles(titles []string) ([]string, error) {
	out := make([]string, 0, len(titles))
	for _, t := range titles {
		n, err := NormalizeTitle(t)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// normalizeEntities validates, merges, collapses and sorts entity usages.
func normalizeEntities(usages []EntityUsage, limits CollapseLimits) ([]EntityUsage, error) {
	merged := map[EntityID][]Aspect{}
	for _, u := range usages {
		if err := u.ID.Validate(); err != nil {
			return nil, err
		}
		for _, a := range u.Aspects {
			c, err := ParseAspect(string(a))
			if err != nil {
				return nil, fmt.Errorf("%s: %w", u.ID, err)
			}
			merged[u.ID] = append(merged[u.ID], c)
		}
	}
	out := make([]EntityUsage, 0, len(merged))
	for id, aspects := range merged {
		out = append(out, EntityUsage{ID: id, Aspects: Collapse(aspects, limits)})
	}
	slices.SortFunc(out, func(a, b EntityUsage) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// Diff returns the edges in next but not in prev (added) and those in prev
// but not in next (removed), both normalized sets of the same page, sorted by
// (Kind, Target). An entity whose aspects changed is in added with the
// aspects it gained and in removed with those it lost.
func Diff(prev, next PageDeps) (added, removed []Edge) {
	return DiffEdges(prev.Edges(), next.Edges())
}

// DiffEdges is Diff of the edges of two normalized sets (PageDeps.Edges),
// for a caller that holds them already.
func DiffEdges(pe, ne []Edge) (added, removed []Edge) {
	i, j := 0, 0
	for i < len(pe) || j < len(ne) {
		switch c := compareEdges(pe, ne, i, j); {
		case c < 0:
			removed = append(removed, pe[i])
			i++
		case c > 0:
			added = append(added, ne[j])
			j++
		default:
			if gone := subtract(pe[i].Aspects, ne[j].Aspects); len(gone) > 0 {
				removed = append(removed, Edge{Kind: UsesEntity, Target: pe[i].Target, Aspects: gone})
			}
			if got := subtract(ne[j].Aspects, pe[i].Aspects); len(got) > 0 {
				added = append(added, Edge{Kind: UsesEntity, Target: ne[j].Target, Aspects: got})
			}
			i, j = i+1, j+1
		}
	}
	return added, removed
}

// compareEdges orders pe[i] against ne[j] by (Kind, Target); a missing side
// sorts last.
func compareEdges(pe, ne []Edge, i, j int) int {
	switch {
	case i == len(pe):
		return 1
	case j == len(ne):
		return -1
	}
	return cmp.Or(cmp.Compare(pe[i].Kind, ne[j].Kind), strings.Compare(pe[i].Target, ne[j].Target))
}

// subtract returns the aspects of a not in b.
func subtract(a, b []Aspect) []Aspect {
	var out []Aspect
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}
