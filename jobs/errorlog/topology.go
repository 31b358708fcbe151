package errorlog

import (
	"context"
	"time"

	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/processor/ratelimit"
	"github.com/ripplestream/ripple/topology"
)

// Kind is the name of the job kind Register adds.
const Kind = "errorlog"

// TopologyConfig is the config: section of an errorlog job in a topology
// file; unset fields take Config's defaults.
type TopologyConfig struct {
	// Rate and Per are the limit per fingerprint (Config.Limit), Burst its
	// burst.
	Rate            int           `yaml:"rate"`
	Per             time.Duration `yaml:"per"`
	Burst           int           `yaml:"burst"`
	SampleEvery     int           `yaml:"sample_every"`
	SummaryInterval time.Duration `yaml:"summary_interval"`
	DedupeTTL       time.Duration `yaml:"dedupe_ttl"`
	MaxIDs          int           `yaml:"max_ids"`
}

// Register adds the errorlog job kind to r: input role client_errors,
// output roles errors (what passes, with its fingerprint) and summaries
// (what was held back). The streams between its three jobs are named
// after the job (<name>.fingerprinted, <name>.deduped).
func Register(r *topology.Registry) {
	r.Add(topology.Kind{
		Name:    Kind,
		Inputs:  map[string]string{"client_errors": ""},
		Outputs: map[string]string{"errors": "", "summaries": "ripple/ratelimit/summary"},
		Build:   build,
	})
}

func build(_ context.Context, spec topology.Spec) (topology.Built, error) {
	var tc TopologyConfig
	if err := spec.Decode(&tc); err != nil {
		return topology.Built{}, err
	}
	cfg := Config{Name: spec.Name, Input: spec.Inputs["client_errors"],
		Output:      topology.Bound(spec.Outputs, "errors", processor.Stream(string(spec.Name)+".log")),
		Summaries:   topology.Bound(spec.Outputs, "summaries", processor.Stream(string(spec.Name)+".summaries")),
		SampleEvery: tc.SampleEvery, SummaryInterval: tc.SummaryInterval, DedupeTTL: tc.DedupeTTL, MaxIDs: tc.MaxIDs}
	if tc.Rate != 0 {
		cfg.Limit = ratelimit.Limit{Rate: tc.Rate, Per: tc.Per, Burst: tc.Burst}
	}
	p, err := Jobs(cfg)
	if err != nil {
		return topology.Built{}, err
	}
	var built topology.Built
	for _, mk := range []func() (topology.Runnable, error){
		func() (topology.Runnable, error) { return processor.NewRunner(p.Fingerprint, spec.Processor) },
		func() (topology.Runnable, error) { return processor.NewRunner(p.Dedupe, spec.Processor) },
		func() (topology.Runnable, error) { return processor.NewRunner(p.RateLimit, spec.Processor) },
	} {
		r, err := mk()
		if err != nil {
			return topology.Built{}, err
		}
		built.Runners = append(built.Runners, r)
	}
	return built, nil
}
