package event

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// badDateTime is a string that looks like a date-time but is not one.
const badDateTime = "2021-02-30T25:61:00Z"

// mutation changes a copy of an example and names the violation expected.
type mutation struct {
	name  string
	apply func(ex map[string]any)
	path  string
	rule  string
}

// mutationsFor derives mutations of example ex from its schema doc: drop
// each required top-level field, give each string field a number, and break
// each date-time among dt and meta.dt.
func mutationsFor(doc, ex map[string]any) []mutation {
	var ms []mutation
	props, _ := doc["properties"].(map[string]any)
	required, _ := doc["required"].([]any)
	for _, r := range required {
		name, _ := r.(string)
		if _, ok := ex[name]; !ok {
			continue
		}
		ms = append(ms, mutation{"remove " + name, func(ex map[string]any) { delete(ex, name) }, "/" + escapePointer(name), "required"})
	}
	for _, name := range slices.Sorted(maps.Keys(props)) {
		p, _ := props[name].(map[string]any)
		if _, ok := ex[name].(string); !ok || p["type"] != "string" {
			continue
		}
		ms = append(ms, mutation{"number " + name, func(ex map[string]any) { ex[name] = json.Number("12345") }, "/" + escapePointer(name), "type"})
		if p["format"] == "date-time" {
			ms = append(ms, mutation{"bad " + name, func(ex map[string]any) { ex[name] = badDateTime }, "/" + escapePointer(name), "format"})
		}
	}
	meta, _ := ex["meta"].(map[string]any)
	if _, ok := meta["dt"].(string); ok {
		ms = append(ms, mutation{"bad meta.dt", func(ex map[string]any) { ex["meta"].(map[string]any)["dt"] = badDateTime }, "/meta/dt", "format"})
	}
	return ms
}

// TestMutatedExamplesFail breaks every example of every materialized schema
// in the primary and secondary fixture repositories in several ways and
// checks each break is reported at the right path with the right rule.
func TestMutatedExamplesFail(t *testing.T) {
	for _, dir := range []string{"schemas-event-primary", "schemas-event-secondary"} {
		own := openRepo(t, wmf(t, dir))
		r := openFixtureRepo(t, dir)
		n := 0
		for _, uri := range own.URIs() {
			if strings.HasPrefix(uri, "/fragment/") {
				continue // fragments are not events
			}
			s, doc := schemaAndDoc(t, r, uri)
			exs, err := r.Examples(uri)
			if err != nil {
				t.Fatal(err)
			}
			for i, raw := range exs {
				for _, m := range mutationsFor(doc, decodeObject(t, raw)) {
					ex := decodeObject(t, raw) // a fresh copy per mutation
					m.apply(ex)
					err := s.Validate(encode(t, ex))
					if err == nil {
						t.Errorf("%s example %d, %s: valid, want %s at %s", uri, i, m.name, m.rule, m.path)
						continue
					}
					if ve := asValidationError(t, err); !hasViolation(ve, m.path, m.rule) {
						t.Errorf("%s example %d, %s: got %v, want %s at %s", uri, i, m.name, ve.Violations, m.rule, m.path)
					}
					n++
				}
			}
		}
		t.Logf("%s: %d mutated examples rejected as expected", dir, n)
		if n == 0 {
			t.Error("no mutations ran")
		}
	}
}

// schemaAndDoc returns the compiled schema at uri and its document.
func schemaAndDoc(t testing.TB, r *Repository, uri string) (*Schema, map[string]any) {
	t.Helper()
	s, err := r.Schema(uri)
	if err != nil {
		t.Fatal(err)
	}
	canonical, f, err := r.locate(uri)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := r.readDoc(f, resourceURL(canonical))
	if err != nil {
		t.Fatal(err)
	}
	return s, doc.(map[string]any)
}

// TestValidateErrors checks what Validate reports for specific breaks of the
// page change example, including the message a user reads.
func TestValidateErrors(t *testing.T) {
	r := openRepo(t, wmf(t, "schemas-event-primary"))
	exs, err := r.Examples("/mediawiki/page/change/1.2.0")
	if err != nil {
		t.Fatal(err)
	}
	base := exs[0]
	tests := []struct {
		name   string
		mutate func(ex map[string]any)
		path   string
		rule   string
		msg    string
	}{
		{"missing meta.stream", func(ex map[string]any) { delete(ex["meta"].(map[string]any), "stream") },
			"/meta/stream", "required", `event: invalid against /mediawiki/page/change/1.2.0: /meta/stream: missing property "stream" [required]`},
		{"page_id as string", func(ex map[string]any) { ex["page"].(map[string]any)["page_id"] = "1" },
			"/page/page_id", "type", `event: invalid against /mediawiki/page/change/1.2.0: /page/page_id: got string, want integer [type]`},
		{"unknown field", func(ex map[string]any) { ex["bogus"] = true },
			"/bogus", "additionalProperties", `event: invalid against /mediawiki/page/change/1.2.0: /bogus: property "bogus" is not allowed [additionalProperties]`},
		{"bad enum", func(ex map[string]any) { ex["page_change_kind"] = "explode" },
			"/page_change_kind", "enum", ""},
		{"bad dt", func(ex map[string]any) { ex["dt"] = "yesterday" },
			"/dt", "format", ""},
		{"negative page id", func(ex map[string]any) { ex["page"].(map[string]any)["page_id"] = -1 },
			"/page/page_id", "minimum", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ex := decodeObject(t, base)
			tt.mutate(ex)
			ve := asValidationError(t, r.Validate(encode(t, ex)))
			if ve.Schema != "/mediawiki/page/change/1.2.0" || ve.Path != tt.path || ve.Rule != tt.rule {
				t.Errorf("got %s %s %s, want %s %s", ve.Schema, ve.Path, ve.Rule, tt.path, tt.rule)
			}
			if tt.msg != "" && ve.Error() != tt.msg {
				t.Errorf("Error() = %q, want %q", ve.Error(), tt.msg)
			}
		})
	}
}

