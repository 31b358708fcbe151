package postgres

import (
	"context"
	"os"

	"github.com/ripplestream/ripple/jobs/sink"
	"github.com/ripplestream/ripple/jobs/sink/sinkprom"
	"github.com/ripplestream/ripple/topology"
)

// Kind is the name of the job kind Register adds.
const Kind = "sink-postgres"

// TopologyConfig is the config: section of a sink-postgres job in a
// topology file; unset fields take the defaults of Config and
// sink.Config. $VAR and ${VAR} in url are replaced by the environment's,
// so the file need not hold a password.
type TopologyConfig struct {
	sink.TopologyConfig `yaml:",inline"`
	URL                 string   `yaml:"url"`
	Table               string   `yaml:"table"`
	KeyColumn           string   `yaml:"key_column"`
	KeyPointer          string   `yaml:"key_pointer"`
	EventColumn         string   `yaml:"event_column"`
	Columns             []Column `yaml:"columns"`
	CreateTable         bool     `yaml:"create_table"`
	OffsetsTable        string   `yaml:"offsets_table"`
}

// Register adds the sink-postgres job kind to r: input role events, which
// it upserts into a PostgreSQL table (see the package doc).
func Register(r *topology.Registry) {
	r.Add(topology.Kind{Name: Kind, Inputs: map[string]string{sink.InputRole: ""}, Build: build})
}

func build(ctx context.Context, spec topology.Spec) (topology.Built, error) {
	var tc TopologyConfig
	if err := spec.Decode(&tc); err != nil {
		return topology.Built{}, err
	}
	scfg := sink.FromSpec(spec, tc.TopologyConfig)
	if spec.Metrics != nil {
		m, err := sinkprom.New(spec.Metrics)
		if err != nil {
			return topology.Built{}, err
		}
		scfg.Hook = m
	}
	if err := scfg.Validate(); err != nil {
		return topology.Built{}, err
	}
	store, err := Open(ctx, Config{Name: scfg.Name, URL: os.ExpandEnv(tc.URL), Table: tc.Table, KeyColumn: tc.KeyColumn,
		KeyPointer: tc.KeyPointer, EventColumn: tc.EventColumn, Columns: tc.Columns, CreateTable: tc.CreateTable,
		OffsetsTable: tc.OffsetsTable})
	if err != nil {
		return topology.Built{}, err
	}
	r, err := sink.New(scfg, store)
	if err != nil {
		store.Close()
		return topology.Built{}, err
	}
	return topology.Built{Runners: []topology.Runnable{r}, Close: store.Close}, nil
}
