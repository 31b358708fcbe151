package jsonscan

import (
	"encoding/json"
	"strings"
	"testing"
)

// cases are inputs at the edges of the grammar; each must get
// encoding/json's answer.
var cases = []string{
	``, ` `, `{}`, `[]`, ` { } `, `[ ]`, `{`, `}`, `[`, `]`, `{]`, `[}`, `[[]]`, `[[]`, `[]]`, `{}{}`, `{} x`,
	`{"a":1}`, `{"a":1,}`, `{"a" 1}`, `{"a":}`, `{a:1}`, `{"a":1 "b":2}`, `{"a":1,"b":[1,2,{"c":null}]}`,
	`{,}`, `[,]`, `[1,]`, `[,1]`, `[1 2]`, `{"a":[}`, `{"a":{}}`, `{"a":{"b":{}}}`, `{"":""}`, `{1:1}`,
	`0`, `-0`, `01`, `-`, `-a`, `1.`, `1.0`, `.5`, `1e`, `1e+`, `1e5`, `1E-5`, `-1.5e+10`, `1.5.5`, `+1`, `0x1`,
	`1 `, ` 1`, `1 1`, `true`, `tru`, `truex`, `false`, `fals`, `null`, `nul`, `nulll`, `True`, `NaN`,
	`"`, `""`, `"a`, `"a"`, `"\"`, `"\""`, `"\\"`, `"\/"`, `"\b\f\n\r\t"`, `"\u00e9"`, `"\u00E9"`, `"\u00g9"`,
	`"\u00"`, `"\u00e"`, `"\x"`, `"\'"`, "\"\x01\"", "\"\x1f\"", "\"\x7f\"", "\"\xff\xfe\"", "\"é\"",
	"{\"a\":\t1\n}\r\n", "\v1", "\f1", "\u00a01", `{"a":"b"}}`, `[[[[[[[[[[]]]]]]]]]]`, `[{"a":[{"b":[]}]}]`,
	`{"meta":{"id":"x"},"dt":"2026-11-01T00:00:00Z"}`,
}

func TestValidAgreesWithEncodingJSON(t *testing.T) {
	for _, c := range cases {
		if got, want := Valid([]byte(c)), json.Valid([]byte(c)); got != want {
			t.Errorf("Valid(%q) = %v, encoding/json says %v", c, got, want)
		}
	}
}

func TestValidNestingLimit(t *testing.T) {
	for _, depth := range []int{maxDepth - 1, maxDepth, maxDepth + 1} {
		for _, open := range []string{"[", `{"a":`} {
			close := "]"
			if open != "[" {
				close = "}"
			}
			c := []byte(strings.Repeat(open, depth) + "1" + strings.Repeat(close, depth))
			if got, want := Valid(c), json.Valid(c); got != want {
				t.Errorf("depth %d of %s: Valid = %v, encoding/json says %v", depth, open, got, want)
			}
		}
	}
}

func FuzzValid(f *testing.F) {
	for _, c := range cases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := Valid(b), json.Valid(b); got != want {
			t.Errorf("Valid(%q) = %v, encoding/json says %v", b, got, want)
		}
	})
}

func BenchmarkValid(b *testing.B) {
	ev := []byte(`{"$schema":"/mediawiki/client/error/2.0.0","meta":{"stream":"mediawiki.client.error","id":"00000000-0000-4000-8000-000000000042","dt":"2026-11-01T00:00:00Z","domain":"en.wikipedia.org"},"message":"Uncaught TypeError: e is undefined","error_class":"TypeError","stack":"at f (load.php:1:2)\n\tat g","url":"https://en.wikipedia.org/wiki/E42","n":[1,2.5,-3e2,true,null]}`)
	b.Run("jsonscan", func(b *testing.B) {
		b.SetBytes(int64(len(ev)))
		for range b.N {
			if !Valid(ev) {
				b.Fatal("invalid")
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.SetBytes(int64(len(ev)))
		for range b.N {
			if !json.Valid(ev) {
				b.Fatal("invalid")
			}
		}
	})
}
