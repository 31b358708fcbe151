package event

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestMaterializeRepository materializes a copy of schemas-event-primary:
// nothing is written while every version is up to date; a deleted version
// is written again (as the repository's config asks: YAML only, with the
// X.Y.Z and latest symlinks) and passes the check; a current.yaml edited
// under a released version is refused, and written with Overwrite.
func TestMaterializeRepository(t *testing.T) {
	dir := copyRepo(t, "schemas-event-primary")
	ms, err := MaterializeRepository(dir, MaterializeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) < 30 {
		t.Fatalf("%d current.yaml materialized, want 30 or more", len(ms))
	}
	for _, m := range ms {
		if len(m.Written) > 0 {
			t.Errorf("/%s/%s is up to date, yet %v were written", m.Title, m.Version, m.Written)
		}
	}

	// Delete a released version and materialize it again.
	title := filepath.Join(dir, "jsonschema", "resource_change")
	orig := readFixture(t, filepath.Join(title, "1.0.0.yaml"))
	if err := os.Remove(filepath.Join(title, "1.0.0.yaml")); err != nil {
		t.Fatal(err)
	}
	ms, _ = MaterializeRepository(dir, MaterializeOptions{})
	i := slices.IndexFunc(ms, func(m Materialized) bool { return m.Title == "resource_change" })
	want := []string{"resource_change/1.0.0.yaml", "resource_change/1.0.0", "resource_change/latest.yaml", "resource_change/latest"}
	if i < 0 || !slices.Equal(ms[i].Written, want) {
		t.Fatalf("resource_change: got %+v, want %v written", ms, want)
	}
	if !sameMaterialized(decodeObject(t, encode(t, parseYAMLMust(t, orig))), decodeObject(t, encode(t, parseYAMLMust(t, readFixture(t, filepath.Join(title, "1.0.0.yaml")))))) {
		t.Errorf("the rewritten 1.0.0.yaml differs from the one jsonschema-tools wrote")
	}
	for _, link := range []string{"1.0.0", "latest", "latest.yaml"} {
		if target, err := os.Readlink(filepath.Join(title, link)); err != nil || target != "1.0.0.yaml" {
			t.Errorf("%s -> %q (%v), want -> 1.0.0.yaml", link, target, err)
		}
	}
	rep, err := CheckRepository(dir, CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := rep.Problems; len(got) > 0 {
		t.Errorf("after materializing: %v", got)
	}

	// Edit current.yaml under its released version.
	cur := filepath.Join(title, "current.yaml")
	data := string(readFixture(t, cur))
	writeFile(t, cur, strings.Replace(data, "      tags:\n", "      origin:\n        type: string\n      tags:\n", 1))
	_, err = MaterializeRepository(dir, MaterializeOptions{})
	if !errors.Is(err, ErrNotMaterialized) || !strings.Contains(err.Error(), "/resource_change/1.0.0") || !strings.Contains(err.Error(), "bump the version") {
		t.Fatalf("got %v, want ErrNotMaterialized naming /resource_change/1.0.0 and what to do", err)
	}
	if _, err := MaterializeRepository(dir, MaterializeOptions{Overwrite: true}); err != nil && errors.Is(err, ErrNotMaterialized) {
		t.Fatal(err)
	}
	if !strings.Contains(string(readFixture(t, filepath.Join(title, "1.0.0.yaml"))), "origin:") {
		t.Error("Overwrite did not rewrite 1.0.0.yaml")
	}
}

// TestMaterializeJSONAndBounds: a repository without a config gets
// jsonschema-tools' defaults (YAML and JSON, safe-integer bounds); a
// config can turn the bounds off.
func TestMaterializeJSONAndBounds(t *testing.T) {
	dir := copyRepo(t, "schemas-event-primary")
	if err := os.Remove(filepath.Join(dir, RepoConfigFile)); err != nil {
		t.Fatal(err)
	}
	title := filepath.Join(dir, "jsonschema", "change-prop", "retry")
	writeFile(t, filepath.Join(title, "current.yaml"), strings.Replace(string(readFixture(t, filepath.Join(title, "current.yaml"))), "/change-prop/retry/1.0.0", "/change-prop/retry/1.1.0", 1))
	if _, err := MaterializeRepository(dir, MaterializeOptions{}); err != nil && errors.Is(err, ErrNotMaterialized) {
		t.Fatal(err)
	}
	js := readFixture(t, filepath.Join(title, "1.1.0.json"))
	yml := readFixture(t, filepath.Join(title, "1.1.0.yaml"))
	if !strings.Contains(string(js), `"maximum": 9007199254740991`) || !strings.Contains(string(js), `"$id": "/change-prop/retry/1.1.0"`) {
		t.Errorf("1.1.0.json lacks the bounds or the $id:\n%.400s", js)
	}
	if !sameMaterialized(decodeObject(t, js), decodeObject(t, encode(t, parseYAMLMust(t, yml)))) {
		t.Error("1.1.0.json and 1.1.0.yaml differ")
	}
	if target, _ := os.Readlink(filepath.Join(title, "latest.json")); target != "1.1.0.json" {
		t.Errorf("latest.json -> %q", target)
	}

	writeFile(t, filepath.Join(dir, RepoConfigFile), "contentTypes: [json]\nenforcedNumericBounds: false\nshouldSymlinkLatest: false\n")
	if _, err := MaterializeRepository(dir, MaterializeOptions{Overwrite: true}); err != nil && errors.Is(err, ErrNotMaterialized) {
		t.Fatal(err)
	}
	if js := readFixture(t, filepath.Join(title, "1.1.0.json")); strings.Contains(string(js), "9007199254740991") {
		t.Errorf("enforcedNumericBounds: false, yet bounds were written:\n%.400s", js)
	}
}

// TestRepoConfigRefusesNonsense: a config that cannot be followed is an
// error that names the key.
func TestRepoConfigRefusesNonsense(t *testing.T) {
	for cfg, want := range map[string]string{
		"contentTypes: [xml]\n":                    `"xml" is neither yaml nor json`,
		"enforcedNumericBounds: [1]\n":             "enforcedNumericBounds",
		"shouldSymlinkLatest: maybe\n":             "shouldSymlinkLatest",
		"skipSchemaTestCases:\n  '(': [a]\n":       "skipSchemaTestCases",
		"skipSchemaTestCases: [schema-is-valid]\n": "skipSchemaTestCases",
	} {
		dir := t.TempDir()
		writeFile(t, filepath.Join(dir, RepoConfigFile), cfg)
		if _, err := ReadRepoConfig(dir); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got %v, want an error about %s", cfg, err, want)
		}
	}
}

