package wikitext

import (
	"fmt"
	"strings"
	"testing"
)

// longArticle returns realistic wikitext of at least size bytes: the
// biography's lead and infobox, then sections of prose with citations,
// links, files and templates, each naming different pages, then the
// biography's footer, like a long featured article.
func longArticle(size int) string {
	head, tail, _ := strings.Cut(biography, "== References ==")
	var b strings.Builder
	b.WriteString(head)
	for i := 0; b.Len() < size-len(tail); i++ {
		if i%6 == 0 {
			fmt.Fprintf(&b, "\n== Section %d ==\n{{Main|Topic %d}}\n", i/6, i)
		}
		fmt.Fprintf(&b, "In %d Adams worked on [[Project %d|a project]] with [[Person %d]] at the [[BBC]]"+
			"<ref name=\"src%d\">{{cite web |url=https://example.org/%d |title=Interview %d |work=[[The Guardian]] |date=%d May 2001 |access-date=1 March 2008}}</ref>, "+
			"which {{as of|%d|lc=y}} sold ''[[Book %d]]''.{{sfn|Webb|2005|p=%d}} <!-- check source %d --> "+
			"Critics in [[City %d, England|City %d]] praised it.<ref>{{Cite news |last=Critic |first=A. |title=Review of ''Book %d'' |newspaper=[[The Times]] |year=%d}}</ref>\n",
			1970+i%40, i, i, i, i, i, 1+i%28, 1980+i%40, i, i, i, i%7, i%7, i, 1980+i%40)
		if i%10 == 0 {
			fmt.Fprintf(&b, "[[File:Adams event %d.jpg|thumb|upright=1.2|Adams at event %d with [[Person %d]]]]\n", i, i, i+1)
		}
	}
	b.WriteString("== References ==")
	b.WriteString(tail)
	return b.String()
}

// BenchmarkParse parses a 100 KB article; bytes/s is the parse throughput.
func BenchmarkParse(b *testing.B) {
	text := longArticle(100 << 10)
	opts := Options{ConnectedEntity: "Q42"}
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("enwiki", "Douglas Adams", text, opts); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseShort parses the 4 KB biography.
func BenchmarkParseShort(b *testing.B) {
	opts := Options{ConnectedEntity: "Q42"}
	b.SetBytes(int64(len(biography)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("enwiki", "Douglas Adams", biography, opts); err != nil {
			b.Fatal(err)
		}
	}
}

// TestLongArticle checks the benchmark's input: what it names is what its
// generator wrote.
func TestLongArticle(t *testing.T) {
	text := longArticle(100 << 10)
	d, err := Parse("enwiki", "Douglas Adams", text, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(text) < 100<<10 || len(d.Links) < 400 || len(d.Files) < 20 || len(d.Templates) < 20 {
		t.Errorf("long article: %d bytes, %d links, %d files, %d templates", len(text), len(d.Links), len(d.Files), len(d.Templates))
	}
}
