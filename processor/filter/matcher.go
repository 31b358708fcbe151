package filter

import (
	"fmt"
	"regexp"
	"slices"
	"unicode/utf8"

	"golang.org/x/text/cases"

	"github.com/ripplestream/ripple/processor/tokens"
)

// Options say how patterns match.
type Options struct {
	// CaseInsensitive matches keywords under Unicode full case folding
	// (Straße matches STRASSE) and compiles regular expressions with (?i).
	CaseInsensitive bool
	// WholeWord matches a keyword only where it starts and ends on a word
	// boundary of UAX #29 (package tokens): "cat" matches in "a cat." but not
	// in "cats" or "concat", "can" not in "can't", and a Han character
	// matches inside a run of Han text, where each ideograph is a word.
	// Regular expressions are not affected: use \b in them.
	WholeWord bool
	// MaxCount caps the occurrences counted per pattern. Default 1,000.
	MaxCount int
}

// DefaultMaxCount is Options.MaxCount when it is 0.
const DefaultMaxCount = 1000

// Match is a pattern that matched a text.
type Match struct {
	Pattern
	// Count is how many times it occurs, overlapping occurrences included,
	// up to Options.MaxCount.
	Count int `json:"count"`
}

// Matcher finds which of a list of patterns occur in a text: keywords all
// at once with an Aho-Corasick automaton, regular expressions one by one
// (each in time linear in the text, RE2). It is immutable and safe for
// concurrent use; Filter swaps Matchers to reload a list.
type Matcher struct {
	patterns []Pattern
	opts     Options
	ac       *automaton // nil without keywords
	// kwPatterns[k] are the patterns of keyword k (several when they fold
	// alike); kwLen[k] is its length in bytes.
	kwPatterns [][]int
	kwLen      []int
	regexes    []compiled
}

type compiled struct {
	pattern int
	re      *regexp.Regexp
}

// Compile builds a Matcher for patterns. It fails, wrapping ErrBadPatterns,
// for an empty pattern, invalid UTF-8, a regular expression that does not
// compile, or keywords too many for memory.
func Compile(patterns []Pattern, opts Options) (*Matcher, error) {
	if opts.MaxCount < 0 {
		return nil, fmt.Errorf("%w: MaxCount is %d", ErrBadPatterns, opts.MaxCount)
	}
	if opts.MaxCount == 0 {
		opts.MaxCount = DefaultMaxCount
	}
	m := &Matcher{patterns: slices.Clone(patterns), opts: opts}
	ids := map[string]int{}
	var keywords []string
	for i, p := range patterns {
		if p.Text == "" || !utf8.ValidString(p.Text) {
			return nil, fmt.Errorf("%w: pattern %d (%q) is empty or not UTF-8", ErrBadPatterns, i, p.Text)
		}
		if p.Regex {
			expr := p.Text
			if opts.CaseInsensitive {
				expr = "(?i)" + expr
			}
			re, err := regexp.Compile(expr)
			if err != nil {
				return nil, fmt.Errorf("%w: pattern %d: %v", ErrBadPatterns, i, err)
			}
			m.regexes = append(m.regexes, compiled{pattern: i, re: re})
			continue
		}
		k := p.Text
		if opts.CaseInsensitive {
			k = cases.Fold().String(k)
		}
		id, ok := ids[k]
		if !ok {
			id = len(keywords)
			ids[k] = id
			keywords = append(keywords, k)
			m.kwPatterns = append(m.kwPatterns, nil)
			m.kwLen = append(m.kwLen, len(k))
		}
		m.kwPatterns[id] = append(m.kwPatterns[id], i)
	}
	if len(keywords) > 0 {
		ac, err := buildAutomaton(keywords, opts.CaseInsensitive)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrBadPatterns, err)
		}
		m.ac = ac
	}
	return m, nil
}

// Patterns returns the patterns the Matcher was compiled from.
func (m *Matcher) Patterns() []Pattern { return slices.Clone(m.patterns) }

// Len returns the number of patterns.
func (m *Matcher) Len() int { return len(m.patterns) }

// Match returns the patterns that occur in text, in the order of the
// pattern list, or nil.
func (m *Matcher) Match(text string) []Match {
	counts := map[int]int{}
	if m.ac != nil {
		m.matchKeywords(text, counts)
	}
	for _, r := range m.regexes {
		if n := len(r.re.FindAllStringIndex(text, m.opts.MaxCount)); n > 0 {
			counts[r.pattern] = n
		}
	}
	if len(counts) == 0 {
		return nil
	}
	out := make([]Match, 0, len(counts))
	for i, p := range m.patterns {
		if n, ok := counts[i]; ok {
			out = append(out, Match{Pattern: p, Count: n})
		}
	}
	return out
}

// matchKeywords adds the keyword occurrences in text to counts.
func (m *Matcher) matchKeywords(text string, counts map[int]int) {
	if m.opts.CaseInsensitive && !isASCII(text) {
		text = cases.Fold().String(text) // ASCII folds in the automaton itself
	}
	var bounds []uint64 // word boundaries of text, computed at the first hit
	m.ac.scan(text, func(k int32, end int) {
		if m.opts.WholeWord {
			if bounds == nil {
				bounds = boundaries(text)
			}
			if start := end - m.kwLen[k]; !isSet(bounds, start) || !isSet(bounds, end) {
				return
			}
		}
		for _, p := range m.kwPatterns[k] {
			if counts[p] < m.opts.MaxCount {
				counts[p]++
			}
		}
	})
}

// boundaries returns a bit set of the offsets in text (0 to len(text)) that
// are word boundaries.
func boundaries(text string) []uint64 {
	b := make([]uint64, len(text)/64+1)
	at := 0
	set(b, 0)
	for seg := range tokens.Segments(text) {
		at += len(seg)
		set(b, at)
	}
	return b
}

func set(b []uint64, i int)        { b[i/64] |= 1 << (i % 64) }
func isSet(b []uint64, i int) bool { return b[i/64]&(1<<(i%64)) != 0 }

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
