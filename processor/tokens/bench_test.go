package tokens

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// article returns wikitext-like prose of about n bytes in several scripts,
// the same for the same seed.
func article(seed uint64, n int) string {
	words := strings.Fields(`the of and in to was is for on as by with he that at from his it an were are which
		this also be had first one their its new after but who not they have has been two her she other time
		Wikipedia 1,000 3.14 can't [[Link]] {{Cite web}} Москва город России 東京 東京都 カタカナ مرحبا بالعالم हिन्दी 👍🏽`)
	r := rand.New(rand.NewPCG(seed, 1))
	var b strings.Builder
	for b.Len() < n {
		b.WriteString(words[r.IntN(len(words))])
		if r.IntN(12) == 0 {
			b.WriteString(".\n")
		} else {
			b.WriteByte(' ')
		}
	}
	return b.String()
}

// BenchmarkRevise measures the stage's work per event on one core, without
// Kafka: decode the page's state, tokenize a 20 KB revision, diff, encode
// the state. It reports events/s and the encoded state's bytes per key.
func BenchmarkRevise(b *testing.B) {
	for _, size := range []int{2 << 10, 20 << 10, 200 << 10} {
		b.Run(fmt.Sprintf("text=%dKB", size>>10), func(b *testing.B) {
			tk, _ := New(Config{})
			texts := []string{article(1, size), article(2, size)}
			st, _, _ := tk.Revise(State{}, change(1, texts[0]))
			enc, _ := StateCodec{}.Encode(st)
			b.SetBytes(int64(size))
			b.ResetTimer()
			for i := range b.N {
				prev, err := StateCodec{}.Decode(enc)
				if err != nil {
					b.Fatal(err)
				}
				next, _, err := tk.Revise(prev, change(int64(i+2), texts[i%2]))
				if err != nil {
					b.Fatal(err)
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

// BenchmarkTokenize measures normalization and segmentation alone.
func BenchmarkTokenize(b *testing.B) {
	text := article(3, 100<<10)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		Tokenize(text, 256)
	}
}
