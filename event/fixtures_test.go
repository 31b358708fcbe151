package event

import (
	"bytes"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// fixtureRepos are the Wikimedia schema trees in testdata/wmf. Each is opened
// with schemas-event-primary behind it, because the secondary repository
// $refs the primary's fragments as Wikimedia's tooling does.
var fixtureRepos = []string{
	"schemas-event-primary",
	"schemas-event-secondary",
	filepath.Join("eventgate", "test", "schemas"),
}

// TestFixtureSchemasCompile compiles every materialized version and every
// current.yaml of the fixture repositories, and validates every example the
// versioned files carry.
func TestFixtureSchemasCompile(t *testing.T) {
	for _, dir := range fixtureRepos {
		t.Run(dir, func(t *testing.T) {
			own := openRepo(t, wmf(t, dir)) // what this tree holds
			r := openFixtureRepo(t, dir)    // and what it may $ref
			var schemas, currents, examples int
			for _, uri := range own.URIs() {
				s, err := r.Schema(uri)
				if err != nil {
					t.Errorf("%s: %v", uri, err)
					continue
				}
				schemas++
				examples += validateExamples(t, r, s)
			}
			for _, title := range own.Titles() {
				uri := "/" + title + "/current"
				if !own.HasCurrent(title) {
					continue
				}
				if _, err := r.Schema(uri); err != nil {
					t.Errorf("%s: %v", uri, err)
					continue
				}
				currents++
			}
			t.Logf("%s: %d versioned schemas compiled, %d current.yaml compiled, %d examples valid", dir, schemas, currents, examples)
			if schemas == 0 {
				t.Error("no schemas compiled")
			}
		})
	}
}

// TestPageRerenderCurrent: page_rerender's current.yaml $refs
// /fragment/cirrussearch/index/1.0.0 (testdata/wmf holds it, see
// testdata/SOURCES.md); it compiles, accepts the examples of its released
// 1.0.0, and requires the fields the fragment brings.
func TestPageRerenderCurrent(t *testing.T) {
	r := openRepo(t, wmf(t, "schemas-event-primary"))
	current, err := r.Schema("/mediawiki/cirrussearch/page_rerender/current")
	if err != nil {
		t.Fatal(err)
	}
	exs, err := r.Examples("/mediawiki/cirrussearch/page_rerender/1.0.0")
	if err != nil || len(exs) == 0 {
		t.Fatalf("1.0.0 examples: %d, %v", len(exs), err)
	}
	for i, ex := range exs {
		if err := current.Validate(ex); err != nil {
			t.Errorf("1.0.0 example %d against current: %v", i, err)
		}
		ev := decodeObject(t, ex)
		delete(ev, "cirrussearch_index_name")
		got := asValidationError(t, current.Validate(encode(t, ev))).Violations
		if !slices.ContainsFunc(got, func(v Violation) bool { return v.Path == "/cirrussearch_index_name" && v.Rule == "required" }) {
			t.Errorf("example %d without cirrussearch_index_name: %v, want it required", i, got)
		}
	}
}

// openFixtureRepo opens a fixture tree with the primary repository behind it.
func openFixtureRepo(t testing.TB, dir string) *Repository {
	return openRepo(t, wmf(t, dir), wmf(t, "schemas-event-primary"))
}

// validateExamples validates the examples of s and returns how many passed.
func validateExamples(t *testing.T, r *Repository, s *Schema) int {
	t.Helper()
	exs, err := r.Examples(s.URI())
	if err != nil {
		t.Errorf("%s: %v", s.URI(), err)
		return 0
	}
	n := 0
	for i, ex := range exs {
		if err := s.Validate(ex); err != nil {
			t.Errorf("%s example %d: %v", s.URI(), i, err)
			continue
		}
		n++
	}
	return n
}

// TestExtractedExamplesValidate validates the JSON files under
// testdata/wmf/examples/<repo>/<title>/<version>.examples.json against the
// schema they were extracted from.
func TestExtractedExamplesValidate(t *testing.T) {
	for _, repo := range []string{"schemas-event-primary", "schemas-event-secondary"} {
		r := openFixtureRepo(t, repo)
		root := wmf(t, "examples", repo)
		n := 0
		for _, file := range jsonFiles(t, root) {
			rel, _ := filepath.Rel(root, file)
			uri := "/" + strings.TrimSuffix(filepath.ToSlash(rel), ".examples.json")
			s, err := r.Schema(uri)
			if err != nil {
				t.Errorf("%s: %v", rel, err)
				continue
			}
			var list []map[string]any
			decodeInto(t, readFixture(t, file), &list)
			for i, ex := range list {
				if err := s.Validate(encode(t, ex)); err != nil {
					t.Errorf("%s example %d: %v", rel, i, err)
					continue
				}
				n++
			}
		}
		t.Logf("%s: %d extracted examples valid", repo, n)
	}
}

// TestCapturedPageChangeEvents decodes and validates the mediawiki.page_change.v1
// events captured on test.wikidata.org (wikidata-query-rdf test resources).
func TestCapturedPageChangeEvents(t *testing.T) {
	r := openRepo(t, wmf(t, "schemas-event-primary"))
	dir := wmf(t, "wikidata-query-rdf", "streaming-updater-producer", "src", "test", "resources", "page_change_events")
	files := jsonFiles(t, dir)
	if len(files) == 0 {
		t.Fatal("no captured page_change events")
	}
	for _, file := range files {
		data := readFixture(t, file)
		env, err := PeekEnvelope(data)
		if err != nil {
			t.Errorf("%s: %v", file, err)
			continue
		}
		if env.SchemaTitle() != "mediawiki/page/change" || env.Meta.Stream != "mediawiki.page_change.v1" || env.Meta.DT.IsZero() || env.DT.IsZero() {
			t.Errorf("%s: envelope %+v", file, env)
		}
		if err := r.Validate(data); err != nil {
			t.Errorf("%s: %v", file, err)
		}
	}
	t.Logf("%d captured page_change events decoded and valid", len(files))
}

// TestOtherCapturedEvents checks the other event fixtures: those with a known
// schema validate; the rest fail in the way a job would route them.
func TestOtherCapturedEvents(t *testing.T) {
	primary := wmf(t, "schemas-event-primary")
	tests := []struct {
		repo   []string
		file   []string
		ndjson bool
		want   string // "" valid, else "invalid", "no-schema" or "unknown-schema"
	}{
		{[]string{wmf(t, "eventgate", "test", "schemas")}, []string{"eventgate", "test", "test_event_0.0.2.json"}, false, ""},
		{[]string{wmf(t, "schemas-event-secondary"), primary}, []string{"wikidata-query-rdf", "streaming-updater-producer", "src", "test", "resources", "reconciliation_events"}, false, ""},
		// Pre-2019 EventBus events without $schema.
		{[]string{primary}, []string{"wikidata-query-rdf", "tools", "src", "test", "resources", "org", "wikidata", "query", "rdf", "tool", "change", "events"}, false, "no-schema"},
		// WDQS updater output streams; their schemas are not in testdata/wmf.
		{[]string{primary}, []string{"wikidata-query-rdf", "streaming-updater-common", "src", "test", "resources", "org", "wikidata", "query", "rdf", "updater"}, false, "unknown-schema"},
	}
	for _, tt := range tests {
		r := openRepo(t, tt.repo...)
		for _, ev := range fixtureEvents(t, wmf(t, tt.file...), tt.ndjson) {
			checkRouted(t, r, ev, tt.want)
		}
	}
}

// fixtureEvents returns the events in a file (or the .json files under a
// directory); ndjson files hold one event a line.
func fixtureEvents(t *testing.T, p string, ndjson bool) [][]byte {
	t.Helper()
	files := []string{p}
	if !strings.HasSuffix(p, ".json") {
		files = jsonFiles(t, p)
	}
	var out [][]byte
	for _, f := range files {
		data := readFixture(t, f)
		if !ndjson {
			out = append(out, data)
			continue
		}
		for line := range bytes.Lines(data) {
			if len(bytes.TrimSpace(line)) > 0 {
				out = append(out, line)
			}
		}
	}
	if len(out) == 0 {
		t.Fatalf("no events in %s", p)
	}
	return out
}

// checkRouted validates ev and checks the outcome is the wanted one.
func checkRouted(t *testing.T, r *Repository, ev []byte, want string) {
	t.Helper()
	err := r.Validate(ev)
	var ve *ValidationError
	switch want {
	case "":
		if err != nil {
			t.Errorf("%.80s: %v", ev, err)
		}
	case "no-schema":
		if !errors.As(err, &ve) || ve.Path != "/$schema" || ve.Rule != "required" {
			t.Errorf("%.80s: got %v, want missing $schema", ev, err)
		}
	case "unknown-schema":
		if !errors.Is(err, ErrSchemaNotFound) {
			t.Errorf("%.80s: got %v, want ErrSchemaNotFound", ev, err)
		}
	}
}
