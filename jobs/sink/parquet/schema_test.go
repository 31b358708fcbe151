package parquet

import (
	"bytes"
	"strings"
	"testing"

	pq "github.com/parquet-go/parquet-go"

	"github.com/ripplestream/ripple/event"
)

// testSchemas are the Wikimedia schemas in testdata (see SOURCES.md).
var testSchemas = []string{
	"/mediawiki/revision/create/2.0.0",
	"/mediawiki/page/change/1.2.0",
	"/mediawiki/revision/score/3.0.0",
	"/resource_change/1.0.0",
	"/test/event/1.0.0",
}

func testRepository(t testing.TB) *event.Repository {
	t.Helper()
	repo, err := event.OpenRepository("testdata")
	if err != nil {
		t.Fatal(err)
	}
	return repo
}

func mapTestSchema(t testing.TB, repo *event.Repository, uri string) *Schema {
	t.Helper()
	doc, err := repo.Document(uri)
	if err != nil {
		t.Fatal(err)
	}
	s, err := MapSchema(uri, doc)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestMapSchemaColumns checks the Parquet type of chosen columns of the
// real schemas, one of each mapping rule.
func TestMapSchemaColumns(t *testing.T) {
	repo := testRepository(t)
	for _, tc := range []struct {
		uri, path, want string
	}{
		{"/mediawiki/revision/create/2.0.0", "$schema", "required binary $schema (STRING)"},
		{"/mediawiki/revision/create/2.0.0", "dt", "required int64 dt (TIMESTAMP(isAdjustedToUTC=true,unit=MILLIS))"},
		{"/mediawiki/revision/create/2.0.0", "meta.domain", "optional binary domain (STRING)"},
		{"/mediawiki/revision/create/2.0.0", "meta.dt", "optional int64 dt (TIMESTAMP(isAdjustedToUTC=true,unit=MILLIS))"},
		{"/mediawiki/revision/create/2.0.0", "page_id", "required int64 page_id (INT(64,true))"},
		{"/mediawiki/revision/create/2.0.0", "page_is_redirect", "required boolean page_is_redirect"},
		{"/mediawiki/revision/create/2.0.0", "rev_slots.key_value.key", "required binary key (STRING)"},
		{"/mediawiki/revision/create/2.0.0", "rev_slots.key_value.value.rev_slot_size", "required int64 rev_slot_size (INT(64,true))"},
		{"/mediawiki/revision/create/2.0.0", "performer.user_groups.list.element", "required binary element (STRING)"},
		{"/resource_change/1.0.0", "tags.list.element", "required binary element (STRING)"},
		{"/resource_change/1.0.0", "root_event.signature", "required binary signature (STRING)"},
		{"/mediawiki/revision/score/3.0.0", "scores.key_value.value.probability.key_value.value", "required double value"},
	} {
		s := mapTestSchema(t, repo, tc.uri)
		leaf, ok := s.Parquet().Lookup(strings.Split(tc.path, ".")...)
		if !ok {
			t.Errorf("%s: no column %s in\n%s", tc.uri, tc.path, s.Parquet())
			continue
		}
		name := leaf.Path[len(leaf.Path)-1]
		if got := (pq.Group{name: leaf.Node}).String(); !strings.Contains(got, tc.want) {
			t.Errorf("%s %s: %s, want %s", tc.uri, tc.path, got, tc.want)
		}
	}
}

// TestMapSchemaJSONColumns checks what falls back to JSON text, and why.
func TestMapSchemaJSONColumns(t *testing.T) {
	doc := map[string]any{
		"type": "object",
		"properties": map[string]any{
			"free":  map[string]any{"type": "object"},
			"mixed": map[string]any{"type": []any{"string", "integer"}},
			"tuple": map[string]any{"type": "array", "items": []any{map[string]any{"type": "string"}}},
			"any":   map[string]any{},
			"both": map[string]any{"type": "object", "properties": map[string]any{"a": map[string]any{"type": "string"}},
				"additionalProperties": map[string]any{"type": "integer"}},
			"nullable": map[string]any{"type": []any{"integer", "null"}},
		},
	}
	s, err := MapSchema("/x/1.0.0", doc)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range s.JSONColumns() {
		got = append(got, c.Path+": "+c.Reason)
	}
	want := []string{
		"/any: no type",
		"/both: properties unlike its additionalProperties schema",
		"/free: an object without properties or an additionalProperties schema",
		"/mixed: several types: string, integer",
		"/tuple: an array without one items schema",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("JSON columns:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	row, err := s.Row(map[string]any{"free": map[string]any{"k": []any{true}}, "nullable": nil})
	if err != nil {
		t.Fatal(err)
	}
	var free string
	for _, v := range row {
		if s.Parquet().Columns()[v.Column()][0] == "free" {
			free = v.String()
		}
	}
	if free != `{"k":[true]}` {
		t.Errorf("free = %q, want its JSON text", free)
	}
}

// TestRowExamples writes every example of the real schemas as a row, reads
// the file back and compares.
func TestRowExamples(t *testing.T) {
	repo := testRepository(t)
	for _, uri := range testSchemas {
		s := mapTestSchema(t, repo, uri)
		examples, err := repo.Examples(uri)
		if err != nil || len(examples) == 0 {
			t.Fatalf("%s: examples %d, %v", uri, len(examples), err)
		}
		var rows []pq.Row
		for i, ex := range examples {
			doc, err := decodeEvent(ex)
			if err != nil {
				t.Fatal(err)
			}
			row, err := s.Row(doc)
			if err != nil {
				t.Fatalf("%s example %d: %v", uri, i, err)
			}
			rows = append(rows, row)
		}
		var buf bytes.Buffer
		w := pq.NewWriter(&buf, s.Parquet())
		if _, err := w.WriteRows(rows); err != nil {
			t.Fatalf("%s: WriteRows: %v", uri, err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		r := pq.NewReader(bytes.NewReader(buf.Bytes()))
		got := make([]pq.Row, len(rows)+1)
		n, _ := r.ReadRows(got)
		if n != len(rows) {
			t.Fatalf("%s: read %d rows, wrote %d", uri, n, len(rows))
		}
		for i := range rows {
			if !got[i].Equal(rows[i]) {
				t.Errorf("%s row %d: read\n%v\nwrote\n%v", uri, i, got[i], rows[i])
			}
		}
	}
}

// TestRowErrors checks that a value of another type or a missing required
// field is a *FieldError naming the field.
func TestRowErrors(t *testing.T) {
	repo := testRepository(t)
	s := mapTestSchema(t, repo, "/mediawiki/revision/create/2.0.0")
	examples, _ := repo.Examples("/mediawiki/revision/create/2.0.0")
	for _, tc := range []struct {
		name   string
		change func(map[string]any)
		path   string
	}{
		{"string for integer", func(m map[string]any) { m["page_id"] = "12" }, "/page_id"},
		{"missing required", func(m map[string]any) { delete(m, "database") }, "/database"},
		{"bad date-time", func(m map[string]any) { m["meta"].(map[string]any)["dt"] = "yesterday" }, "/meta/dt"},
		{"fraction for integer", func(m map[string]any) { m["rev_id"] = jsonNumber("1.5") }, "/rev_id"},
		{"object for array", func(m map[string]any) {
			m["performer"].(map[string]any)["user_groups"] = map[string]any{}
		}, "/performer/user_groups"},
		{"map value of wrong type", func(m map[string]any) {
			m["rev_slots"] = map[string]any{"main": "x"}
		}, "/rev_slots/main"},
	} {
		doc, err := decodeEvent(examples[0])
		if err != nil {
			t.Fatal(err)
		}
		tc.change(doc)
		_, err = s.Row(doc)
		fe, ok := err.(*FieldError)
		if !ok || fe.Path != tc.path {
			t.Errorf("%s: Row = %v, want a *FieldError at %s", tc.name, err, tc.path)
		}
	}
}

func jsonNumber(s string) any {
	doc, _ := decodeEvent([]byte(`{"n":` + s + `}`))
	return doc["n"]
}
