package topology_test

import (
	"testing"

	"github.com/ripplestream/ripple/jobs/changeprop"
	"github.com/ripplestream/ripple/jobs/entitychange"
	"github.com/ripplestream/ripple/topology"
)

// The sample deployment in the repository parses and validates against
// the registered job kinds.
func TestWikimediaTopologyValidates(t *testing.T) {
	top, err := topology.Load("../deploy/topology/wikimedia.yaml")
	if err != nil {
		t.Fatal(err)
	}
	r := topology.NewRegistry()
	changeprop.Register(r)
	entitychange.Register(r)
	if err := top.Validate(r); err != nil {
		t.Fatal(err)
	}
	if len(top.Jobs) != 2 || len(top.Plan()) != 6 {
		t.Errorf("%d jobs and %d topics, want 2 and 6", len(top.Jobs), len(top.Plan()))
	}
	if s := top.Stream("ripple.page_dependencies"); s == nil || !s.Compact {
		t.Errorf("ripple.page_dependencies = %+v, want a compacted stream", s)
	}
}
