//go:build integration

package event

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// jsonschemaTools is the script that installs (once, cached under
// ~/.cache/ripple/npm) and runs Wikimedia's @wikimedia/jsonschema-tools.
var jsonschemaTools = filepath.Join("..", "deploy", "local", "jsonschema-tools")

// TestIntegrationMaterializeLikeJSONSchemaTools materializes every
// current.yaml of the Wikimedia fixture repositories with jsonschema-tools
// 1.3.0 and with Repository.Materialize, and requires the two to be equal
// as JSON (key order and number spelling aside), EncodeSchema's JSON to be
// byte for byte jsonschema-tools' and its YAML to parse to the same value. jsonschema-tools runs with
// its defaults (safe-integer bounds, no generated examples: ripple
// generates none) on a copy of each tree, with the extensionless X.Y.Z
// symlinks its $ref resolution reads (the fixtures hold X.Y.Z.yaml only).
func TestIntegrationMaterializeLikeJSONSchemaTools(t *testing.T) {
	work := t.TempDir()
	var bases []string    // the trees a tree may $ref, as schema base URIs
	var compared []string // "<dir> /<title>" of each current.yaml compared
	for _, dir := range []string{"schemas-event-primary", "schemas-event-secondary"} {
		// jsonschema-tools writes X.Y.Z.json beside each current.yaml of tree,
		// and X.Y.Z.yaml beside each of yamlTree: there it overwrites the
		// fixtures' version files, so its $refs read tree's.
		tree := filepath.Join(work, "json", dir, "jsonschema")
		yamlTree := filepath.Join(work, "yaml", dir, "jsonschema")
		copyTree(t, wmf(t, dir, "jsonschema"), tree)
		copyTree(t, wmf(t, dir, "jsonschema"), yamlTree)
		bases = append([]string{tree}, bases...)
		own := openRepo(t, wmf(t, dir))
		r := openFixtureRepo(t, dir)
		var titles, paths, yamlPaths []string
		for _, title := range own.Titles() {
			if !own.HasCurrent(title) {
				continue
			}
			titles = append(titles, title)
			paths = append(paths, filepath.Join(tree, filepath.FromSlash(title), "current.yaml"))
			yamlPaths = append(yamlPaths, filepath.Join(yamlTree, filepath.FromSlash(title), "current.yaml"))
		}
		runJSONSchemaTools(t, work, "json", bases, paths)
		runJSONSchemaTools(t, work, "yaml", bases, yamlPaths)
		for _, title := range titles {
			version, got, err := r.Materialize(title, DefaultRepoConfig().NumericBounds)
			if err != nil {
				t.Errorf("%s /%s: %v", dir, title, err)
				continue
			}
			file := filepath.Join(tree, filepath.FromSlash(title), version+".json")
			want := readJSONFile(t, file)
			var diffs []string
			jsonDiff("", want, normalJSON(t, got), &diffs)
			for _, d := range diffs {
				t.Errorf("%s /%s/%s: ripple's materialization differs from jsonschema-tools': %s", dir, title, version, d)
			}
			if b, err := EncodeSchema(got, "json"); err != nil || string(b) != string(readFixture(t, file)) {
				t.Errorf("%s /%s/%s: EncodeSchema's JSON (%v) is not byte for byte jsonschema-tools':\n%s", dir, title, version, err, firstDiff(b, readFixture(t, file)))
			}
			// js-yaml quotes and folds differently; the YAML must mean the same.
			yfile := filepath.Join(yamlTree, filepath.FromSlash(title), version+".yaml")
			diffs = nil
			jsonDiff("", normalJSON(t, parseYAMLFile(t, readFixture(t, yfile))), normalJSON(t, parseYAMLFile(t, must(EncodeSchema(got, "yaml")))), &diffs)
			for _, d := range diffs {
				t.Errorf("%s /%s/%s: ripple's YAML differs from jsonschema-tools': %s", dir, title, version, d)
			}
			compared = append(compared, dir+" /"+title)
		}
		t.Logf("%s: %d current.yaml materialized by both: %s", dir, len(titles), strings.Join(titles, ", "))
	}
	if len(compared) < 39 {
		t.Errorf("only %d schemas compared; testdata/wmf holds 39 current.yaml", len(compared))
	}
	// page_rerender's current.yaml $refs fragment/cirrussearch/index,
	// which testdata/wmf holds since it was copied from the origin.
	for _, want := range []string{"schemas-event-primary /mediawiki/cirrussearch/page_rerender", "schemas-event-primary /fragment/cirrussearch/index"} {
		if !slices.Contains(compared, want) {
			t.Errorf("%s not compared with jsonschema-tools", want)
		}
	}
}

