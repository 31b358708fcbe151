package anomaly

import (
	"context"
	"time"

	"github.com/ripplestream/ripple/processor"
	detect "github.com/ripplestream/ripple/processor/anomaly"
	"github.com/ripplestream/ripple/topology"
)

// TopologyConfig is the config: section of an anomaly job in a topology
// file; unset fields take processor/anomaly's defaults.
type TopologyConfig struct {
	AlertmanagerURL string            `yaml:"alertmanager_url"`
	Labels          map[string]string `yaml:"labels"`
	RunbookURL      string            `yaml:"runbook_url"`
	// Bucket, History, MinHistory and Threshold are the detector's.
	Bucket     time.Duration `yaml:"bucket"`
	History    int           `yaml:"history"`
	MinHistory int           `yaml:"min_history"`
	Threshold  float64       `yaml:"threshold"`
}

// Register adds three job kinds to r, one per watched stream, each with
// output role alerts: edit-anomaly (input page_changes), client-error-anomaly
// (input client_errors, events with a fingerprint) and purge-anomaly
// (input purges).
func Register(r *topology.Registry) {
	for _, k := range []struct{ name, role, schema string }{
		{"edit-anomaly", "page_changes", "mediawiki/page/change"},
		{"client-error-anomaly", "client_errors", ""},
		{"purge-anomaly", "purges", "resource_change"},
	} {
		r.Add(topology.Kind{
			Name:    k.name,
			Inputs:  map[string]string{k.role: k.schema},
			Outputs: map[string]string{"alerts": "ripple/alert"},
			Build: func(_ context.Context, spec topology.Spec) (topology.Built, error) {
				var tc TopologyConfig
				if err := spec.Decode(&tc); err != nil {
					return topology.Built{}, err
				}
				cfg := Config{Name: spec.Name, AlertmanagerURL: tc.AlertmanagerURL, Labels: tc.Labels, RunbookURL: tc.RunbookURL,
					Alerts:   topology.Bound(spec.Outputs, "alerts", processor.Stream(string(spec.Name)+".alerts")),
					Detector: detect.Detector{Bucket: tc.Bucket, History: tc.History, MinHistory: tc.MinHistory, Threshold: tc.Threshold}}
				in := spec.Inputs[k.role]
				switch k.role {
				case "page_changes":
					cfg.PageChanges = in
				case "client_errors":
					cfg.ClientErrors = in
				default:
					cfg.Purges = in
				}
				jobs, err := Jobs(cfg)
				if err != nil {
					return topology.Built{}, err
				}
				var built topology.Built
				for _, j := range jobs {
					r, err := processor.NewRunner(j, spec.Processor)
					if err != nil {
						return topology.Built{}, err
					}
					built.Runners = append(built.Runners, r)
				}
				return built, nil
			},
		})
	}
}
