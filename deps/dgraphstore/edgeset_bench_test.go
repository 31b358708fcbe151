package dgraphstore

import (
	"fmt"
	"testing"

	"github.com/ripplestream/ripple/deps"
)

// BenchmarkEdgeSet measures encoding and decoding the edges value of a page
// like BenchmarkPutPage's (12 templates, 60 links, 2 files, 3 entities).
func BenchmarkEdgeSet(b *testing.B) {
	p := deps.PageDeps{Wiki: "enwiki", Page: deps.PageRef{ID: 7, Title: "Article_7"}, RevID: 9}
	for i := range 12 {
		p.Templates = append(p.Templates, fmt.Sprintf("Template:Infobox_%d", i*37))
	}
	for i := range 60 {
		p.Links = append(p.Links, fmt.Sprintf("Some_linked_article_%d", i*101))
	}
	p.Files = []string{"File:A.jpg", "File:B.png"}
	for i := range 3 {
		p.Entities = append(p.Entities, deps.EntityUsage{ID: deps.EntityID(fmt.Sprintf("Q%d", 100+i)), Aspects: []deps.Aspect{"L.en", "S"}})
	}
	n, err := p.Normalize(deps.CollapseLimits{})
	if err != nil {
		b.Fatal(err)
	}
	c := newEdgeCodec()
	v := c.encode(n)
	b.Run("encode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			c.encode(n)
		}
	})
	b.Run("decode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, _, _, err := c.decode(v); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Logf("value: %d bytes", len(v))
}
