package tokens

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzTokenize checks, for any input, that tokenizing does not panic and
// that:
//   - Normalize returns valid UTF-8 and is idempotent;
//   - the segments of the normalized text are non-empty and concatenate to
//     it exactly;
//   - the tokens are exactly the word segments (less leading spaces and
//     joiners), so they are substrings of the normalized text, in order,
//     without overlap;
//   - no token holds a line break or an ASCII space, and every token is a
//     word (IsWord).
func FuzzTokenize(f *testing.F) {
	for _, s := range []string{
		"Hello, World! It's 3.14 and 1,000.", "東京都に住んでいますカタカナ", "مرحبا بالعالم", "Привет",
		"हिन्दी", "👨‍👩‍👧👍🏽🇫🇷🇩🇪1️⃣", "ﬁ ｆｕｌｌ Straße ΟΔΟΣ", "a\u200d\u0308:b", "\xff\xfe", "\r\n\u0085\u2028",
		`צה"ל a'b 1.2,3`, "[[File:X.jpg|thumb]] {{Cite|a=b}}",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := Normalize(s)
		if !utf8.ValidString(n) {
			t.Fatalf("Normalize(%q) = %q is not valid UTF-8", s, n)
		}
		if again := Normalize(n); again != n {
			t.Fatalf("Normalize is not idempotent on %q: %q then %q", s, n, again)
		}
		var joined strings.Builder
		var words []string
		for seg := range Segments(n) {
			if seg == "" {
				t.Fatalf("empty segment in %q", n)
			}
			joined.WriteString(seg)
			if w := trimLeading(seg); IsWord(w) {
				words = append(words, w)
			}
		}
		if joined.String() != n {
			t.Fatalf("segments of %q rejoin to %q", n, joined.String())
		}
		toks := Tokenize(s, 0)
		if len(toks) != len(words) {
			t.Fatalf("Tokenize(%q) = %q, want the word segments %q", s, toks, words)
		}
		pos := 0
		for i, tok := range toks {
			if tok != words[i] || strings.ContainsAny(tok, "\r\n ") || !IsWord(tok) {
				t.Fatalf("token %d of %q is %q (word segment %q)", i, s, tok, words[i])
			}
			at := strings.Index(n[pos:], tok)
			if at < 0 {
				t.Fatalf("token %q is not in %q after offset %d", tok, n, pos)
			}
			pos += at + len(tok)
		}
	})
}