// runJSONSchemaTools materializes the current.yaml files at paths as
// X.Y.Z.<contentType> beside them, resolving $refs in bases (first match wins).
func runJSONSchemaTools(t *testing.T, work, contentType string, bases, paths []string) {
	t.Helper()
	config := filepath.Join(work, "jsonschema-tools.yaml") // not the repository's: its own defaults
	if err := os.WriteFile(config, []byte("shouldGenerateExample: false\nlogLevel: warn\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// The paths go first: yargs' array options take every argument after them.
	args := append([]string{"materialize"}, paths...)
	args = append(args, "--content-types", contentType, "--no-symlink-extensionless", "--no-symlink-latest",
		"--config-paths", config, "--schema-base-uris", strings.Join(bases, ","))
	script, err := filepath.Abs(jsonschemaTools)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(script, args...)
	cmd.Dir = work
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", jsonschemaTools, err, out)
	}
}

// copyTree copies the files of src to dst and links each X.Y.Z to its
// X.Y.Z.yaml, as Wikimedia's repositories do.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		to := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(to, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.WriteFile(to, data, 0o644); err != nil {
			return err
		}
		if v, ok := versionOfFile(d.Name()); ok && strings.HasSuffix(d.Name(), ".yaml") {
			return os.Symlink(d.Name(), filepath.Join(filepath.Dir(to), v))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// readJSONFile decodes a JSON file as encoding/json does by default.
func readJSONFile(t *testing.T, name string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(readFixture(t, name), &v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return v
}

// normalJSON returns v as encoding/json decodes its JSON: numbers as
// float64, so 1 and 1.0 compare equal.
func normalJSON(t *testing.T, v any) any {
	t.Helper()
	var out any
	if err := json.Unmarshal(encode(t, v), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// jsonDiff appends to out where got differs from want, by JSON pointer.
func jsonDiff(at string, want, got any, out *[]string) {
	if reflect.DeepEqual(want, got) {
		return
	}
	wm, ok1 := want.(map[string]any)
	gm, ok2 := got.(map[string]any)
	if !ok1 || !ok2 {
		*out = append(*out, fmt.Sprintf("%s: ripple %.300v, jsonschema-tools %.300v", at, got, want))
		return
	}
	keys := make([]string, 0, len(wm)+len(gm))
	for k := range wm {
		keys = append(keys, k)
	}
	for k := range gm {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range slices.Compact(keys) {
		wv, inW := wm[k]
		gv, inG := gm[k]
		switch {
		case !inG:
			*out = append(*out, fmt.Sprintf("%s/%s: missing in ripple's, jsonschema-tools has %.300v", at, k, wv))
		case !inW:
			*out = append(*out, fmt.Sprintf("%s/%s: ripple has %.300v, missing in jsonschema-tools'", at, k, gv))
		default:
			jsonDiff(at+"/"+k, wv, gv, out)
		}
	}
}

// firstDiff shows where two texts first differ.
func firstDiff(a, b []byte) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	from := max(0, i-80)
	return fmt.Sprintf("ripple:           %q\njsonschema-tools: %q", a[from:min(len(a), i+80)], b[from:min(len(b), i+80)])
}

// parseYAMLFile parses YAML as the repository reads it.
func parseYAMLFile(t *testing.T, data []byte) any {
	t.Helper()
	v, err := parseYAML(data)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// must returns b, panicking on err (for test expressions).
func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}
