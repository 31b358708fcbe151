package event

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/ripplestream/ripple/schemas"
)

// TestRepositoryLookup checks the URI forms Schema accepts.
func TestRepositoryLookup(t *testing.T) {
	r := openRepo(t, wmf(t, "schemas-event-primary"))
	tests := []struct {
		uri  string
		want string // canonical URI, or "" for an error
	}{
		{"/mediawiki/page/change/1.2.0", "/mediawiki/page/change/1.2.0"},
		{"/mediawiki/page/change/1.2.0.yaml", "/mediawiki/page/change/1.2.0"},
		{"mediawiki/page/change/1.1.0", "/mediawiki/page/change/1.1.0"},
		{"/mediawiki/page/change/latest", "/mediawiki/page/change/1.2.0"},
		{"/mediawiki/page/change/latest.yaml", "/mediawiki/page/change/1.2.0"},
		{"/test/event/latest", "/test/event/1.0.0"},
		{"/error/latest", "/error/2.1.0"},
		{"/mediawiki/page/change/current", "/mediawiki/page/change/current"},
		{"/mediawiki/page/change/9.9.9", ""},
		{"/mediawiki/page/nothing/1.0.0", ""},
		{"/mediawiki/page/change/1.2", ""},
		{"/../error/2.1.0", ""},
		{"", ""},
	}
	for _, tt := range tests {
		s, err := r.Schema(tt.uri)
		switch {
		case tt.want == "" && err == nil:
			t.Errorf("Schema(%q) = %s, want error", tt.uri, s.URI())
		case tt.want == "":
			var se *SchemaError
			if !errors.As(err, &se) || se.URI != tt.uri {
				t.Errorf("Schema(%q) error %v is not a *SchemaError for the URI", tt.uri, err)
			}
		case err != nil:
			t.Errorf("Schema(%q): %v", tt.uri, err)
		case s.URI() != tt.want:
			t.Errorf("Schema(%q).URI() = %s, want %s", tt.uri, s.URI(), tt.want)
		}
	}
	if got := r.Versions("error"); !reflect.DeepEqual(got, []string{"0.0.3", "1.0.0", "2.0.0", "2.1.0"}) {
		t.Errorf("Versions(error) = %v", got)
	}
	_, err := r.Schema("/error/3.0.0")
	if err == nil || !strings.Contains(err.Error(), "[0.0.3 1.0.0 2.0.0 2.1.0]") {
		t.Errorf("not-found error should list the versions: %v", err)
	}
}

