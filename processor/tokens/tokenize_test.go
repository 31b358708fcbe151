package tokens

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func TestTokenize(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []string
	}{
		{"latin", "Hello, World! The end.", []string{"hello", "world", "the", "end"}},
		{"apostrophe", "I can't go; it's John's", []string{"i", "can't", "go", "it's", "john's"}},
		{"curly apostrophe", "can’t", []string{"can’t"}},
		{"quotes are not words", `don't 'quoted' "x"`, []string{"don't", "quoted", "x"}},
		{"decimal", "pi is 3.14", []string{"pi", "is", "3.14"}},
		{"thousands", "1,000 and 1.000.000 and 3,14.5", []string{"1,000", "and", "1.000.000", "and", "3,14.5"}},
		{"trailing separator", "1,000, then 42.", []string{"1,000", "then", "42"}},
		{"letters and digits", "abc123 A4 version2.0", []string{"abc123", "a4", "version2.0"}},
		{"abbreviation", "e.g. U.S.A.", []string{"e.g", "u.s.a"}},
		{"underscore joins", "snake_case __init__", []string{"snake_case", "__init__"}},
		{"han one per character", "東京都", []string{"東", "京", "都"}},
		{"hiragana one per character", "ひらがな", []string{"ひ", "ら", "が", "な"}},
		{"katakana run", "カタカナとコーヒー", []string{"カタカナ", "と", "コーヒー"}},
		{"halfwidth katakana", "ｶﾀｶﾅ", []string{"カタカナ"}},
		{"arabic", "مرحبا بالعالم", []string{"مرحبا", "بالعالم"}},
		{"arabic with harakat", "كَتَبَ", []string{"كَتَبَ"}},
		{"cyrillic folded", "Привет, МИР!", []string{"привет", "мир"}},
		{"devanagari marks stay", "हिन्दी भाषा", []string{"हिन्दी", "भाषा"}},
		{"hebrew gershayim", `צה"ל`, []string{`צה"ל`}},
		{"emoji skin tone", "ok 👍🏽!", []string{"ok", "👍🏽"}},
		{"emoji zwj family", "👨‍👩‍👧 family", []string{"👨‍👩‍👧", "family"}},
		{"emoji zwj with tone", "👩🏽‍💻", []string{"👩🏽‍💻"}},
		{"flags pair up", "🇫🇷🇩🇪🇮", []string{"🇫🇷", "🇩🇪", "🇮"}},
		{"keycap", "1️⃣", []string{"1️⃣"}},
		{"space joined to emoji", "a \u200d👧", []string{"a", "👧"}},
		{"nfkc ligature and width", "ﬁne ｆｕｌｌ ①", []string{"fine", "full", "1"}},
		{"case folding sharp s", "Straße STRASSE", []string{"strasse", "strasse"}},
		{"cherokee folds to capitals", "\u13c8 \uab98", []string{"\u13c8", "\u13c8"}},
		{"greek final sigma folds", "ΟΔΟΣ οδος", []string{"οδοσ", "οδοσ"}},
		{"combining vs precomposed", "cafe\u0301 café", []string{"café", "café"}},
		{"invalid utf8", "foo\xffbar", []string{"foo", "bar"}},
		{"thai per character", "สวัสดี", []string{"ส", "วั", "ส", "ดี"}},
		{"symbols are not words", "a + b = c € 5 — ok", []string{"a", "b", "c", "5", "ok"}},
		{"wikitext", "[[Foo|bar]] {{Cite web|url=x}}", []string{"foo", "bar", "cite", "web", "url", "x"}},
		{"empty", "", nil},
		{"only spaces", " \t\n ", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Tokenize(tc.in, 0); !slices.Equal(got, tc.want) {
				t.Errorf("Tokenize(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestTokenizeDropsLongTokens(t *testing.T) {
	long := strings.Repeat("x", 300)
	if got := Tokenize("a "+long+" b", 256); !slices.Equal(got, []string{"a", "b"}) {
		t.Fatalf("got %q", got)
	}
}

func TestSegmentsRejoin(t *testing.T) {
	for _, s := range []string{"", "a", "Hello, world!\r\n", "👨‍👩‍👧\u0308\u200d", "\u0308a", "\xff\xfe"} {
		if got := strings.Join(slices.Collect(Segments(s)), ""); got != s {
			t.Errorf("segments of %q rejoin to %q", s, got)
		}
	}
}

func TestDiff(t *testing.T) {
	for _, tc := range []struct {
		name           string
		prev, next     Counts
		added, removed Counts
	}{
		{"first", nil, Counts{"a": 2}, Counts{"a": 2}, Counts{}},
		{"same", Counts{"a": 1}, Counts{"a": 1}, Counts{}, Counts{}},
		{"more and less", Counts{"a": 1, "b": 3}, Counts{"a": 2, "b": 1}, Counts{"a": 1}, Counts{"b": 2}},
		{"gone", Counts{"a": 1}, Counts{}, Counts{}, Counts{"a": 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := Diff(tc.prev, tc.next)
			if !equalCounts(d.Added, tc.added) || !equalCounts(d.Removed, tc.removed) {
				t.Fatalf("Diff = %v, want added %v removed %v", d, tc.added, tc.removed)
			}
		})
	}
}

func equalCounts(a, b Counts) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestTop(t *testing.T) {
	c := Counts{"a": 1, "b": 3, "c": 3, "d": 2}
	if got := c.Top(3); !slices.Equal(got, []string{"b", "c", "d"}) {
		t.Fatalf("Top = %q", got)
	}
}

// TestNormalizeMatchesDefinition checks the ASCII shortcut of Normalize
// against NFKC, folding and NFKC of the whole text, on random strings of
// characters that compose, decompose, fold or combine across the ASCII
// boundary.
func TestNormalizeMatchesDefinition(t *testing.T) {
	alphabet := []string{"a", "B", "e\u0301", "\u0301", "ﬁ", "Ｆ", "ß", "Σ", "ς", "\u0345", "ᾳ", "ǅ", "K", "İ", "\u212a",
		"ﾞ", "ｶ", "가", "\u1161", "\u11a8", " ", ".", "①", "\xff", "\u0b47", "\u0b3e", "Å", "A\u030a", "\u0300\u0316"}
	r := rand.New(rand.NewPCG(1, 1))
	for range 50_000 {
		var b strings.Builder
		for range r.IntN(8) {
			b.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		s := b.String()
		if got, want := Normalize(s), foldNFKC(strings.ToValidUTF8(s, "\uFFFD")); got != want {
			t.Fatalf("Normalize(%+q) = %+q, want %+q", s, got, want)
		}
	}
}
