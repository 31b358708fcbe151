package window_test

import (
	"encoding/json"
	"io/fs"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/processor/window"
	"github.com/ripplestream/ripple/schemas"
)

const schemaDir = "jsonschema/ripple/window/result/"

// TestSchemaMaterialized checks that 1.0.0.yaml is current.yaml with its
// $refs inlined, as event's TestProjectSchemas does for ripple's other
// schemas: the two must not drift apart.
func TestSchemaMaterialized(t *testing.T) {
	current, materialized := readYAML(t, schemaDir+"current.yaml"), readYAML(t, schemaDir+"1.0.0.yaml")
	common := readYAML(t, "jsonschema/fragment/common/2.0.0.yaml")
	var deref func(v any) any
	deref = func(v any) any {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["$ref"].(string); ok && len(v) == 1 {
				if ref == "#/$id" {
					return current["$id"]
				}
				name, ok := strings.CutPrefix(ref, "/fragment/common/2.0.0#/properties/")
				if !ok {
					t.Fatalf("unexpected $ref %q", ref)
				}
				return deref(common["properties"].(map[string]any)[name])
			}
			out := map[string]any{}
			for k, e := range v {
				out[k] = deref(e)
			}
			return out
		case []any:
			out := make([]any, len(v))
			for i, e := range v {
				out[i] = deref(e)
			}
			return out
		}
		return v
	}
	if got := deref(current); !reflect.DeepEqual(got, materialized) {
		g, _ := json.MarshalIndent(got, "", " ")
		t.Fatalf("1.0.0.yaml is not current.yaml materialized; current.yaml gives\n%s", g)
	}
}

func readYAML(t *testing.T, name string) map[string]any {
	t.Helper()
	b, err := fs.ReadFile(schemas.FS(), name)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return doc
}

// checkSchema validates ev against ripple/window/result 1.0.0 and current.
func checkSchema(t testing.TB, ev []byte) error {
	t.Helper()
	repo, err := event.OpenRepositoryFS(schemas.FS())
	if err != nil {
		t.Fatal(err)
	}
	var errs [2]error
	for i, uri := range []string{window.ResultSchema, "/ripple/window/result/current"} {
		s, err := repo.Schema(uri)
		if err != nil {
			t.Fatal(err)
		}
		errs[i] = s.Validate(ev)
	}
	if (errs[0] == nil) != (errs[1] == nil) {
		t.Fatalf("1.0.0 and current disagree on %s: %v, %v", ev, errs[0], errs[1])
	}
	return errs[0]
}

// TestResultEventSchema checks that result events, as the stage encodes
// them, validate, and that the schema refuses what it should.
func TestResultEventSchema(t *testing.T) {
	start := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	ev := window.ResultEvent[float64]{
		Envelope: event.Envelope{Schema: window.ResultSchema,
			Meta: event.Meta{Stream: "edits.per_minute", ID: "5b1f3c1e-2f0a-5c4d-9a8e-7d6b5a4c3b2a", DT: start.Add(70 * time.Second)},
			DT:   start.Add(time.Minute)},
		Key: "enwiki", Window: window.Span{Start: start, End: start.Add(time.Minute)},
		Count: 3, Aggregate: 7.5, Late: 1, ClosedBy: window.ClosedByTimer,
	}
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	if err := checkSchema(t, b); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	for _, c := range []struct{ field, value string }{
		{"count", "0"}, {"late", "-1"}, {"closed_by", `"eviction"`}, {"window", `{"start":"2026-11-01T12:00:00Z"}`},
		{"extra", "1"}, {"dt", `"yesterday"`},
	} {
		var m map[string]json.RawMessage
		_ = json.Unmarshal(b, &m)
		m[c.field] = json.RawMessage(c.value)
		bad, _ := json.Marshal(m)
		if err := checkSchema(t, bad); err == nil {
			t.Errorf("%s = %s: valid, want a violation", c.field, c.value)
		}
	}
}