// TestRepositoryStaysLocal checks that a $ref outside the tree is refused
// rather than fetched, and that a broken schema is a *SchemaError.
func TestRepositoryStaysLocal(t *testing.T) {
	fsys := fstest.MapFS{
		"jsonschema/remote/1.0.0.yaml":  {Data: []byte("allOf:\n  - $ref: 'https://schema.wikimedia.org/repositories/primary/jsonschema/fragment/common/1.0.0'\n")},
		"jsonschema/broken/1.0.0.yaml":  {Data: []byte("type: [unclosed\n")},
		"jsonschema/list/1.0.0.yaml":    {Data: []byte("- a\n- b\n")},
		"jsonschema/ok/1.0.0.yaml":      {Data: []byte("type: object\nrequired: [a]\n")},
		"jsonschema/.git/x/1.0.0.yaml":  {Data: []byte("type: object\n")},
		"jsonschema/ok/latest":          {Data: []byte("1.0.0.yaml\n")},
		"jsonschema/stub/1.0.0":         {Data: []byte("type: object\nrequired: [b]\n")},
		"jsonschema/stub/1.0.0.yaml":    {Data: []byte("1.0.0\n")},
		"jsonschema/README.md":          {Data: []byte("not a schema")},
		"jsonschema/ok/CHANGELOG.md":    {Data: []byte("# ok")},
		"jsonschema/self/current.yaml":  {Data: []byte("$id: /self/1.0.0\nproperties:\n  a: {$ref: './#/definitions/a'}\ndefinitions:\n  a: {type: string}\nexamples:\n  - {$schema: {$ref: '#/$id'}, a: x}\n")},
		"jsonschema/cycle/current.yaml": {Data: []byte("properties:\n  a: {$ref: '#/properties/a'}\n")},
	}
	r, err := OpenRepositoryFS(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Titles(); !reflect.DeepEqual(got, []string{"broken", "cycle", "list", "ok", "remote", "self", "stub"}) {
		t.Errorf("Titles() = %v", got)
	}
	for uri, want := range map[string]error{
		"/remote/1.0.0":  ErrRemoteRef,
		"/broken/1.0.0":  ErrBadSchema,
		"/list/1.0.0":    ErrBadSchema,
		"/cycle/current": ErrBadSchema,
	} {
		if _, err := r.Schema(uri); !errors.Is(err, want) {
			t.Errorf("Schema(%s) = %v, want %v", uri, err, want)
		}
	}
	checkStrict(t, r, "/stub/1.0.0", `{}`, "/b")
	checkStrict(t, r, "/self/current", `{"a": 1}`, "/a")
	exs, err := r.Examples("/self/current")
	if err != nil || len(exs) != 1 || string(exs[0]) != `{"$schema":"/self/1.0.0","a":"x"}` {
		t.Errorf("Examples(/self/current) = %s, %v", exs, err)
	}
	if _, err := OpenRepositoryFS(fstest.MapFS{"README.md": {}}); err == nil {
		t.Error("a tree without schemas opened")
	}
}

// checkStrict validates doc against uri and expects a violation at path.
func checkStrict(t *testing.T, r *Repository, uri, doc, path string) {
	t.Helper()
	s, err := r.Schema(uri)
	if err != nil {
		t.Fatalf("Schema(%s): %v", uri, err)
	}
	if ve := asValidationError(t, s.Validate([]byte(doc))); ve.Path != path {
		t.Errorf("%s: violation at %s, want %s", uri, ve.Path, path)
	}
}

// TestRepositoryConcurrent validates from many goroutines while schemas are
// still compiling; run with -race.
func TestRepositoryConcurrent(t *testing.T) {
	r := openRepo(t, wmf(t, "schemas-event-primary"))
	uris := []string{"/mediawiki/page/change/1.2.0", "/resource_change/1.0.0", "/error/2.1.0", "/mediawiki/revision/create/2.0.0"}
	var events [][]byte
	for _, u := range uris {
		exs, err := r.Examples(u)
		if err != nil {
			t.Fatal(err)
		}
		events = append(events, exs...)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 16*len(events))
	for g := range 16 {
		wg.Go(func() {
			for i := range events {
				ev := events[(i+g)%len(events)]
				if err := r.Validate(ev); err != nil {
					errs <- fmt.Errorf("%.60s: %w", ev, err)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestProjectSchemas compiles ripple's own schema repository, validates the
// examples of every schema in it, and checks that each of ripple's own
// versioned schemas is its current.yaml materialized.
func TestProjectSchemas(t *testing.T) {
	r, err := OpenRepositoryFS(schemas.FS())
	if err != nil {
		t.Fatal(err)
	}
	var n, examples int
	for _, uri := range r.URIs() {
		s, err := r.Schema(uri)
		if err != nil {
			t.Errorf("%s: %v", uri, err)
			continue
		}
		n++
		examples += validateExamples(t, r, s)
	}
	for _, title := range r.Titles() {
		if r.HasCurrent(title) {
			if _, err := r.Schema("/" + title + "/current"); err != nil {
				t.Errorf("%s current: %v", title, err)
			}
		}
	}
	for _, title := range []string{
		"ripple/page/dependencies", "ripple/entity/change", "ripple/alert", "ripple/window/result",
		"ripple/revision/diff", "ripple/revision/tokens", "ripple/filter/match",
		"ripple/ratelimit/summary", "ripple/ratelimit/delayed",
		"ripple/error", "ripple/retry", "ripple/changeprop/continue",
	} {
		got := r.Versions(title)
		if len(got) == 0 || got[0] != "1.0.0" {
			t.Errorf("Versions(%s) = %v, want 1.0.0 first", title, got)
			continue
		}
		latest := got[len(got)-1]
		_, materialized := schemaAndDoc(t, r, "/"+title+"/"+latest)
		_, current := schemaAndDoc(t, r, "/"+title+"/current")
		if !reflect.DeepEqual(materialized, current) {
			t.Errorf("%s: %s.yaml is not current.yaml materialized", title, latest)
		}
		exs, _ := r.Examples("/" + title + "/current")
		s, _ := r.Schema("/" + title + "/current")
		for i, ex := range exs {
			if err := s.Validate(ex); err != nil {
				t.Errorf("%s current example %d: %v", title, i, err)
			}
		}
	}
	t.Logf("project repository: %d schemas compiled, %d examples valid", n, examples)
}
