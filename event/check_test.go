package event

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestCheckWikimediaRepositories checks the Wikimedia schema repositories
// of testdata/wmf: every committed version and current.yaml passes, as it
// passed jsonschema-tools in Wikimedia's CI, with no problem at all; the
// only checks not run are the two exceptions primary's .jsonschema-tools.yaml
// declares (T367923: page change 1.2.0 made performer optional), each named
// here and reported as skipped.
func TestCheckWikimediaRepositories(t *testing.T) {
	for _, tt := range []struct {
		dir      string
		bases    []string
		schemas  int      // files checked, at least
		checked  []string // schema files that must be among them
		compared []string
		skipped  []string
	}{
		{
			dir: "schemas-event-primary", schemas: 90,
			// page_rerender's current.yaml $refs fragment/cirrussearch/index.
			checked:  []string{"/mediawiki/cirrussearch/page_rerender/current", "/fragment/cirrussearch/index/current", "/fragment/cirrussearch/index/1.0.0"},
			compared: []string{"/error/2.0.0 -> 2.1.0", "/mediawiki/revision/create/1.1.0 -> 1.2.0", "/mediawiki/page/change/1.1.0 -> 1.2.0", "/fragment/common/1.0.0 -> 1.1.0"},
			skipped:  []string{"/mediawiki/page/change/1.2.0", "/fragment/mediawiki/state/change/page/1.2.0"},
		},
		{
			dir: "schemas-event-secondary", bases: []string{wmf(t, "schemas-event-primary")}, schemas: 20,
			compared: []string{"/rdf_streaming_updater/fetch_failure/1.1.0 -> 1.2.0", "/rdf_streaming_updater/lapsed_action/1.0.0 -> 1.1.0"},
		},
	} {
		t.Run(tt.dir, func(t *testing.T) {
			rep, err := CheckRepository(wmf(t, tt.dir), CheckOptions{Bases: tt.bases})
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range rep.Problems {
				t.Errorf("problem: %s", p)
			}
			if !rep.OK() {
				t.Errorf("%d problems, want none", len(rep.Problems))
			}
			if len(rep.Schemas) < tt.schemas {
				t.Errorf("%d schema files checked, want %d or more", len(rep.Schemas), tt.schemas)
			}
			for _, s := range tt.checked {
				if !slices.Contains(rep.Schemas, s) {
					t.Errorf("%s not checked; checked %v", s, rep.Schemas)
				}
			}
			if len(rep.Compared) == 0 {
				t.Error("no version pairs compared")
			}
			for _, c := range tt.compared {
				if !slices.Contains(rep.Compared, c) {
					t.Errorf("%s not compared; compared %v", c, rep.Compared)
				}
			}
			var skipped []string
			for _, s := range rep.Skipped {
				if s.Check != CheckCompatibility || !strings.Contains(s.Reason, RepoConfigFile) {
					t.Errorf("skipped %+v", s)
				}
				skipped = append(skipped, s.URI)
			}
			slices.Sort(skipped)
			slices.Sort(tt.skipped)
			if !slices.Equal(skipped, tt.skipped) {
				t.Errorf("skipped %v, want %v", skipped, tt.skipped)
			}
			t.Logf("%d schema files, %d version pairs compared, %d checks skipped", len(rep.Schemas), len(rep.Compared), len(rep.Skipped))
		})
	}
}

