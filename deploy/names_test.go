package deploy

import (
	"os"
	"strings"
	"testing"

	"github.com/ripplestream/ripple/deps/pebblestore"
	"github.com/ripplestream/ripple/jobs/changeprop"
	"github.com/ripplestream/ripple/jobs/entitychange"
	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/topology"
)

// TestNamesAreTheJobsDefaults checks the job and stream names the
// dashboard and the topologies spell out against the jobs' defaults, so
// that renaming a default breaks this test rather than a panel.
func TestNamesAreTheJobsDefaults(t *testing.T) {
	store, err := pebblestore.Open(pebblestore.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	// Purges as the sample topology binds them: all to resource_change
	// (unbound, they would go to Wikimedia's four purge streams).
	cfg := changeprop.Config{Store: store, Purges: "resource_change"}.WithDefaults()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	fan, coalesce, err := changeprop.Jobs(cfg)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile("grafana/ripple-dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	dash := string(b)
	for _, want := range []string{
		`job=\"` + string(fan.Name) + `\"`,
		`job=\"` + string(coalesce.Name) + `\"`,
		`stream=\"` + string(cfg.CandidatesStream()) + `\"`,
		`stream=~\"` + string(cfg.PageChanges) + "|" + string(cfg.EntityChanges) + `\"`,
	} {
		if !strings.Contains(dash, want) {
			t.Errorf("the dashboard lacks %s, a name of the changeprop job", want)
		}
	}

	topo := byKind(readManifests(t, "kubernetes"))["ConfigMap"]["ripple-topology"].Data
	for job, streams := range map[string][]string{
		string(fan.Name): {string(cfg.Dependencies), string(cfg.PageChanges), string(cfg.EntityChanges),
			cfg.PurgeStreams.Page, cfg.PurgeStreams.Transcludes, cfg.PurgeStreams.Backlinks, cfg.PurgeStreams.Wikidata,
			string(cfg.Rerenders)},
		string(entitychange.DefaultName): {string(entitychange.DefaultInput), string(entitychange.DefaultOutput)},
	} {
		for _, s := range streams {
			parsed, err := topology.Parse(job+".yaml", []byte(topo[job+".yaml"]))
			if err != nil {
				t.Fatal(err)
			}
			if parsed.Stream(processor.Stream(s)) == nil {
				t.Errorf("the %s topology does not declare its stream %s", job, s)
			}
		}
	}
}
