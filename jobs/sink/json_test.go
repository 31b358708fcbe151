package sink_test

import (
	"strings"
	"testing"

	"github.com/ripplestream/ripple/jobs/sink"
)

// TestDecodeJSON checks which values are one JSON object and the reasons
// of those that are not.
func TestDecodeJSON(t *testing.T) {
	for _, c := range []struct {
		in, err string
	}{
		{in: `{"a":1}`},
		{in: " {\"a\":1} \n\t\r"},
		{in: `{"n":12345678901234567890}`},
		{in: `{"a":1}}`, err: "not one JSON value"},
		{in: `{"a":1}]`, err: "not one JSON value"},
		{in: `{"a":1} {"b":2}`, err: "not one JSON value"},
		{in: `{"a":1} x`, err: "not one JSON value"},
		{in: `[1]`, err: "not a JSON object but an array"},
		{in: `null`, err: "not a JSON object but null"},
		{in: `"s"`, err: "not a JSON object but a string"},
		{in: `{`, err: "not JSON"},
		{in: ``, err: "not JSON"},
	} {
		doc, err := sink.DecodeJSON([]byte(c.in))
		switch {
		case c.err == "" && (err != nil || doc == nil):
			t.Errorf("%q: %v", c.in, err)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%q: %v, want an error saying %q", c.in, err, c.err)
		}
	}
	doc, _ := sink.DecodeJSON([]byte(`{"n":12345678901234567890}`))
	if k, err := sink.KeyAt(doc, "/n"); k != "12345678901234567890" || err != nil {
		t.Errorf("a long number key: %q, %v; want its digits", k, err)
	}
}

// TestKeyAt checks the keys a pointer finds and the reasons of those it
// does not.
func TestKeyAt(t *testing.T) {
	doc, err := sink.DecodeJSON([]byte(`{"meta":{"id":"e1","n":7,"f":1.50,"nul":null,"o":{},"b":true},"a":["x"]}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		ptr, want, err string
	}{
		{ptr: "/meta/id", want: "e1"},
		{ptr: "/meta/n", want: "7"},
		{ptr: "/meta/f", want: "1.50"},
		{ptr: "/a/0", want: "x"},
		{ptr: "/meta/none", err: "no key at /meta/none"},
		{ptr: "/meta/nul", err: "no key at /meta/nul: it is null"},
		{ptr: "/meta/o", err: "the key at /meta/o is an object, not a string or number"},
		{ptr: "/meta/b", err: "is a boolean, not a string or number"},
	} {
		k, err := sink.KeyAt(doc, c.ptr)
		switch {
		case c.err == "" && (err != nil || k != c.want):
			t.Errorf("%s: %q, %v; want %q", c.ptr, k, err, c.want)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%s: %q, %v; want an error saying %q", c.ptr, k, err, c.err)
		}
	}
}