// TestCheckWithoutTheSkipFindsT367923: with primary's skip list emptied,
// the check finds the break Wikimedia knowingly released in page change
// 1.2.0, naming the schema, version and field.
func TestCheckWithoutTheSkipFindsT367923(t *testing.T) {
	dir := copyRepo(t, "schemas-event-primary")
	if err := os.Remove(filepath.Join(dir, RepoConfigFile)); err != nil {
		t.Fatal(err)
	}
	rep, err := CheckRepository(dir, CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got := problemKeys(rep, CheckCompatibility)
	want := []string{"/fragment/mediawiki/state/change/page/1.2.0 performer", "/mediawiki/page/change/1.2.0 performer"}
	if !slices.Equal(got, want) {
		t.Errorf("compatibility problems %v, want %v", got, want)
	}
	for _, p := range rep.Problems {
		if p.Check == CheckCompatibility && (!strings.Contains(p.Message, "no longer required since 1.1.0") || !strings.Contains(p.Fix, "major version")) {
			t.Errorf("message does not say what changed and what to do: %s", p)
		}
	}
}

// TestCheckFindsBreakingChanges breaks a released version of a real schema
// (mediawiki/revision/create 1.2.0, whose 1.1.0 came before it) in each way
// the check must catch, and wants exactly the problems named by version,
// field and check.
func TestCheckFindsBreakingChanges(t *testing.T) {
	const file = "mediawiki/revision/create/1.2.0.yaml"
	props := func(s map[string]any) map[string]any { return s["properties"].(map[string]any) }
	for _, tt := range []struct {
		name    string
		edit    func(s map[string]any)
		want    []string // "/<title>/<version> <field> <check>"
		message string   // part of the first problem's message
	}{
		{
			name: "field removed",
			edit: func(s map[string]any) {
				delete(props(s), "page_title")
				s["required"] = slices.DeleteFunc(s["required"].([]any), func(v any) bool { return v == "page_title" })
			},
			want:    []string{"/mediawiki/revision/create/1.2.0 page_title " + CheckCompatibility},
			message: "the field was removed since 1.1.0",
		},
		{
			name:    "type changed",
			edit:    func(s map[string]any) { props(s)["page_id"].(map[string]any)["type"] = "string" },
			want:    []string{"/mediawiki/revision/create/1.2.0 page_id " + CheckCompatibility},
			message: "type changed from integer to string",
		},
		{
			name: "new required field",
			edit: func(s map[string]any) {
				props(s)["rev_origin"] = map[string]any{"type": "string"}
				s["required"] = append(s["required"].([]any), "rev_origin")
			},
			want:    []string{"/mediawiki/revision/create/1.2.0 rev_origin " + CheckCompatibility},
			message: "a new field is required",
		},
		{
			name:    "optional field made required",
			edit:    func(s map[string]any) { s["required"] = append(s["required"].([]any), "comment") },
			want:    []string{"/mediawiki/revision/create/1.2.0 comment " + CheckCompatibility},
			message: "the field became required",
		},
		{
			name: "enum narrowed",
			edit: func(s map[string]any) {
				method := props(props(s)["rev_revert_details"].(map[string]any))["rev_revert_method"].(map[string]any)
				method["enum"] = []any{"rollback", "undo"}
			},
			want:    []string{"/mediawiki/revision/create/1.2.0 rev_revert_details.rev_revert_method " + CheckCompatibility},
			message: "enum no longer allows [manual]",
		},
		{
			name:    "enum added to a free field",
			edit:    func(s map[string]any) { props(s)["database"].(map[string]any)["enum"] = []any{"enwiki"} },
			want:    []string{"/mediawiki/revision/create/1.2.0 database " + CheckCompatibility},
			message: "enum [enwiki] was added",
		},
		{
			name:    "bad $id",
			edit:    func(s map[string]any) { s["$id"] = "/mediawiki/revision/create/1.3.0" },
			want:    []string{"/mediawiki/revision/create/1.2.0  " + CheckID},
			message: `want "/mediawiki/revision/create/1.2.0"`,
		},
		{
			name: "camelCase names",
			edit: func(s map[string]any) {
				props(s)["revSha1Base36"] = map[string]any{"type": "string"}
				meta := props(props(s)["meta"].(map[string]any))
				meta["streamName"] = map[string]any{"type": "string"}
			},
			want: []string{
				"/mediawiki/revision/create/1.2.0 meta.streamName " + CheckSnakeCase,
				"/mediawiki/revision/create/1.2.0 revSha1Base36 " + CheckSnakeCase,
			},
			message: "property name is not snake_case",
		},
		{
			name:    "no title",
			edit:    func(s map[string]any) { delete(s, "title") },
			want:    []string{"/mediawiki/revision/create/1.2.0  " + CheckTitle},
			message: "no title",
		},
		{
			name: "meta not required",
			edit: func(s map[string]any) {
				s["required"] = slices.DeleteFunc(s["required"].([]any), func(v any) bool { return v == "meta" })
			},
			want: []string{
				"/mediawiki/revision/create/1.2.0 meta " + CheckEnvelope,
				"/mediawiki/revision/create/1.2.0 meta " + CheckCompatibility,
			},
			message: "required",
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := copyRepo(t, "schemas-event-primary")
			editSchema(t, filepath.Join(dir, "jsonschema", file), tt.edit)
			rep, err := CheckRepository(dir, CheckOptions{})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range rep.Problems {
				got = append(got, "/"+p.Title+"/"+p.Version+" "+p.Field+" "+p.Check)
			}
			slices.Sort(got)
			slices.Sort(tt.want)
			if !slices.Equal(got, tt.want) {
				t.Fatalf("problems %v, want %v", got, tt.want)
			}
			if p := rep.Problems[0]; !strings.Contains(p.Message, tt.message) || p.Fix == "" {
				t.Errorf("problem %q: want a message with %q and a fix", p, tt.message)
			}
		})
	}
}

