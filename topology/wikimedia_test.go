package topology_test

import (
	"testing"

	"github.com/ripplestream/ripple/jobs"
	"github.com/ripplestream/ripple/topology"
)

// The sample deployment in the repository parses and validates against
// the registered job kinds.
func TestWikimediaTopologyValidates(t *testing.T) {
	top, err := topology.Load("../deploy/topology/wikimedia.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := top.Validate(jobs.Kinds()); err != nil {
		t.Fatal(err)
	}
	if len(top.Jobs) != 7 || len(top.Plan()) != 15 {
		t.Errorf("%d jobs and %d topics, want 7 and 15", len(top.Jobs), len(top.Plan()))
	}
	if s := top.Stream("ripple.page_dependencies"); s == nil || !s.Compact {
		t.Errorf("ripple.page_dependencies = %+v, want a compacted stream", s)
	}
	if c := top.StreamConfigs()["mediawiki.client.error"]; c.DestinationEventService != "eventgate-logging-external" ||
		c.CanaryEventsEnabled == nil || !*c.CanaryEventsEnabled {
		t.Errorf("mediawiki.client.error settings = %+v, want those of a client-side stream", c)
	}
}
