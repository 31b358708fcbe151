package event

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// wmfDir is where the copies of Wikimedia files the tests use live
// (testdata/SOURCES.md says where each comes from).
var wmfDir = filepath.Join("testdata", "wmf")

// wmf returns the path of a file under testdata/wmf and fails the test if
// it is missing.
func wmf(t testing.TB, elem ...string) string {
	t.Helper()
	p := filepath.Join(append([]string{wmfDir}, elem...)...)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("test data missing: %v", err)
	}
	return p
}

// openRepo opens a repository over fixture directories.
func openRepo(t testing.TB, dirs ...string) *Repository {
	t.Helper()
	r, err := OpenRepository(dirs[0], dirs[1:]...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// jsonFiles returns the .json files under dir, sorted.
func jsonFiles(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".json") {
			out = append(out, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// readFixture reads a fixture file.
func readFixture(t testing.TB, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// asValidationError fails the test unless err is a *ValidationError.
func asValidationError(t testing.TB, err error) *ValidationError {
	t.Helper()
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("got %v (%T), want *ValidationError", err, err)
	}
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("%v does not wrap ErrInvalid", err)
	}
	return ve
}

// hasViolation reports whether ve lists a violation at path of rule.
func hasViolation(ve *ValidationError, path, rule string) bool {
	return slices.ContainsFunc(ve.Violations, func(v Violation) bool {
		return v.Path == path && v.Rule == rule
	})
}

// decodeObject parses a JSON object with exact numbers.
func decodeObject(t testing.TB, b []byte) map[string]any {
	t.Helper()
	v, err := decodeJSONValue(b)
	if err != nil {
		t.Fatal(err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("not an object: %s", b)
	}
	return m
}

// encode marshals v or fails the test.
func encode(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// decodeInto unmarshals JSON into v or fails the test.
func decodeInto(t testing.TB, b []byte, v any) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		t.Fatal(err)
	}
}
