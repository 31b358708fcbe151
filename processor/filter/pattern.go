package filter

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Pattern is one entry of a pattern list: a keyword, or a regular
// expression in the syntax of package regexp (RE2).
type Pattern struct {
	// Text is the keyword or the expression.
	Text string `json:"pattern"`
	// Regex says Text is a regular expression.
	Regex bool `json:"regex,omitempty"`
}

// String returns p as a line of a pattern file.
func (p Pattern) String() string {
	switch {
	case p.Regex:
		return "re:" + p.Text
	case strings.HasPrefix(p.Text, "re:") || strings.HasPrefix(p.Text, "kw:") || strings.HasPrefix(p.Text, "#"):
		return "kw:" + p.Text
	}
	return p.Text
}

// Keywords returns a keyword pattern for each of words.
func Keywords(words ...string) []Pattern {
	ps := make([]Pattern, len(words))
	for i, w := range words {
		ps[i] = Pattern{Text: w}
	}
	return ps
}

// ErrBadPatterns is wrapped by the errors about pattern lists.
var ErrBadPatterns = errors.New("filter: bad pattern list")

// ParsePatterns reads a pattern file: one pattern per line, surrounding
// spaces trimmed; blank lines and lines starting with # are skipped; a line
// "re:EXPR" is a regular expression; a line "kw:WORD" is the keyword WORD
// (to write a keyword that starts with re:, kw: or #); any other line is a
// keyword. Lines may be up to 64 KiB long.
func ParsePatterns(r io.Reader) ([]Pattern, error) {
	var ps []Pattern
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 64<<10)
	for line := 1; sc.Scan(); line++ {
		s := strings.TrimSpace(sc.Text())
		switch {
		case s == "" || strings.HasPrefix(s, "#"):
		case strings.HasPrefix(s, "re:"):
			ps = append(ps, Pattern{Text: s[len("re:"):], Regex: true})
		case strings.HasPrefix(s, "kw:"):
			ps = append(ps, Pattern{Text: s[len("kw:"):]})
		default:
			ps = append(ps, Pattern{Text: s})
		}
		if n := len(ps); n > 0 && ps[n-1].Text == "" {
			return nil, fmt.Errorf("%w: line %d: empty pattern", ErrBadPatterns, line)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadPatterns, err)
	}
	return ps, nil
}
