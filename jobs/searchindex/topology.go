package searchindex

import (
	"context"
	"time"

	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/topology"
)

// Kind is the name of the job kind Register adds.
const Kind = "searchindex"

// TopologyConfig is the config: section of a searchindex job in a
// topology file.
type TopologyConfig struct {
	// Wait is Config.Wait.
	Wait time.Duration `yaml:"wait"`
}

// Register adds the searchindex job kind to r: input roles revisions
// (mediawiki.revision-create), scores (mediawiki.revision-score) and
// tokens (the tokens stage), output role documents.
func Register(r *topology.Registry) {
	r.Add(topology.Kind{
		Name:    Kind,
		Inputs:  map[string]string{"revisions": "mediawiki/revision/create", "scores": "mediawiki/revision/score", "tokens": "ripple/revision/tokens"},
		Outputs: map[string]string{"documents": "ripple/search/index_update"},
		Build:   build,
	})
}

func build(_ context.Context, spec topology.Spec) (topology.Built, error) {
	var tc TopologyConfig
	if err := spec.Decode(&tc); err != nil {
		return topology.Built{}, err
	}
	job, err := Job(Config{Name: spec.Name, Revisions: spec.Inputs["revisions"], Scores: spec.Inputs["scores"],
		Tokens: spec.Inputs["tokens"], Wait: tc.Wait,
		Output: topology.Bound(spec.Outputs, "documents", processor.Stream(string(spec.Name)+".documents"))})
	if err != nil {
		return topology.Built{}, err
	}
	r, err := processor.NewRunner(job, spec.Processor)
	if err != nil {
		return topology.Built{}, err
	}
	return topology.Built{Runners: []topology.Runnable{r}}, nil
}
