package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ripplestream/ripple/event"
)

// wmfSchemas copies Wikimedia's schema repositories from the event
// package's test data (see event/testdata/SOURCES.md) into a temporary
// directory and returns the primary and secondary copies.
func wmfSchemas(t *testing.T) (primary, secondary string) {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"schemas-event-primary", "schemas-event-secondary"} {
		if err := os.CopyFS(filepath.Join(dir, name), os.DirFS(filepath.Join("..", "..", "event", "testdata", "wmf", name))); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "schemas-event-primary"), filepath.Join(dir, "schemas-event-secondary")
}

// runSchema runs ripple schema with args and returns stdout, stderr and
// the error.
func runSchema(args ...string) (string, string, error) {
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), append([]string{"schema"}, args...), &stdout, &stderr)
	return stdout.String(), stderr.String(), err
}

// knownUpstreamSkips are the checks schemas-event-primary's
// .jsonschema-tools.yaml skips, and the only ones: page change 1.2.0 made
// performer optional, a break Wikimedia released knowingly
// (https://phabricator.wikimedia.org/T367923).
var knownUpstreamSkips = []string{
	"/fragment/mediawiki/state/change/page/1.2.0 " + event.CheckCompatibility,
	"/mediawiki/page/change/1.2.0 " + event.CheckCompatibility,
}

// TestSchemaCheckPrimary runs ripple schema check on Wikimedia's
// schemas-event-primary as its CI would: it exits 0 with no problem, having
// compared version pairs and read every current.yaml (page_rerender's
// among them, which $refs fragment/cirrussearch/index); the checks it
// skips are exactly knownUpstreamSkips.
func TestSchemaCheckPrimary(t *testing.T) {
	primary, _ := wmfSchemas(t)
	stdout, stderr, err := runSchema("check", primary)
	if err != nil || !strings.Contains(stderr, fmt.Sprintf(", %d checks skipped by %s, 0 problems\n", len(knownUpstreamSkips), event.RepoConfigFile)) {
		t.Fatalf("check of the primary repository: %v\n%s%s", err, stdout, stderr)
	}

	stdout, _, err = runSchema("check", primary, "--json")
	if err != nil {
		t.Fatal(err)
	}
	var rep event.CheckReport
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Problems) != 0 {
		t.Errorf("problems: %v", rep.Problems)
	}
	if len(rep.Compared) == 0 {
		t.Error("no version pairs compared")
	}
	if !slices.Contains(rep.Schemas, "/mediawiki/cirrussearch/page_rerender/current") {
		t.Errorf("page_rerender's current.yaml not checked: %v", rep.Schemas)
	}
	var skipped []string
	for _, s := range rep.Skipped {
		skipped = append(skipped, s.URI+" "+s.Check)
	}
	slices.Sort(skipped)
	if !slices.Equal(skipped, knownUpstreamSkips) {
		t.Errorf("skipped %v, want only %v", skipped, knownUpstreamSkips)
	}
	t.Logf("%d schema files, %d version pairs compared, %d checks skipped", len(rep.Schemas), len(rep.Compared), len(rep.Skipped))
}

