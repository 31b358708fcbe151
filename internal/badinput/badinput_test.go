package badinput

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
	"unicode/utf8"
)

// TestGenerate checks the corpus is the same for a seed, holds the valid
// events in their order and the number of each kind asked for, and that
// each malformed event is malformed the way its kind says.
func TestGenerate(t *testing.T) {
	valid := func() []Event {
		var v []Event
		for i := range 100 {
			// Half end in a newline, as a file does: a prefix of the
			// object without it is still no JSON.
			v = append(v, Event{Key: fmt.Sprint("k", i), Value: fmt.Appendf(nil, `{"$schema":"/a/1.0.0","meta":{"id":"id-%d","dt":"2026-01-01T00:00:00Z"},"n":%d}%s`, i, i, "\n"[:i%2])})
		}
		return v
	}
	cfg := Config{Seed: 1, Bad: 800, MaxHuge: 3, HugeBytes: 1 << 10, Depth: 10_001}
	a, err := Generate(cfg, valid())
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Generate(cfg, valid())
	c, _ := Generate(Config{Seed: 2, Bad: 800, MaxHuge: 3, HugeBytes: 1 << 10}, valid())
	if len(a) != 900 || len(b) != 900 {
		t.Fatalf("%d and %d events, want 900", len(a), len(b))
	}
	same := func(x, y []Event) bool {
		for i := range x {
			if x[i].Kind != y[i].Kind || !bytes.Equal(x[i].Value, y[i].Value) {
				return false
			}
		}
		return true
	}
	if !same(a, b) || same(a, c) {
		t.Fatal("the corpus is not a function of its seed")
	}
	kinds := map[Kind]int{}
	next := 0
	for i, e := range a {
		kinds[e.Kind]++
		switch e.Kind {
		case Valid:
			if e.Key != fmt.Sprint("k", next) {
				t.Fatalf("event %d: valid %s out of order, want k%d", i, e.Key, next)
			}
			next++
		case InvalidJSON, DeepNesting:
			if json.Valid(e.Value) && e.Kind == InvalidJSON {
				t.Errorf("event %d: %s is valid JSON: %q", i, e.Kind, e.Value)
			}
			var v any
			if json.Unmarshal(e.Value, &v) == nil {
				t.Errorf("event %d: %s decodes", i, e.Kind)
			}
		case InvalidUTF8:
			if utf8.Valid(e.Value) {
				t.Errorf("event %d: %s is valid UTF-8: %q", i, e.Kind, e.Value)
			}
		case Huge:
			if len(e.Value) < cfg.HugeBytes {
				t.Errorf("event %d: %s of %d bytes", i, e.Kind, len(e.Value))
			}
		}
	}
	if kinds[Valid] != 100 || kinds[Huge] != 3 || kinds[DeepNesting] != 3 || kinds[WrongSchema] != 100 || kinds[DuplicateID] != 100 {
		t.Errorf("kinds %v", kinds)
	}
}
