package dgraphstore

import (
	"testing"

	"github.com/ripplestream/ripple/deps"
	"github.com/ripplestream/ripple/deps/depstest"
)

// BenchmarkEdgeSet measures encoding and decoding the edges value of a page
// of BenchmarkPutPage (12 templates, 60 links, 2 files, 3 entities).
func BenchmarkEdgeSet(b *testing.B) {
	n, err := depstest.NewArticles(1).Event(0).Normalize(deps.CollapseLimits{})
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
}
