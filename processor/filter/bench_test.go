package filter

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// vocabulary returns n distinct pseudo-words of 4 to 12 letters.
func vocabulary(n int, seed uint64) []string {
	r := rand.New(rand.NewPCG(seed, 7))
	seen := map[string]bool{}
	var out []string
	for len(out) < n {
		b := make([]byte, 4+r.IntN(9))
		for i := range b {
			b[i] = byte('a' + r.IntN(26))
		}
		if w := string(b); !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

// text returns about n bytes of words drawn from vocab (one in hit of them
// from the keywords) separated by spaces and punctuation.
func text(n int, vocab, keywords []string, hit int) string {
	r := rand.New(rand.NewPCG(3, 4))
	var b strings.Builder
	for b.Len() < n {
		if r.IntN(hit) == 0 {
			b.WriteString(keywords[r.IntN(len(keywords))])
		} else {
			b.WriteString(vocab[r.IntN(len(vocab))])
		}
		b.WriteString([]string{" ", " ", ", ", ". ", "\n"}[r.IntN(5)])
	}
	return b.String()
}

// BenchmarkMatch10kKeywords matches 10,000 keywords over 100 KB texts, one
// text per op (an event); it reports events/s on one core.
func BenchmarkMatch10kKeywords(b *testing.B) {
	keywords := vocabulary(10_000, 1)
	vocab := vocabulary(50_000, 2)
	doc := text(100<<10, vocab, keywords, 200)
	for _, opts := range []Options{{}, {CaseInsensitive: true}, {CaseInsensitive: true, WholeWord: true}} {
		b.Run(fmt.Sprintf("insensitive=%v/wholeword=%v", opts.CaseInsensitive, opts.WholeWord), func(b *testing.B) {
			m, err := Compile(Keywords(keywords...), opts)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(doc)))
			b.ResetTimer()
			for b.Loop() {
				if len(m.Match(doc)) == 0 {
					b.Fatal("no match")
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// BenchmarkCompile10k measures building the automaton for 10,000 keywords,
// the cost of a reload.
func BenchmarkCompile10k(b *testing.B) {
	keywords := Keywords(vocabulary(10_000, 1)...)
	for b.Loop() {
		if _, err := Compile(keywords, Options{CaseInsensitive: true}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMatchRegexes measures 10 regular expressions over 100 KB.
func BenchmarkMatchRegexes(b *testing.B) {
	var ps []Pattern
	for _, w := range vocabulary(10, 5) {
		ps = append(ps, Pattern{Text: `\b` + w[:3] + `[a-z]+\d`, Regex: true})
	}
	m, _ := Compile(ps, Options{})
	doc := text(100<<10, vocabulary(50_000, 2), []string{"x"}, 1000)
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		m.Match(doc)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