// TestValidateRouting checks the error type Validate returns for input that
// never reaches a schema.
func TestValidateRouting(t *testing.T) {
	r := openRepo(t, wmf(t, "schemas-event-primary"))
	tests := []struct {
		name  string
		event string
		check func(error) bool
	}{
		{"not json", `{"$schema": `, isDecodeError},
		{"trailing data", `{"$schema": "/test/event/1.0.0"} {}`, isDecodeError},
		{"empty", ``, isDecodeError},
		{"array", `[1]`, isValidation("", "type")},
		{"no $schema", `{"meta": {}}`, isValidation("/$schema", "required")},
		{"$schema not a string", `{"$schema": 1}`, isValidation("/$schema", "type")},
		{"unknown schema", `{"$schema": "/no/such/1.0.0"}`, func(err error) bool { return errors.Is(err, ErrSchemaNotFound) }},
		{"unknown version", `{"$schema": "/resource_change/9.0.0"}`, func(err error) bool { return errors.Is(err, ErrSchemaNotFound) }},
		{"bad uri", `{"$schema": "resource_change"}`, func(err error) bool { return errors.Is(err, ErrBadSchemaURI) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := r.Validate([]byte(tt.event)); !tt.check(err) {
				t.Errorf("Validate(%s) = %v (%T)", tt.event, err, err)
			}
		})
	}
}

// isDecodeError reports whether err is a *DecodeError.
func isDecodeError(err error) bool {
	var de *DecodeError
	return errors.As(err, &de)
}

// isValidation returns a check for a *ValidationError at path of rule.
func isValidation(path, rule string) func(error) bool {
	return func(err error) bool {
		var ve *ValidationError
		return errors.As(err, &ve) && ve.Path == path && ve.Rule == rule
	}
}

// TestDecodeKeepsNumbersExact: numbers decode as json.Number, so an id
// beyond 2^53 keeps its digits (and goccy's flag behind useNumber has
// not moved).
func TestDecodeKeepsNumbersExact(t *testing.T) {
	for _, in := range []string{`{"n": 12345678901234567891}`, ` {"n": 12345678901234567891} `} {
		v, err := DecodeValue([]byte(in))
		if err != nil {
			t.Fatal(err)
		}
		if n, ok := v.(map[string]any)["n"].(json.Number); !ok || n != "12345678901234567891" {
			t.Errorf("DecodeValue(%s) n = %#v, want json.Number 12345678901234567891", in, v.(map[string]any)["n"])
		}
	}
	for _, in := range []string{`{"n": 1} x`, `{"n": 1}{}`, `{"n": 1`, ``} {
		if _, err := DecodeValue([]byte(in)); err == nil {
			t.Errorf("DecodeValue(%q) = nil error, want a DecodeError", in)
		}
	}
}

// FuzzDecodeValueMatchesEncodingJSON: DecodeValue accepts what
// encoding/json accepts, and decodes it to the same value.
func FuzzDecodeValueMatchesEncodingJSON(f *testing.F) {
	for _, s := range []string{`{"a": [1, 2.5e3, -0, "x\u00e9"], "b": {"c": null, "d": true}}`, ` 12345678901234567891 `,
		`"\ud800"`, "\"\xff\"", `{"a":1,"a":2}`, `[1,]`, `{"a":1} {}`, `01`, `1.`, `"\u12"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := DecodeValue(data)
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		var want any
		werr := dec.Decode(&want)
		if werr == nil {
			if _, terr := dec.Token(); terr != io.EOF {
				werr = errors.New("data after the value")
			}
		}
		if (err == nil) != (werr == nil) {
			t.Fatalf("DecodeValue(%q) error %v, encoding/json's %v", data, err, werr)
		}
		if err == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("DecodeValue(%q) = %#v, encoding/json decodes %#v", data, got, want)
		}
	})
}
