package event

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// capturedPageChanges returns the captured mediawiki.page_change.v1 events.
func capturedPageChanges(t *testing.T) []string {
	t.Helper()
	files := jsonFiles(t, wmf(t, "wikidata-query-rdf", "streaming-updater-producer", "src", "test", "resources", "page_change_events"))
	if len(files) != 13 {
		t.Fatalf("%d captured page_change events, want 13", len(files))
	}
	return files
}

// TestCurrentAcceptsCapturedEvents validates the 13 captured page_change
// events against the latest version and against current.yaml. Compiled as
// written, current.yaml's additionalProperties: false beside its allOf of
// fragments rejected every one of them ($schema, meta, page, ... "not
// allowed"); materialized, it accepts what 1.2.0 accepts and rejects what
// 1.2.0 rejects, with the same violations.
func TestCurrentAcceptsCapturedEvents(t *testing.T) {
	r := openRepo(t, wmf(t, "schemas-event-primary"))
	latest, err := r.Schema("/mediawiki/page/change/latest")
	if err != nil {
		t.Fatal(err)
	}
	current, err := r.Schema("/mediawiki/page/change/current")
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range capturedPageChanges(t) {
		name := filepath.Base(file)
		data := readFixture(t, file)
		if err := latest.Validate(data); err != nil {
			t.Errorf("%s against %s: %v", name, latest.URI(), err)
		}
		if err := current.Validate(data); err != nil {
			t.Errorf("%s against current: %v", name, err)
		}

		// Break it: no page, an unknown top-level field, a bad nested value.
		ev := decodeObject(t, data)
		delete(ev, "page")
		ev["not_a_field"] = true
		ev["revision"].(map[string]any)["rev_id"] = "x"
		broken := encode(t, ev)
		want := asValidationError(t, latest.Validate(broken)).Violations
		got := asValidationError(t, current.Validate(broken)).Violations
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s broken: current says %v, %s says %v", name, got, latest.URI(), want)
		}
		for _, v := range []struct{ path, rule string }{{"/page", "required"}, {"/not_a_field", "additionalProperties"}, {"/revision/rev_id", "type"}} {
			if !slices.ContainsFunc(got, func(g Violation) bool { return g.Path == v.path && g.Rule == v.rule }) {
				t.Errorf("%s broken: no %s violation at %s in %v", name, v.rule, v.path, got)
			}
		}
	}
}

// TestCurrentMaterializesAsVersioned materializes every current.yaml of the
// Wikimedia trees whose $id names a version the tree holds, and compares it
// with that version as jsonschema-tools wrote it. They must be equal but for
// two steps of jsonschema-tools that come after merging and do not change
// what a schema accepts from MediaWiki: it adds minimum/maximum
// ±9007199254740991 (JavaScript's safe integers) to every number without
// bounds, and generates an example for a schema that has none.
func TestCurrentMaterializesAsVersioned(t *testing.T) {
	var same, compared []string
	for _, dir := range fixtureRepos {
		own := openRepo(t, wmf(t, dir))
		r := openFixtureRepo(t, dir)
		for _, title := range own.Titles() {
			if !own.HasCurrent(title) {
				continue
			}
			_, file, err := r.locate("/" + title + "/current")
			if err != nil {
				t.Fatal(err)
			}
			raw, err := parseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			id, _ := raw["$id"].(string)
			_, version, err := ParseSchemaURI(id)
			if err != nil || !slices.Contains(r.Versions(title), version) {
				continue // the version current.yaml will become is not written yet
			}
			_, versioned := schemaAndDoc(t, r, "/"+title+"/"+version)
			_, current := schemaAndDoc(t, r, "/"+title+"/current")
			uri := dir + " /" + title + "/" + version
			compared = append(compared, uri)
			var diffs []string
			schemaDiff("", versioned, current, &diffs)
			if len(diffs) == 0 {
				same = append(same, uri)
			}
			for _, d := range diffs {
				t.Errorf("%s: current.yaml materialized differs: %s", uri, d)
			}
		}
	}
	t.Logf("%d current.yaml compared with their version, %d identical before jsonschema-tools' bounds and examples", len(compared), len(same))
	for _, want := range []string{
		"schemas-event-primary /mediawiki/page/change/1.2.0",
		"schemas-event-primary /error/2.1.0",
		"schemas-event-primary /resource_change/1.0.0",
		"schemas-event-primary /mediawiki/cirrussearch/page_rerender/1.0.0",
	} {
		if !slices.Contains(same, want) {
			t.Errorf("%s: not identical to its current.yaml materialized", want)
		}
	}
	if len(compared) < 25 {
		t.Errorf("only %d current.yaml compared", len(compared))
	}
}

