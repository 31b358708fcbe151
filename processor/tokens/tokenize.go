package tokens

import (
	"iter"
	"maps"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// Normalize returns s as tokens are compared: invalid UTF-8 replaced by
// U+FFFD, then NFKC (compatibility forms such as ﬁ, ｆｕｌｌ width and ①
// become their plain letters and digits), then Unicode full case folding
// (Straße and STRASSE fold alike), then NFKC again where folding left the
// text unnormalized.
//
// ASCII is lower-cased in place; only the stretches around non-ASCII
// characters go through NFKC and folding. That gives the same result: a
// boundary between two ASCII characters is a normalization boundary, and
// full case folding has no context.
func Normalize(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	switch ascii, lower := asciiCase(s); {
	case ascii && lower:
		return s // NFKC and folding leave lower-case ASCII as it is
	case ascii:
		return strings.ToLower(s)
	}
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && s[j] < utf8.RuneSelf {
			j++
		}
		if j == len(s) {
			writeLower(&b, s[i:])
			break
		}
		start := max(i, j-1) // the ASCII character before may take combining marks
		writeLower(&b, s[i:start])
		end := j
		for end < len(s) && !(s[end] < utf8.RuneSelf && (end+1 == len(s) || s[end+1] < utf8.RuneSelf)) {
			end++
		}
		b.WriteString(foldNFKC(s[start:end]))
		i = end
	}
	return b.String()
}

// foldNFKC is NFKC, case folding, and NFKC again if folding needs it.
func foldNFKC(s string) string {
	s = norm.NFKC.String(s)
	s = cases.Fold().String(s) // a Caser is stateful: one per call
	if strings.ContainsFunc(s, isCherokee) {
		s = strings.Map(foldCherokee, s)
	}
	if !norm.NFKC.IsNormalString(s) {
		s = norm.NFKC.String(s)
	}
	return s
}

// isCherokee reports whether r is a Cherokee letter with a case pair.
func isCherokee(r rune) bool {
	return r >= 0x13A0 && r <= 0x13FD || r >= 0xAB70 && r <= 0xABBF
}

// foldCherokee folds Cherokee letters to capitals, as CaseFolding.txt does.
// cases.Fold of x/text (v0.37.0) maps capitals to small letters and small
// letters to capitals, which would make Normalize not idempotent.
func foldCherokee(r rune) rune {
	switch {
	case r >= 0xAB70 && r <= 0xABBF:
		return r - 0xAB70 + 0x13A0
	case r >= 0x13F8 && r <= 0x13FD:
		return r - 8
	}
	return r
}

// writeLower writes the ASCII string s lower-cased.
func writeLower(b *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		b.WriteByte(c)
	}
}

// asciiCase reports whether s is ASCII, and if so whether it has no
// upper-case letters.
func asciiCase(s string) (ascii, lower bool) {
	lower = true
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= utf8.RuneSelf:
			return false, false
		case c >= 'A' && c <= 'Z':
			lower = false
		}
	}
	return true, lower
}

// IsWord reports whether segment, a segment of Segments, is a word: it holds
// a letter, a digit or other number, or an emoji (an Extended_Pictographic
// character or a regional-indicator flag). Spaces, punctuation and other
// symbols are not words.
func IsWord(segment string) bool {
	for _, r := range segment {
		if r < utf8.RuneSelf {
			if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
				return true
			}
			continue
		}
		if unicode.In(r, unicode.L, unicode.N) || isExtPict(r) || r >= 0x1F1E6 && r <= 0x1F1FF {
			return true
		}
	}
	return false
}

// Words calls yield with each word of s in order: the segments of s for
// which IsWord holds, without leading spaces and joiners (see trimLeading), longer than 0 and at most maxBytes bytes (0 means no
// limit). s is used as it is; Tokenize normalizes first.
//
// How scripts come out, by UAX #29: words of alphabetic scripts (Latin,
// Cyrillic, Greek, Arabic, Hebrew, Devanagari and other Indic scripts, whose
// combining marks and vowel signs stay inside the word) are whole, with
// inner apostrophes (can't), colons and periods (e.g) kept; numbers keep
// their separators (3.14, 1,000, 1.000.000); Katakana runs are one word;
// each Han ideograph and each Hiragana character is a word of its own, as
// is each character (with its vowel and tone marks) of Thai, Lao, Khmer
// and Myanmar (UAX #29 leaves words of these scripts to a dictionary, which
// this package does not have); an emoji with its skin-tone modifiers, variation selectors and ZWJ-joined
// parts is one word, as is a flag (a pair of regional indicators).
func Words(s string, maxBytes int) iter.Seq[string] {
	return func(yield func(string) bool) {
		for seg := range Segments(s) {
			seg = trimLeading(seg)
			if maxBytes > 0 && len(seg) > maxBytes || !IsWord(seg) {
				continue
			}
			if !yield(seg) {
				return
			}
		}
	}
}

// trimLeading drops the spaces and joiners a segment can start with: by
// rules WB3c and WB4, " \u200d👧" (a space, a zero-width joiner, an emoji)
// is one segment.
func trimLeading(seg string) string {
	if seg != "" && seg[0] < utf8.RuneSelf && seg[0] != ' ' && seg[0] > '\r' {
		return seg // the common case: a segment that starts with visible ASCII
	}
	for seg != "" {
		r, size := utf8.DecodeRuneInString(seg)
		if !unicode.IsSpace(r) && !classify(r).ignorable() {
			break
		}
		seg = seg[size:]
	}
	return seg
}

// Tokenize returns the words of Normalize(s), each at most maxBytes long
// (0 means no limit; longer words, such as base64 blobs, are dropped). Every
// token is a substring of Normalize(s), and they occur there in order
// without overlapping.
func Tokenize(s string, maxBytes int) []string {
	return slices.Collect(Words(Normalize(s), maxBytes))
}

// Counts is a multiset of tokens: how often each occurs.
type Counts map[string]int

// Count returns the multiset of toks.
func Count(toks []string) Counts {
	c := make(Counts, len(toks)/2)
	for _, t := range toks {
		c[t]++
	}
	return c
}

// Delta is the change of a token multiset from one revision to the next.
// Added holds, for each token that occurs more often now, by how much;
// Removed, for each that occurs less often, by how much. Both are non-nil.
type Delta struct {
	Added   Counts `json:"added"`
	Removed Counts `json:"removed"`
}

// Empty reports whether d records no change.
func (d Delta) Empty() bool { return len(d.Added) == 0 && len(d.Removed) == 0 }

// Diff returns the change from prev to next.
func Diff(prev, next Counts) Delta {
	d := Delta{Added: Counts{}, Removed: Counts{}}
	for t, n := range next {
		if m := prev[t]; n > m {
			d.Added[t] = n - m
		}
	}
	for t, m := range prev {
		if n := next[t]; m > n {
			d.Removed[t] = m - n
		}
	}
	return d
}

// Top returns the at most n tokens of c with the highest counts, ties
// broken by the token, highest first.
func (c Counts) Top(n int) []string {
	keys := slices.Collect(maps.Keys(c))
	slices.SortFunc(keys, func(a, b string) int {
		if c[a] != c[b] {
			return c[b] - c[a]
		}
		return strings.Compare(a, b)
	})
	return keys[:min(n, len(keys))]
}
