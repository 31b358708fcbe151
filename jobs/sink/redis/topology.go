package redis

import (
	"context"
	"os"
	"time"

	"github.com/ripplestream/ripple/internal/kafkaclient"
	"github.com/ripplestream/ripple/jobs/sink"
	"github.com/ripplestream/ripple/jobs/sink/sinkjob"
	"github.com/ripplestream/ripple/topology"
)

// Kind is the name of the job kind Register adds.
const Kind = "sink-redis"

// TopologyConfig is the config: section of a sink-redis job in a topology
// file; unset fields take the defaults of Config and sink.Config. $VAR and
// ${VAR} in addr and password are replaced by the environment's, so the
// file need not hold a password.
type TopologyConfig struct {
	sinkjob.Config `yaml:",inline"`
	Addr           string        `yaml:"addr"`
	Username       string        `yaml:"username"`
	Password       string        `yaml:"password"`
	DB             int           `yaml:"db"`
	KeyPointer     string        `yaml:"key_pointer"`
	KeyPrefix      string        `yaml:"key_prefix"`
	ValuePointer   string        `yaml:"value_pointer"`
	TTL            time.Duration `yaml:"ttl"`
	OffsetsKey     string        `yaml:"offsets_key"`
}

// Register adds the sink-redis job kind to r: input role events, whose
// latest value per key it keeps in Redis (see the package doc).
func Register(r *topology.Registry) {
	r.Add(topology.Kind{Name: Kind, Inputs: map[string]string{sinkjob.InputRole: ""}, Build: build})
}

func build(ctx context.Context, spec topology.Spec) (topology.Built, error) {
	var tc TopologyConfig
	if err := spec.Decode(&tc); err != nil {
		return topology.Built{}, err
	}
	return sinkjob.Build(spec, tc.Config, func(name string) (sink.Store, error) {
		return Open(ctx, Config{Name: name, Addr: os.ExpandEnv(tc.Addr), Username: tc.Username,
			Password: kafkaclient.Secret(os.ExpandEnv(tc.Password)), DB: tc.DB, KeyPointer: tc.KeyPointer,
			KeyPrefix: tc.KeyPrefix, ValuePointer: tc.ValuePointer, TTL: tc.TTL, OffsetsKey: tc.OffsetsKey})
	})
}
