// Package sinkjob makes the sinks' job kinds of a topology (package
// postgres's sink-postgres, redis's sink-redis, parquet's sink-parquet): what their config:
// sections share, and the runner of one sink job with its Prometheus
// metrics on the registry ripple run serves.
//
// It does not own the runner (package sink) nor the stores.
package sinkjob

import (
	"time"

	"github.com/ripplestream/ripple/jobs/sink"
	"github.com/ripplestream/ripple/jobs/sink/sinkprom"
	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/topology"
)

// InputRole is the input role of the sink kinds: the stream they write.
const InputRole = "events"

// Config is what every sink kind's config: section in a topology file
// has; unset fields take sink.Config's defaults.
type Config struct {
	BatchSize int           `yaml:"batch_size"`
	BatchWait time.Duration `yaml:"batch_wait"`
	// Errors is the error topic. Default <job>.error.
	Errors string `yaml:"errors"`
}

// SinkConfig returns the sink.Config of a sink job of a topology: named
// after the job, reading its events input, with the topology's Kafka
// settings, input wait and logger.
func SinkConfig(spec topology.Spec, c Config) sink.Config {
	p := spec.Processor
	return sink.Config{Name: string(spec.Name), Input: spec.Inputs[InputRole], Brokers: p.Brokers, KafkaVersion: p.KafkaVersion,
		Security: p.Security, Replication: p.Replication, BatchSize: c.BatchSize, BatchWait: c.BatchWait,
		Errors: processor.Stream(c.Errors), InputWait: p.InputWait, Logger: p.Logger}
}

// Build returns the runner of the sink job spec, with its metrics on
// spec.Metrics, writing to the store open returns (open gets the sink's
// name; the runner's Close closes the store).
func Build(spec topology.Spec, c Config, open func(name string) (sink.Store, error)) (topology.Built, error) {
	cfg := SinkConfig(spec, c)
	if spec.Metrics != nil {
		m, err := sinkprom.New(spec.Metrics)
		if err != nil {
			return topology.Built{}, err
		}
		cfg.Hook = m
	}
	if err := cfg.Validate(); err != nil {
		return topology.Built{}, err
	}
	store, err := open(cfg.Name)
	if err != nil {
		return topology.Built{}, err
	}
	r, err := sink.New(cfg, store)
	if err != nil {
		store.Close()
		return topology.Built{}, err
	}
	return topology.Built{Runners: []topology.Runnable{r}, Close: store.Close}, nil
}
