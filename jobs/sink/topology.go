package sink

import (
	"time"

	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/topology"
)

// InputRole is the input role of the sink kinds of a topology (package
// postgres's sink-postgres, redis's sink-redis): the stream they write.
const InputRole = "events"

// TopologyConfig is what every sink kind's config: section in a topology
// file has; unset fields take Config's defaults.
type TopologyConfig struct {
	BatchSize int           `yaml:"batch_size"`
	BatchWait time.Duration `yaml:"batch_wait"`
	// Errors is the error topic. Default <job>.error.
	Errors string `yaml:"errors"`
}

// FromSpec returns the Config of a sink job of a topology: named after the
// job, reading its events input, with the topology's Kafka settings,
// input wait and logger. The caller sets Hook.
func FromSpec(spec topology.Spec, tc TopologyConfig) Config {
	p := spec.Processor
	return Config{Name: string(spec.Name), Input: spec.Inputs[InputRole], Brokers: p.Brokers, KafkaVersion: p.KafkaVersion,
		Security: p.Security, Replication: p.Replication, BatchSize: tc.BatchSize, BatchWait: tc.BatchWait,
		Errors: processor.Stream(tc.Errors), InputWait: p.InputWait, Logger: p.Logger}
}
