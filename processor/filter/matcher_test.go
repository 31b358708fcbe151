package filter

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func matchString(ms []Match) string {
	var parts []string
	for _, m := range ms {
		parts = append(parts, fmt.Sprintf("%s=%d", m.Pattern, m.Count))
	}
	return strings.Join(parts, " ")
}

func TestMatch(t *testing.T) {
	for _, tc := range []struct {
		name     string
		patterns []Pattern
		opts     Options
		text     string
		want     string
	}{
		{"keywords", Keywords("he", "she", "his", "hers"), Options{}, "ushers", "he=1 she=1 hers=1"},
		{"overlapping", Keywords("aa"), Options{}, "aaaa", "aa=3"},
		{"none", Keywords("xyz"), Options{}, "abc", ""},
		{"case sensitive", Keywords("Cat"), Options{}, "cat CAT Cat", "Cat=1"},
		{"case insensitive ascii", Keywords("Cat"), Options{CaseInsensitive: true}, "cat CAT Cat", "Cat=3"},
		{"case insensitive unicode", Keywords("straße", "МИР"), Options{CaseInsensitive: true}, "STRASSE мир", "straße=1 МИР=1"},
		{"folded duplicates", Keywords("cat", "CAT"), Options{CaseInsensitive: true}, "Cat", "cat=1 CAT=1"},
		{"whole word", Keywords("cat", "can"), Options{WholeWord: true}, "cat cats concat can't (cat).", "cat=2"},
		{"whole word han", Keywords("東京"), Options{WholeWord: true}, "東京都", "東京=1"},
		{"whole word partial han", Keywords("京都"), Options{WholeWord: true}, "東京都x", "京都=1"},
		{"whole word emoji", Keywords("👍"), Options{WholeWord: true}, "a 👍🏽 b 👍", "👍=1"},
		{"whole word insensitive", Keywords("Paris"), Options{WholeWord: true, CaseInsensitive: true}, "PARIS parisian", "Paris=1"},
		{"regex", []Pattern{{Text: `\d{3}-\d{4}`, Regex: true}}, Options{}, "call 555-1234 or 555-9876", `re:\d{3}-\d{4}=2`},
		{"regex insensitive", []Pattern{{Text: `spam+`, Regex: true}}, Options{CaseInsensitive: true}, "SPAMMM", "re:spam+=1"},
		{"mixed order", []Pattern{{Text: "b"}, {Text: "a+", Regex: true}, {Text: "a"}}, Options{}, "ab", "b=1 re:a+=1 a=1"},
		{"max count", Keywords("a"), Options{MaxCount: 2}, "aaaa", "a=2"},
		{"invalid utf8 text", Keywords("foo"), Options{CaseInsensitive: true, WholeWord: true}, "\xff foo \xfe", "foo=1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Compile(tc.patterns, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := matchString(m.Match(tc.text)); got != tc.want {
				t.Fatalf("Match(%q) = %q, want %q", tc.text, got, tc.want)
			}
		})
	}
}

func TestCompileErrors(t *testing.T) {
	for _, ps := range [][]Pattern{
		{{Text: ""}},
		{{Text: "a(", Regex: true}},
		{{Text: "\xff"}},
	} {
		if _, err := Compile(ps, Options{}); !errors.Is(err, ErrBadPatterns) {
			t.Errorf("Compile(%q) error = %v, want ErrBadPatterns", ps, err)
		}
	}
}

// TestAutomatonAgainstNaive compares the automaton's counts with counting
// each keyword by strings.Index, on random keywords and texts over a small
// alphabet (so that keywords overlap and share prefixes and suffixes).
func TestAutomatonAgainstNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	word := func(n int) string {
		b := make([]byte, 1+r.IntN(n))
		for i := range b {
			b[i] = "abcAB"[r.IntN(5)]
		}
		return string(b)
	}
	for range 300 {
		var kws []string
		for range 1 + r.IntN(20) {
			kws = append(kws, word(5))
		}
		kws = slices.Compact(slices.Sorted(slices.Values(kws)))
		text := word(200)
		for _, fold := range []bool{false, true} {
			m, err := Compile(Keywords(kws...), Options{CaseInsensitive: fold, MaxCount: 1 << 30})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]int{}
			for _, mt := range m.Match(text) {
				got[mt.Text] += mt.Count
			}
			for _, k := range kws {
				hay, needle := text, k
				if fold {
					hay, needle = strings.ToLower(text), strings.ToLower(k)
				}
				want := 0
				for i := range len(hay) {
					if strings.HasPrefix(hay[i:], needle) {
						want++
					}
				}
				if got[k] != want {
					t.Fatalf("fold=%v keywords %q text %q: %q counted %d, want %d", fold, kws, text, k, got[k], want)
				}
			}
		}
	}
}

func TestParsePatterns(t *testing.T) {
	ps, err := ParsePatterns(strings.NewReader("# list\n  foo bar \n\nre:^a.*b$\nkw:re:x\nkw:#tag\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []Pattern{{Text: "foo bar"}, {Text: "^a.*b$", Regex: true}, {Text: "re:x"}, {Text: "#tag"}}
	if !slices.Equal(ps, want) {
		t.Fatalf("got %+v, want %+v", ps, want)
	}
	for _, p := range want { // String writes what ParsePatterns reads
		back, err := ParsePatterns(strings.NewReader(p.String()))
		if err != nil || len(back) != 1 || back[0] != p {
			t.Fatalf("%+v wrote %q, read back %+v %v", p, p.String(), back, err)
		}
	}
	if _, err := ParsePatterns(strings.NewReader("re:\n")); !errors.Is(err, ErrBadPatterns) {
		t.Fatalf("empty regex: %v", err)
	}
}
