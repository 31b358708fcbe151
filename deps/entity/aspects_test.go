package entity

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
)

// testdata/Q42.json is hand-written for these tests in the shape of
// Wikidata's Special:EntityData/Q42.json (labels, descriptions, aliases,
// statements with qualifiers, references and ranks, sitelinks with badges),
// with abridged and partly invented values. It is not a copy; the shared
// fixtures hold no entity JSON.

// readQ42 returns the fixture.
func readQ42(t testing.TB) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/Q42.json")
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// edit returns data decoded, changed by f, and encoded again. The encoding
// differs from the fixture's in whitespace and key order, so every case
// also checks that formatting is not a change.
func edit(t testing.TB, data []byte, f func(e map[string]any)) []byte {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var e map[string]any
	if err := dec.Decode(&e); err != nil {
		t.Fatal(err)
	}
	if f != nil {
		f(e)
	}
	out, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// obj returns the object at path in e.
func obj(e map[string]any, path ...string) map[string]any {
	for _, k := range path {
		e = e[k].(map[string]any)
	}
	return e
}

// statements returns the statements of property p in e.
func statements(e map[string]any, p string) []any {
	return obj(e, "claims")[p].([]any)
}

// statement returns a new statement of property p with an item value.
func statement(p, item string) map[string]any {
	return map[string]any{
		"type": "statement", "rank": "normal", "id": "Q42$" + p + item,
		"mainsnak": map[string]any{"snaktype": "value", "property": p, "datatype": "wikibase-item",
			"datavalue": map[string]any{"type": "wikibase-entityid", "value": map[string]any{"entity-type": "item", "id": item}}},
	}
}

// aspectCase is one edit of the fixture and the aspects it changes.
type aspectCase struct {
	name string
	edit func(e map[string]any)
	opts Options
	want []string
}

func aspectCases() []aspectCase {
	return []aspectCase{
		{name: "formatting only", want: []string{}},
		{name: "revision fields", edit: func(e map[string]any) {
			e["lastrevid"], e["modified"] = 2254470002, "2024-10-05T00:00:00Z"
		}, want: []string{}},
		{name: "label changed", edit: func(e map[string]any) { obj(e, "labels", "en")["value"] = "Douglas N. Adams" }, want: []string{"L.en"}},
		{name: "label added", edit: func(e map[string]any) {
			obj(e, "labels")["es"] = map[string]any{"language": "es", "value": "Douglas Adams"}
		}, want: []string{"L.es"}},
		{name: "label removed", edit: func(e map[string]any) { delete(obj(e, "labels"), "fr") }, want: []string{"L.fr"}},
		{name: "labels in many languages", edit: addLabels(11), want: []string{"L"}},
		{name: "labels up to the limit", edit: addLabels(10), want: labelAspects(10)},
		{name: "labels without limit", edit: addLabels(11), opts: Options{MaxLabelLanguages: NoLimit}, want: labelAspects(11)},
		{name: "labels over a lower limit", edit: addLabels(3), opts: Options{MaxLabelLanguages: 2}, want: []string{"L"}},
		{name: "language code case", edit: func(e map[string]any) {
			obj(e, "labels")["de-CH"] = map[string]any{"language": "de-CH", "value": "Douglas Adams"}
		}, want: []string{"L.de-ch"}},
		{name: "description changed", edit: func(e map[string]any) { obj(e, "descriptions", "de")["value"] = "englischer Schriftsteller" },
			want: []string{"D.de"}},
		{name: "descriptions over the limit", edit: func(e map[string]any) {
			obj(e, "descriptions", "de")["value"] = "x"
			obj(e, "descriptions", "en")["value"] = "x"
		}, opts: Options{MaxDescriptionLanguages: 1}, want: []string{"D"}},
		{name: "alias added", edit: func(e map[string]any) {
			en := obj(e, "aliases")["en"].([]any)
			obj(e, "aliases")["en"] = append(en, map[string]any{"language": "en", "value": "Bop Ad"})
		}, want: []string{"O"}},
		{name: "aliases removed", edit: func(e map[string]any) { delete(e, "aliases") }, want: []string{"O"}},
		{name: "other sitelink retitled", edit: func(e map[string]any) { obj(e, "sitelinks", "dewiki")["title"] = "Douglas Noël Adams" },
			opts: Options{ClientSite: "enwiki"}, want: []string{"S"}},
		{name: "client sitelink retitled", edit: func(e map[string]any) { obj(e, "sitelinks", "enwiki")["title"] = "Douglas Noël Adams" },
			opts: Options{ClientSite: "enwiki"}, want: []string{"S", "T"}},
		{name: "client sitelink removed", edit: func(e map[string]any) { delete(obj(e, "sitelinks"), "enwiki") },
			opts: Options{ClientSite: "enwiki"}, want: []string{"S", "T"}},
		{name: "client sitelink added", edit: func(e map[string]any) {
			obj(e, "sitelinks")["eswiki"] = map[string]any{"site": "eswiki", "title": "Douglas Adams", "badges": []any{}}
		}, opts: Options{ClientSite: "eswiki"}, want: []string{"S", "T"}},
		{name: "client sitelink badges only", edit: func(e map[string]any) { obj(e, "sitelinks", "enwiki")["badges"] = []any{} },
			opts: Options{ClientSite: "enwiki"}, want: []string{"S"}},
		{name: "badges added", edit: func(e map[string]any) {
			obj(e, "sitelinks", "dewiki")["badges"] = []any{"Q17437796", "Q17437798"}
		}, opts: Options{}, want: []string{"S"}},
		{name: "sitelink url", edit: func(e map[string]any) {
			obj(e, "sitelinks", "enwiki")["url"] = "https://en.wikipedia.org/wiki/Douglas_Adams"
		}, opts: Options{ClientSite: "enwiki"}, want: []string{}},
		{name: "other sitelink retitled, all sites", edit: func(e map[string]any) { obj(e, "sitelinks", "dewiki")["title"] = "Douglas Noël Adams" },
			opts: Options{ClientSite: AllSites}, want: []string{"S", "T"}},
		{name: "sitelink added, all sites", edit: func(e map[string]any) {
			obj(e, "sitelinks")["eswiki"] = map[string]any{"site": "eswiki", "title": "Douglas Adams", "badges": []any{}}
		}, opts: Options{ClientSite: AllSites}, want: []string{"S", "T"}},
		{name: "badges only, all sites", edit: func(e map[string]any) { obj(e, "sitelinks", "enwiki")["badges"] = []any{} },
			opts: Options{ClientSite: AllSites}, want: []string{"S"}},
		{name: "sitelink retitled without a client site", edit: func(e map[string]any) { obj(e, "sitelinks", "enwiki")["title"] = "DNA" },
			want: []string{"S"}},
		{name: "statement value changed", edit: func(e map[string]any) {
			obj(statements(e, "P18")[0].(map[string]any), "mainsnak", "datavalue")["value"] = "Douglas Adams 2000.jpg"
		}, want: []string{"C.P18"}},
		{name: "statements reordered", edit: func(e map[string]any) { slices.Reverse(statements(e, "P106")) }, want: []string{"C.P106"}},
		{name: "rank changed", edit: func(e map[string]any) { statements(e, "P1082")[0].(map[string]any)["rank"] = "normal" },
			want: []string{"C.P1082"}},
		{name: "qualifier removed", edit: func(e map[string]any) {
			s := statements(e, "P106")[1].(map[string]any)
			delete(s, "qualifiers")
			delete(s, "qualifiers-order")
		}, want: []string{"C.P106"}},
		{name: "reference added", edit: func(e map[string]any) {
			s := statements(e, "P18")[0].(map[string]any)
			s["references"] = statements(e, "P31")[0].(map[string]any)["references"]
		}, want: []string{"C.P18"}},
		{name: "property added", edit: func(e map[string]any) { obj(e, "claims")["P800"] = []any{statement("P800", "Q25169")} },
			want: []string{"C.P800"}},
		{name: "property removed", edit: func(e map[string]any) { delete(obj(e, "claims"), "P569") }, want: []string{"C.P569"}},
		{name: "properties over the limit", edit: addProperties(51), want: []string{"C"}},
		{name: "properties up to the limit", edit: addProperties(50), want: propertyAspects(50)},
		{name: "numbers spelled differently", edit: func(e map[string]any) {
			v := obj(statements(e, "P569")[0].(map[string]any), "mainsnak", "datavalue", "value")
			v["precision"], v["timezone"] = json.Number("1.1e1"), json.Number("-0.0")
		}, want: []string{}},
		{name: "number changed", edit: func(e map[string]any) {
			obj(statements(e, "P569")[0].(map[string]any), "mainsnak", "datavalue", "value")["precision"] = json.Number("9")
		}, want: []string{"C.P569"}},
		{name: "empty map written as array", edit: func(e map[string]any) {
			obj(e, "sitelinks", "dewiki")["badges"] = nil
			statements(e, "P18")[0].(map[string]any)["qualifiers"] = []any{}
		}, want: []string{}},
		{name: "claims named statements", edit: func(e map[string]any) { e["statements"] = e["claims"]; delete(e, "claims") }, want: []string{}},
		{name: "type changed", edit: func(e map[string]any) { e["type"] = "property" }, want: []string{"O"}},
		{name: "unknown field", edit: func(e map[string]any) { e["lemmas"] = map[string]any{"en": "x"} }, want: []string{"O"}},
		{name: "several aspects", edit: func(e map[string]any) {
			obj(e, "labels", "en")["value"] = "DNA"
			obj(e, "sitelinks", "enwiki")["title"] = "DNA"
			statements(e, "P31")[0].(map[string]any)["rank"] = "preferred"
			obj(e, "aliases")["de"] = []any{map[string]any{"language": "de", "value": "DNA"}}
		}, opts: Options{ClientSite: "enwiki"}, want: []string{"C.P31", "L.en", "O", "S", "T"}},
	}
}

// addLabels returns an edit that adds labels in n languages.
func addLabels(n int) func(e map[string]any) {
	return func(e map[string]any) {
		for i := range n {
			lang := fmt.Sprintf("x%02d", i)
			obj(e, "labels")[lang] = map[string]any{"language": lang, "value": "Douglas Adams"}
		}
	}
}

// labelAspects returns the aspects of addLabels(n).
func labelAspects(n int) []string {
	var out []string
	for i := range n {
		out = append(out, fmt.Sprintf("L.x%02d", i))
	}
	return out
}

// addProperties returns an edit that adds statements of n properties.
func addProperties(n int) func(e map[string]any) {
	return func(e map[string]any) {
		for i := range n {
			p := fmt.Sprintf("P%d", 9000+i)
			obj(e, "claims")[p] = []any{statement(p, "Q5")}
		}
	}
}

// propertyAspects returns the aspects of addProperties(n), sorted.
func propertyAspects(n int) []string {
	var out []string
	for i := range n {
		out = append(out, fmt.Sprintf("C.P%d", 9000+i))
	}
	slices.Sort(out)
	return out
}

func TestChangedAspects(t *testing.T) {
	q42 := readQ42(t)
	for _, tc := range aspectCases() {
		t.Run(tc.name, func(t *testing.T) {
			next := edit(t, q42, tc.edit)
			got, err := ChangedAspects(q42, next, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.want) || got == nil {
				t.Errorf("ChangedAspects = %q, want %q", got, tc.want)
			}
			back, err := ChangedAspects(next, q42, tc.opts)
			if err != nil || !slices.Equal(back, got) {
				t.Errorf("reverse edit: %q, %v; want %q", back, err, got)
			}
		})
	}
}

func TestChangedAspectsLifecycle(t *testing.T) {
	q42 := readQ42(t)
	redirect := []byte(`{"entity": "Q42", "redirect": "Q5"}`)
	envelope := []byte(`{"entities": {"Q42": ` + string(q42) + `}}`)
	for _, tc := range []struct {
		name        string
		prior, next []byte
		want        []string
	}{
		{"created", nil, q42, []string{"X"}},
		{"created from whitespace", []byte(" \n"), q42, []string{"X"}},
		{"deleted", q42, []byte("null"), []string{"X"}},
		{"redirected", q42, redirect, []string{"X"}},
		{"redirect undone", redirect, q42, []string{"X"}},
		{"EntityData envelope", envelope, q42, []string{}},
		{"badges reordered", []byte(`{"id":"Q1","sitelinks":{"enwiki":{"title":"A","badges":["Q2","Q3"]}}}`),
			[]byte(`{"id":"Q1","sitelinks":{"enwiki":{"title":"A","badges":["Q3","Q2","Q3"]}}}`), []string{}},
		{"minimal entities", []byte(`{"id":"Q1","labels":[]}`), []byte(`{"id":"Q1","labels":{},"claims":[],"sitelinks":{}}`), []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ChangedAspects(tc.prior, tc.next, Options{ClientSite: "enwiki"})
			if err != nil || !slices.Equal(got, tc.want) {
				t.Errorf("ChangedAspects = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestChangedAspectsErrors(t *testing.T) {
	q42 := readQ42(t)
	for _, tc := range []struct {
		name        string
		prior, next string
		opts        Options
		want        error
		mention     string
	}{
		{name: "both empty", prior: "", next: " null ", want: ErrNoEntity},
		{name: "syntax", prior: string(q42), next: `{"id": "Q42", "labels": {`, want: ErrInvalidJSON, mention: "next"},
		{name: "trailing data", prior: `{"id":"Q1"} {}`, next: string(q42), want: ErrInvalidJSON, mention: "prior"},
		{name: "not an object", prior: string(q42), next: `[1, 2]`, want: ErrInvalidJSON, mention: "an array"},
		{name: "labels not an object", prior: string(q42), next: `{"id": "Q42", "labels": "Douglas Adams"}`, want: ErrInvalidJSON, mention: "labels"},
		{name: "bad language", prior: string(q42), next: `{"labels": {"en us": {"value": "x"}}}`, want: ErrInvalidJSON, mention: `"en us"`},
		{name: "bad property", prior: string(q42), next: `{"claims": {"X31": []}}`, want: ErrInvalidJSON, mention: "X31"},
		{name: "bad sitelink", prior: string(q42), next: `{"sitelinks": {"enwiki": {"title": 7}}}`, want: ErrInvalidJSON, mention: "enwiki"},
		{name: "bad id", prior: `{"id": 42}`, next: string(q42), want: ErrInvalidJSON, mention: "id"},
		{name: "claims and statements", prior: string(q42), next: `{"claims": {"P1": [{}]}, "statements": {"P2": [{}]}}`, want: ErrInvalidJSON},
		{name: "two entities in the envelope", prior: `{"entities": {"Q1": {}, "Q2": {}}}`, next: string(q42), want: ErrInvalidJSON, mention: "entities"},
		{name: "different entities", prior: `{"id": "Q1"}`, next: string(q42), want: ErrMismatch, mention: "Q1"},
		{name: "bad limit", prior: string(q42), next: string(q42), opts: Options{MaxProperties: -2}, want: ErrBadOptions},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ChangedAspects([]byte(tc.prior), []byte(tc.next), tc.opts)
			if !errors.Is(err, tc.want) {
				t.Fatalf("ChangedAspects = %q, %v; want %v", got, err, tc.want)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, "entity: ") || !strings.Contains(msg, tc.mention) {
				t.Errorf("error %q: want the entity: prefix and %q", msg, tc.mention)
			}
		})
	}
}

func TestEqualNumbers(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"1", "1", true}, {"1", "1.0", true}, {"1", "1e0", true}, {"1", "10E-1", true}, {"100", "1e2", true},
		{"0", "-0", true}, {"0", "0.000e5", true}, {"-1.5", "-15e-1", true}, {"0.1", "1e-1", true},
		{"9007199254740993", "9007199254740992", false}, {"1", "-1", false}, {"1", "1.0000000001", false},
		{"1e999999999999", "1e999999999999", true}, {"1e999999999999", "1e+999999999999", false},
	} {
		if got := equalNumbers(tc.a, tc.b); got != tc.want {
			t.Errorf("equalNumbers(%s, %s) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

// BenchmarkChangedAspects compares the fixture with a reformatted edit of
// one label, the common case of a Wikidata edit.
func BenchmarkChangedAspects(b *testing.B) {
	q42 := readQ42(b)
	next := edit(b, q42, func(e map[string]any) { obj(e, "labels", "en")["value"] = "Douglas N. Adams" })
	b.SetBytes(int64(len(q42) + len(next)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ChangedAspects(q42, next, Options{ClientSite: "enwiki"}); err != nil {
			b.Fatal(err)
		}
	}
}
