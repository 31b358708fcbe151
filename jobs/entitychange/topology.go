package entitychange

import (
	"context"

	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/topology"
)

// Kind is the name of the job kind Register adds.
const Kind = "entitychange"

// TopologyConfig is the config: section of an entitychange job in a
// topology file; unset fields take Config's defaults.
type TopologyConfig struct {
	Repos          []string `yaml:"repos"`
	ContentModels  []string `yaml:"content_models"`
	Namespaces     []int    `yaml:"namespaces"`
	MaxEntityBytes int      `yaml:"max_entity_bytes"`
	// FetchUserAgent, when set, fetches revisions the events do not carry
	// from the repository's Special:EntityData (EntityData) with this
	// User-Agent, which Wikimedia asks to name the tool and a contact.
	FetchUserAgent string `yaml:"fetch_user_agent"`
}

// Register adds the entitychange job kind to r: input role page_changes
// (mediawiki/page/change events with content), output entity_changes.
func Register(r *topology.Registry) {
	r.Add(topology.Kind{
		Name:    Kind,
		Inputs:  map[string]string{"page_changes": "mediawiki/page/change"},
		Outputs: map[string]string{"entity_changes": "ripple/entity/change"},
		Build:   build,
	})
}

func build(_ context.Context, spec topology.Spec) (topology.Built, error) {
	var tc TopologyConfig
	if err := spec.Decode(&tc); err != nil {
		return topology.Built{}, err
	}
	cfg := Config{Name: spec.Name, Input: spec.Inputs["page_changes"], Output: spec.Outputs["entity_changes"],
		Repos: tc.Repos, ContentModels: tc.ContentModels, Namespaces: tc.Namespaces, MaxEntityBytes: tc.MaxEntityBytes}
	if tc.FetchUserAgent != "" {
		cfg.Source = EntityData{UserAgent: tc.FetchUserAgent}
	}
	job, err := Job(cfg)
	if err != nil {
		return topology.Built{}, err
	}
	r, err := processor.NewRunner(job, spec.Processor)
	if err != nil {
		return topology.Built{}, err
	}
	return topology.Built{Runners: []topology.Runnable{r}}, nil
}