// TestSchemaCheck runs ripple schema check as a CI step would: the
// secondary repository passes (exit 0); a release that removes a field and
// drops an enum value fails, with each problem naming schema, version and
// field and saying what to do; --json reports the same.
func TestSchemaCheck(t *testing.T) {
	primary, secondary := wmfSchemas(t)
	_, stderr, err := runSchema("check", secondary, "--base-repo", primary)
	if err != nil || !strings.Contains(stderr, "5 version pairs compared") || !strings.Contains(stderr, ", 0 problems") {
		t.Fatalf("check of the secondary repository: %v\n%s", err, stderr)
	}

	name := filepath.Join(secondary, "jsonschema", "rdf_streaming_updater", "fetch_failure", "1.2.0.yaml")
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	broken := strings.Replace(string(data), "  exception_msg:\n    description: description message of the exception\n    type: string\n", "", 1)
	broken = strings.Replace(broken, "      - UNKNOWN\n", "", 1)
	if broken == string(data) {
		t.Fatal("the edits did not apply")
	}
	if err := os.WriteFile(name, []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, err := runSchema("check", secondary, "--base-repo", primary)
	if err == nil || !strings.Contains(err.Error(), "3 problems") {
		t.Fatalf("got %v, want 3 problems\n%s%s", err, stdout, stderr)
	}
	for _, want := range []string{
		"/rdf_streaming_updater/fetch_failure/1.2.0 field exception_msg: the field was removed since 1.1.0 [schema-version-compatibility]\n    fix: restore the field",
		"/rdf_streaming_updater/fetch_failure/1.2.0 field fetch_error_type: enum no longer allows [UNKNOWN] since 1.1.0 [schema-version-compatibility]\n    fix: keep every value 1.1.0 allows",
		"/rdf_streaming_updater/fetch_failure/current: current.yaml materializes to something other than 1.2.0.yaml, which is released " +
			"(first at /properties/fetch_error_type/enum: [ENTITY_NOT_FOUND,NO_CONTENT,EMPTY_RESPONSE,UNEXPECTED_RESPONSE] in the file, ",
		"[schema-current-materialized]\n    fix: bump the version in its $id above 1.2.0",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}

	stdout, _, err = runSchema("check", secondary, "--base-repo", primary, "--json")
	var rep event.CheckReport
	if jerr := json.Unmarshal([]byte(stdout), &rep); err == nil || jerr != nil || len(rep.Problems) != 3 || rep.Problems[0].Version != "1.2.0" {
		t.Errorf("--json: %v, %v, %+v", err, jerr, rep.Problems)
	}

	if _, _, err := runSchema("check"); err == nil || !strings.Contains(err.Error(), "give REPO_DIR, such as: ripple schema check") {
		t.Errorf("no REPO_DIR: %v", err)
	}
	if _, _, err := runSchema("check", filepath.Join(secondary, "missing")); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("missing REPO_DIR: %v", err)
	}
}

// TestSchemaMaterialize: without the primary repository, the secondary's
// $refs to it fail with a hint; a version deleted from the secondary
// repository is written again from current.yaml (its $refs reaching the
// primary's fragments), after which check passes; a second run writes
// nothing.
func TestSchemaMaterialize(t *testing.T) {
	primary, secondary := wmfSchemas(t)
	title := filepath.Join(secondary, "jsonschema", "rdf_streaming_updater", "fetch_failure")
	if err := os.Remove(filepath.Join(title, "1.2.0.yaml")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runSchema("check", secondary, "--base-repo", primary); err == nil || !strings.Contains(err.Error(), "1 problems") {
		t.Fatalf("check with 1.2.0 missing: %v, want 1 problem (current.yaml not materialized)", err)
	}
	if _, stderr, err := runSchema("materialize", secondary); err == nil || !strings.Contains(err.Error(), "--base-repo DIR") ||
		!strings.Contains(stderr, `/rdf_streaming_updater/reconcile/current: rdf_streaming_updater/reconcile/current.yaml: schema not found: no title "fragment/common"`) {
		t.Fatalf("materialize without the primary repository its $refs name: %v\n%s", err, stderr)
	}
	primary, secondary = wmfSchemas(t) // afresh: that run wrote fetch_failure's 1.2.0
	title = filepath.Join(secondary, "jsonschema", "rdf_streaming_updater", "fetch_failure")
	if err := os.Remove(filepath.Join(title, "1.2.0.yaml")); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, err := runSchema("materialize", secondary, "--base-repo", primary)
	if err != nil || !strings.Contains(stdout, "/rdf_streaming_updater/fetch_failure/1.2.0: wrote rdf_streaming_updater/fetch_failure/1.2.0.yaml, rdf_streaming_updater/fetch_failure/1.2.0.json, rdf_streaming_updater/fetch_failure/1.2.0, ") ||
		!strings.Contains(stderr, ": 6 current.yaml: 1 written, 5 up to date, 0 failed") {
		t.Fatalf("materialize: %v\n%s%s", err, stdout, stderr)
	}
	if _, stderr, err := runSchema("check", secondary, "--base-repo", primary); err != nil {
		t.Fatalf("check after materialize: %v\n%s", err, stderr)
	}
	if stdout, _, err := runSchema("materialize", secondary, "--base-repo", primary); err != nil || stdout != "" {
		t.Errorf("second materialize: %v, wrote %q", err, stdout)
	}
	// No .jsonschema-tools.yaml: jsonschema-tools' defaults, JSON too.
	for link, target := range map[string]string{"1.2.0": "1.2.0.yaml", "latest": "1.2.0.yaml", "latest.json": "1.2.0.json"} {
		if got, err := os.Readlink(filepath.Join(title, link)); err != nil || got != target {
			t.Errorf("%s -> %q (%v), want %s", link, got, err, target)
		}
	}
}