// schemaDiff appends to out where materialized schema b differs from the
// versioned a, leaving out what jsonschema-tools adds after merging: safe
// integer bounds and examples (b may lack them where a has them).
func schemaDiff(at string, a, b any, out *[]string) {
	if sameJSON(a, b) { // numbers by value: 1.0 is 1
		return
	}
	am, ok1 := a.(map[string]any)
	bm, ok2 := b.(map[string]any)
	if !ok1 || !ok2 {
		*out = append(*out, fmt.Sprintf("%s: %.200v, want %.200v", at, b, a))
		return
	}
	for k, av := range am {
		bv, inB := bm[k]
		switch {
		case !inB && k == "examples":
		case !inB && k == "maximum" && av == json.Number(safeInteger):
		case !inB && k == "minimum" && av == json.Number("-"+safeInteger):
		case !inB:
			*out = append(*out, fmt.Sprintf("%s/%s: missing, want %.200v", at, k, av))
		default:
			schemaDiff(at+"/"+k, av, bv, out)
		}
	}
	for k, bv := range bm {
		if _, inA := am[k]; !inA {
			*out = append(*out, fmt.Sprintf("%s/%s: %.200v, want nothing", at, k, bv))
		}
	}
}

// TestMergeAllOf checks how allOf merges, keyword by keyword.
func TestMergeAllOf(t *testing.T) {
	tests := []struct {
		name, in, want string
		err            string // part of the error, if one is wanted
	}{
		{
			name: "fragments beside additionalProperties false",
			in:   `{"type":"object","additionalProperties":false,"required":["b"],"properties":{"b":{"type":"string"}},"allOf":[{"required":["a"],"properties":{"a":{"type":"integer"}}}]}`,
			want: `{"type":"object","additionalProperties":false,"required":["a","b"],"properties":{"a":{"type":"integer"},"b":{"type":"string"}}}`,
		},
		{
			name: "a lone required keeps its order",
			in:   `{"required":["z","a"],"allOf":[{"type":"object"}]}`,
			want: `{"required":["z","a"],"type":"object"}`,
		},
		{
			name: "same property in both merges deeply, nested allOf too",
			in:   `{"properties":{"p":{"type":"object","properties":{"x":{"type":"string"}}}},"allOf":[{"properties":{"p":{"allOf":[{"properties":{"y":{"type":"integer"}}}],"required":["x"]}}}]}`,
			want: `{"properties":{"p":{"type":"object","properties":{"x":{"type":"string"},"y":{"type":"integer"}},"required":["x"]}}}`,
		},
		{
			name: "type and enum intersect, bounds tighten, first title wins",
			in:   `{"title":"outer","type":["number","string"],"enum":[1,2,3],"minimum":0,"maximum":10,"allOf":[{"title":"inner","type":"integer","enum":[2,3,4],"minimum":1,"maximum":20}]}`,
			want: `{"title":"outer","type":"integer","enum":[2,3],"minimum":1,"maximum":10}`,
		},
		{
			name: "two patterns both hold through a residual allOf",
			in:   `{"type":"string","pattern":"^a","allOf":[{"pattern":"b$"}]}`,
			want: `{"type":"string","pattern":"^a","allOf":[{"pattern":"b$"}]}`,
		},
		{
			name: "two if/then/else both hold",
			in:   `{"if":{"required":["a"]},"then":{"required":["b"]},"allOf":[{"if":{"required":["c"]},"then":{"required":["d"]}}]}`,
			want: `{"if":{"required":["a"]},"then":{"required":["b"]},"allOf":[{"if":{"required":["c"]},"then":{"required":["d"]}}]}`,
		},
		{
			name: "a false member makes the whole false",
			in:   `{"properties":{"p":{"type":"string","allOf":[false]}}}`,
			want: `{"properties":{"p":false}}`,
		},
		{
			name: "map values merge",
			in:   `{"additionalProperties":{"type":"object","properties":{"k":{"type":"string"}}},"allOf":[{"additionalProperties":{"required":["k"]}}]}`,
			want: `{"additionalProperties":{"type":"object","properties":{"k":{"type":"string"}},"required":["k"]}}`,
		},
		{
			name: "no common type",
			in:   `{"type":"string","allOf":[{"type":"integer"}]}`,
			err:  "no type in common",
		},
		{
			name: "no common enum value",
			in:   `{"enum":["a"],"allOf":[{"enum":["b"]}]}`,
			err:  "no enum value in common",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := decodeJSONValue([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			got, err := mergeAllOf(in)
			if tt.err != "" {
				if !errors.Is(err, ErrBadSchema) || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("got %v, %v; want an ErrBadSchema about %q", got, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want, err := decodeJSONValue([]byte(tt.want))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got  %s\nwant %s", encode(t, got), encode(t, want))
			}
		})
	}
}
