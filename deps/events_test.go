package deps_test

import (
	"reflect"
	"testing"

	"github.com/ripplestream/ripple/deps"
	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/schemas"
)

// TestEventsFromSchemaExamples decodes the examples of the two input
// schemas, checks what they turn into, and validates the re-encoded events
// against their schemas.
func TestEventsFromSchemaExamples(t *testing.T) {
	repo, err := event.OpenRepositoryFS(schemas.FS())
	if err != nil {
		t.Fatal(err)
	}
	exs, err := repo.Examples(deps.DependenciesSchema)
	if err != nil || len(exs) == 0 {
		t.Fatalf("examples of %s: %d, %v", deps.DependenciesSchema, len(exs), err)
	}
	ev, err := event.JSON[deps.PageDependencies]{}.Decode(exs[0])
	if err != nil {
		t.Fatal(err)
	}
	got, err := ev.PageDeps().Normalize(deps.CollapseLimits{})
	if err != nil {
		t.Fatal(err)
	}
	want := deps.PageDeps{
		Wiki: "enwiki", Page: deps.PageRef{ID: 8091, Title: "Douglas_Adams"}, RevID: 1249327111,
		Templates: []string{"Module:Citation/CS1", "Template:Cite_web", "Template:Infobox_writer"},
		Links:     []string{"Cambridge", "The_Hitchhiker's_Guide_to_the_Galaxy"},
		Files:     []string{"File:Douglas_adams_portrait_cropped.jpg"},
		Entities:  []deps.EntityUsage{{ID: "Q42", Aspects: []deps.Aspect{"C.P18", "L.en", "S"}}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("PageDeps of the example:\n got %+v\nwant %+v", got, want)
	}
	for _, ex := range exs {
		ev, err := event.JSON[deps.PageDependencies]{}.Decode(ex)
		if err != nil {
			t.Fatal(err)
		}
		reencode(t, repo, ev)
	}
	// The template of the second example renders Documentation on its own
	// page only and passes Module:Wikidata on only.
	ev, err = event.JSON[deps.PageDependencies]{}.Decode(exs[1])
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := ev.PageDeps().Normalize(deps.CollapseLimits{})
	if err != nil {
		t.Fatal(err)
	}
	scopes := map[string]deps.Scope{}
	for _, e := range tmpl.Edges() {
		scopes[e.Target] = e.Scope
	}
	if want := map[string]deps.Scope{"Template:Documentation": deps.ScopeOwn, "Template:Infobox": deps.ScopeBoth,
		"Module:Wikidata": deps.ScopePassesOn}; !reflect.DeepEqual(scopes, want) || tmpl.Digest == "" {
		t.Errorf("template example: scopes %v, digest %q; want %v and a digest", scopes, tmpl.Digest, want)
	}
	// A 1.0.0 event still reads, and passes everything on.
	v1, err := repo.Examples(deps.DependenciesSchemaV1)
	if err != nil || len(v1) == 0 {
		t.Fatalf("examples of %s: %d, %v", deps.DependenciesSchemaV1, len(v1), err)
	}
	old, err := event.JSON[deps.PageDependencies]{}.Decode(v1[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := repo.Validate(v1[0]); err != nil {
		t.Errorf("1.0.0 example: %v", err)
	}
	if p := old.PageDeps(); p.PassesOn != nil || p.Digest != "" || len(p.Templates) != 3 {
		t.Errorf("1.0.0 example: PassesOn %v, digest %q, templates %v; want nil, none, three", p.PassesOn, p.Digest, p.Templates)
	}

	exs, err = repo.Examples(deps.EntityChangeSchema)
	if err != nil || len(exs) == 0 {
		t.Fatalf("examples of %s: %d, %v", deps.EntityChangeSchema, len(exs), err)
	}
	change, err := event.JSON[deps.EntityChange]{}.Decode(exs[0])
	if err != nil {
		t.Fatal(err)
	}
	reencode(t, repo, change)
	q, affects, err := change.Query("enwiki")
	wantQ := deps.Query{Wiki: "enwiki", Edge: deps.UsesEntity, Target: "Q42", Aspects: []deps.Aspect{"L.en", "C.P31"}}
	if err != nil || !affects || !reflect.DeepEqual(q, wantQ) {
		t.Errorf("Query = %+v, %v, %v; want %+v", q, affects, err, wantQ)
	}
	change.Aspects = nil
	if _, affects, err := change.Query(""); err != nil || affects {
		t.Errorf("Query of a change without aspects: affects=%v, %v", affects, err)
	}
}

// reencode encodes v and validates it against its schema.
func reencode[T any](t *testing.T, repo *event.Repository, v T) {
	t.Helper()
	b, err := event.JSON[T]{}.Encode(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := repo.Validate(b); err != nil {
		t.Errorf("re-encoded event %s: %v", b, err)
	}
}
