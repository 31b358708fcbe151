package schemas_test

import (
	"io/fs"
	"testing"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/schemas"
)

// TestFS checks the embedded tree holds ripple's schemas and the Wikimedia
// schemas its jobs use, and that every one of them compiles.
func TestFS(t *testing.T) {
	fsys := schemas.FS()
	for _, name := range []string{
		"jsonschema/ripple/page/dependencies/1.0.0.yaml",
		"jsonschema/ripple/page/dependencies/2.0.0.yaml",
		"jsonschema/ripple/page/dependencies/current.yaml",
		"jsonschema/ripple/entity/change/1.0.0.yaml",
		"jsonschema/ripple/entity/change/current.yaml",
		"jsonschema/resource_change/1.0.0.yaml",
		"jsonschema/error/2.1.0.yaml",
		"jsonschema/ripple/error/1.0.0.yaml",
		"jsonschema/ripple/error/1.1.0.yaml",
		"jsonschema/ripple/retry/1.0.0.yaml",
		"jsonschema/ripple/changeprop/continue/1.0.0.yaml",
		"jsonschema/change-prop/retry/1.0.0.yaml",
		"jsonschema/mediawiki/page/change/1.2.0.yaml",
		"jsonschema/mediawiki/cirrussearch/page_rerender/1.0.0.yaml",
		"jsonschema/fragment/common/2.0.0.yaml",
	} {
		if _, err := fs.Stat(fsys, name); err != nil {
			t.Errorf("missing %s: %v", name, err)
		}
	}
	repo, err := event.OpenRepositoryFS(fsys)
	if err != nil {
		t.Fatal(err)
	}
	for _, uri := range repo.URIs() {
		if _, err := repo.Schema(uri); err != nil {
			t.Errorf("%s: %v", uri, err)
		}
	}
	if n := len(repo.URIs()); n < 10 {
		t.Errorf("only %d schemas embedded", n)
	}
}

// TestRepositoryPassesItsOwnCheck runs the check a schema repository's CI
// runs (`ripple schema check schemas`) over ripple's own: conventions,
// compatibility of versions, current.yaml materialized as released. The
// checks .jsonschema-tools.yaml skips (with the reason beside each) are
// the only ones allowed to be skipped.
func TestRepositoryPassesItsOwnCheck(t *testing.T) {
	report, err := event.CheckRepository(".", event.CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range report.Problems {
		t.Errorf("%+v", p)
	}
	if len(report.Skipped) != 6 {
		t.Errorf("%d checks skipped, want the 6 .jsonschema-tools.yaml names: %+v", len(report.Skipped), report.Skipped)
	}
}
