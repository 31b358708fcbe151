package parquet

import (
	"context"
	"os"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/jobs/sink"
	"github.com/ripplestream/ripple/jobs/sink/sinkjob"
	"github.com/ripplestream/ripple/schemas"
	"github.com/ripplestream/ripple/topology"
)

// Kind is the name of the job kind Register adds.
const Kind = "sink-parquet"

// TopologyConfig is the config: section of a sink-parquet job in a
// topology file; unset fields take the defaults of Config and
// sink.Config. $VAR and ${VAR} in dir and schemas are replaced by the
// environment's.
type TopologyConfig struct {
	sinkjob.Config `yaml:",inline"`
	Dir            string `yaml:"dir"`
	// Schema is the URI of the schema the files are written with.
	Schema string `yaml:"schema"`
	// Schemas is the directory of a schema repository (laid out like
	// schemas-event-primary); default ripple's own (package schemas).
	Schemas     string   `yaml:"schemas"`
	TimeFields  []string `yaml:"time_fields"`
	Compression string   `yaml:"compression"`
}

// Register adds the sink-parquet job kind to r: input role events, which
// it writes to Parquet files partitioned by hour (see the package doc).
func Register(r *topology.Registry) {
	r.Add(topology.Kind{Name: Kind, Inputs: map[string]string{sinkjob.InputRole: ""}, Build: build})
}

func build(_ context.Context, spec topology.Spec) (topology.Built, error) {
	var tc TopologyConfig
	if err := spec.Decode(&tc); err != nil {
		return topology.Built{}, err
	}
	var repo *event.Repository
	var err error
	if tc.Schemas != "" {
		repo, err = event.OpenRepository(os.ExpandEnv(tc.Schemas))
	} else {
		repo, err = event.OpenRepositoryFS(schemas.FS())
	}
	if err != nil {
		return topology.Built{}, err
	}
	logger := sinkjob.SinkConfig(spec, tc.Config).WithDefaults().Logger
	return sinkjob.Build(spec, tc.Config, func(string) (sink.Store, error) {
		return Open(Config{Dir: os.ExpandEnv(tc.Dir), Repository: repo, Schema: tc.Schema, TimeFields: tc.TimeFields,
			Compression: tc.Compression, Logger: logger})
	})
}