// TestYAMLSlashEscape: js-yaml, which wrote Wikimedia's schemas, reads the
// JSON escape \/ in a double-quoted scalar as /; so does parseYAML, and
// only there (page_rerender's current.yaml has one).
func TestYAMLSlashEscape(t *testing.T) {
	for in, want := range map[string]string{
		`a: "https:\/\/x.org\/wiki"`:               "https://x.org/wiki",
		"a: 'single \\/ kept' # \"\\/\n":           `single \/ kept`,
		"a: plain \\/ kept\nb: \"\\/\"":            `plain \/ kept`,
		"a: \"it''s \\/\"":                         "it''s /",
		"# \"a comment \\/\na: [\"x\\/\", 'y\\/']": "x/",
	} {
		v, err := parseYAML([]byte(in))
		if err != nil {
			t.Errorf("%q: %v", in, err)
			continue
		}
		got := v.(map[string]any)["a"]
		if l, ok := got.([]any); ok {
			got = l[0]
			if l[1] != `y\/` {
				t.Errorf("%q: single-quoted %q changed", in, l[1])
			}
		}
		if got != want {
			t.Errorf("%q: a = %q, want %q", in, got, want)
		}
	}
	if _, err := parseYAML([]byte(`a: "bad \q"`)); err == nil {
		t.Error(`"\q" parsed`)
	}
	doc := decodeObject(t, encode(t, parseYAMLMust(t, readFixture(t, wmf(t, "schemas-event-primary", "jsonschema", "mediawiki", "cirrussearch", "page_rerender", "current.yaml")))))
	if uri := doc["examples"].([]any)[0].(map[string]any)["meta"].(map[string]any)["uri"]; uri != "https://myserver.unittest.local/wiki/MyPage" {
		t.Errorf("page_rerender's example uri = %q", uri)
	}
}

// TestLocaleCompare: keys sort as JavaScript's localeCompare sorts them in
// Node (ICU root collation), which jsonschema-tools' JSON and YAML follow.
func TestLocaleCompare(t *testing.T) {
	// Each list is in Node's order: [...].sort((a, b) => a.localeCompare(b)).
	for _, sorted := range [][]string{
		{"maximum", "minimum", "minLength"},
		{"_a", "$a", "1a", "a", "A", "a_b", "ab", "aB", "b"},
		{"account", "article", "From where did user enter Talk Page", "talk_page"},
		{"a b", "a_b", "a-b", "a1", "ab"},
	} {
		got := slices.Clone(sorted)
		slices.Reverse(got)
		slices.SortStableFunc(got, localeCompare)
		if !slices.Equal(got, sorted) {
			t.Errorf("sorted %v, want %v", got, sorted)
		}
	}
}

// TestJSNumber: numbers as JavaScript prints them.
func TestJSNumber(t *testing.T) {
	for in, want := range map[string]string{
		"1.0": "1", "0.50": "0.5", "1e3": "1000", "-0.0": "0", "9007199254740991": "9007199254740991",
		"1e21": "1e+21", "1.5e-7": "1.5e-7", "0.000001": "0.000001", "-2.5E+22": "-2.5e+22",
	} {
		if got := jsNumber(json.Number(in)); string(got) != want {
			t.Errorf("jsNumber(%s) = %s, want %s", in, got, want)
		}
	}
}
