package wikitext

import (
	"errors"
	"strings"
	"testing"
)

// adversarialSize is the size of each adversarial input: a 10 MB page,
// five times the largest page MediaWiki accepts by default.
const adversarialSize = 10 << 20

// TestParseAdversarial parses 10 MB inputs built to defeat naive parsers:
// deep nesting, unbalanced runs, unclosed tags and comments, and many
// arguments. Each must give a result; a quadratic step would not finish
// within the test timeout. Input over MaxBytes fails with ErrTooLarge.
func TestParseAdversarial(t *testing.T) {
	size := adversarialSize
	if testing.Short() {
		size = 1 << 20
	}
	// fill returns unit repeated to half the size; inputs are one or two
	// fills.
	fill := func(unit string) string { return strings.Repeat(unit, size/2/len(unit)) }
	for _, tc := range []struct {
		name string
		text string
	}{
		{"open braces", fill("{{")},
		{"open brackets", fill("[[")},
		{"nested names", fill("{{a") + fill("}}")},
		{"nested arguments", fill("{{a|") + fill("}}")},
		{"nested links", fill("[[a|") + fill("]]")},
		{"nested file options", fill("[[File:A.jpg|link=") + fill("]]")},
		{"nested properties", fill("{{#property:P1|from=") + fill("}}")},
		{"long brace run", fill("{") + fill("}")},
		{"alternating", fill("{[")},
		{"pipes", "{{a" + fill("|") + "}}"},
		{"closers", fill("}]")},
		{"unclosed nowiki", fill("<nowiki>")},
		{"unclosed tags", fill("<pre><math><gallery><imagemap>")},
		{"opening tags without '>'", fill("<nowiki ")},
		{"closing tags", "<nowiki>" + fill("</nowik") + "</nowiki>"},
		{"unclosed comments", fill("<!--")},
		{"comments", fill("<!---->")},
		{"ampersands", "[[" + fill("&") + "]]" + fill("[[&a&b;]]")},
		{"references", fill("{{&#x41;&amp;")},
		{"long name", "{{" + fill("a") + "}}"},
		{"long spaces", "{{a|" + fill(" ") + "x.jpg}}"},
		{"gallery lines", "<gallery>" + fill("A.jpg|[[b|c]]\n") + "</gallery>"},
		{"invalid UTF-8", fill("{{\xff}}[[\xc3]]")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Parse("testwiki", "Template:Foo", tc.text, Options{}); err != nil {
				t.Fatal(err)
			}
		})
	}
	_, err := Parse("testwiki", "Foo", strings.Repeat("{{", DefaultMaxBytes/2+1), Options{})
	if !errors.Is(err, ErrTooLarge) {
		t.Errorf("input over DefaultMaxBytes: %v, want ErrTooLarge", err)
	}
}
