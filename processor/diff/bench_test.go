package diff

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// wikiArticle returns wikitext of about n bytes: paragraphs with links,
// templates, files and categories, the same for the same seed.
func wikiArticle(seed uint64, n int) string {
	r := rand.New(rand.NewPCG(seed, 9))
	words := strings.Fields("the of and in to was is for on as by with that at from his it an were are which this also be")
	var b strings.Builder
	for p := 0; b.Len() < n; p++ {
		fmt.Fprintf(&b, "== Section %d ==\n{{Infobox %d|image=Pic%d.jpg}}\n", p, p%7, p)
		for range 3 + r.IntN(4) {
			for range 10 + r.IntN(20) {
				if r.IntN(8) == 0 {
					fmt.Fprintf(&b, "[[Page %d]] ", r.IntN(500))
				} else {
					b.WriteString(words[r.IntN(len(words))] + " ")
				}
			}
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "[[Category:Topic %d]]\n\n", p%11)
	}
	return b.String()
}

// edit returns text with one line in about every 50 changed.
func edit(text string, seed uint64) string {
	r := rand.New(rand.NewPCG(seed, 3))
	lines := SplitLines(text)
	for i := range lines {
		if r.IntN(50) == 0 {
			lines[i] = fmt.Sprintf("changed line %d [[New %d]]\n", i, r.IntN(100))
		}
	}
	return strings.Join(lines, "")
}

// BenchmarkRevise measures the stage's work per event on one core, without
// Kafka: decode the page's state, diff lines and words, parse the wikitext,
// diff its dependencies, encode the state. It reports events/s and the
// encoded state's bytes per key.
func BenchmarkRevise(b *testing.B) {
	for _, size := range []int{4 << 10, 40 << 10, 400 << 10} {
		b.Run(fmt.Sprintf("text=%dKB", size>>10), func(b *testing.B) {
			d, _ := New(Config{})
			base := wikiArticle(1, size)
			texts := []string{edit(base, 1), edit(base, 2)}
			st, _, _ := d.Revise(State{}, change("edit", 1, base))
			enc, _ := StateCodec{}.Encode(st)
			b.SetBytes(int64(size))
			b.ResetTimer()
			for i := range b.N {
				prev, err := StateCodec{}.Decode(enc)
				if err != nil {
					b.Fatal(err)
				}
				next, res, err := d.Revise(prev, change("edit", int64(i+2), texts[i%2]))
				if err != nil || res.Outcome != Diffed {
					b.Fatal(err, res.Outcome)
				}
				if enc, err = (StateCodec{}).Encode(next); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
			b.ReportMetric(float64(len(enc)), "state-bytes/key")
		})
	}
}

// BenchmarkLinesWorstCase diffs two unrelated 1 MB texts without unique
// lines, where the cost limit bounds the time.
func BenchmarkLinesWorstCase(b *testing.B) {
	var x, y strings.Builder
	for x.Len() < 1<<20 {
		x.WriteString("a\nb\n")
		y.WriteString("b\nc\n")
	}
	b.SetBytes(1 << 20)
	for b.Loop() {
		Lines(x.String(), y.String(), DefaultMaxEditCost)
	}
}