// TestCheckCurrent: a current.yaml changed without a new version, and one
// given a new version that removes a field and is not materialized yet.
func TestCheckCurrent(t *testing.T) {
	const stack = "      stack:\n        type: string\n        description: stack trace of the error (optional)\n"
	const bump = "$id: /error/2.1.0\n"
	for _, tt := range []struct {
		name  string
		edits [][2]string // old text, new text
		want  []string
	}{
		{
			name:  "edited, same version",
			edits: [][2]string{{stack, ""}},
			want:  []string{"/error/current  " + CheckMaterialized},
		},
		{
			name:  "new version removes a field",
			edits: [][2]string{{bump, "$id: /error/2.2.0\n"}, {stack, ""}},
			want:  []string{"/error/current  " + CheckMaterialized, "/error/current stack " + CheckCompatibility},
		},
		{
			name:  "new version adds an optional field",
			edits: [][2]string{{bump, "$id: /error/2.2.0\n"}, {stack, stack + "      error_code:\n        type: string\n"}},
			want:  []string{"/error/current  " + CheckMaterialized},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := copyRepo(t, "schemas-event-primary")
			name := filepath.Join(dir, "jsonschema", "error", "current.yaml")
			data := string(readFixture(t, name))
			for _, e := range tt.edits {
				if !strings.Contains(data, e[0]) {
					t.Fatalf("%s does not hold %q", name, e[0])
				}
				data = strings.Replace(data, e[0], e[1], 1)
			}
			writeFile(t, name, data)
			rep, err := CheckRepository(dir, CheckOptions{})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range rep.Problems {
				got = append(got, "/"+p.Title+"/"+p.Version+" "+p.Field+" "+p.Check)
			}
			slices.Sort(got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("problems %v, want %v", got, tt.want)
			}
			for _, p := range rep.Problems {
				if p.Check == CheckMaterialized && !strings.Contains(p.Fix, "ripple schema materialize") {
					t.Errorf("%s: the fix does not name the command", p)
				}
			}
		})
	}
}

// problemKeys returns "<uri> <field>" of the problems of one check, sorted.
func problemKeys(rep *CheckReport, check string) []string {
	var out []string
	for _, p := range rep.Problems {
		if p.Check == check {
			out = append(out, "/"+p.Title+"/"+p.Version+" "+p.Field)
		}
	}
	slices.Sort(out)
	return out
}

// copyRepo copies a repository of testdata/wmf into a temporary directory.
func copyRepo(t *testing.T, name string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), name)
	if err := os.CopyFS(dst, os.DirFS(wmf(t, name))); err != nil {
		t.Fatal(err)
	}
	return dst
}

// editSchema rewrites a schema file after edit changed it.
func editSchema(t *testing.T, name string, edit func(map[string]any)) {
	t.Helper()
	doc := decodeObject(t, encode(t, parseYAMLMust(t, readFixture(t, name))))
	edit(doc)
	b, err := EncodeSchema(doc, "yaml")
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, name, string(b))
}

// parseYAMLMust parses YAML or fails the test.
func parseYAMLMust(t *testing.T, data []byte) any {
	t.Helper()
	v, err := parseYAML(data)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// writeFile writes a file or fails the test.
func writeFile(t *testing.T, name, data string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}
