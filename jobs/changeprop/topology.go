package changeprop

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/ripplestream/ripple/deps"
	"github.com/ripplestream/ripple/deps/dgraphstore"
	"github.com/ripplestream/ripple/deps/pebblestore"
	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/topology"
)

// Kind is the name of the job kind Register adds.
const Kind = "changeprop"

// TopologyConfig is the config: section of a changeprop job in a topology
// file.
type TopologyConfig struct {
	// Dgraph are the gRPC addresses of Dgraph alphas holding the graph;
	// without them the graph is an embedded Pebble store in GraphDir.
	Dgraph []string `yaml:"dgraph"`
	// DgraphPrefix names the graph's predicates and types in Dgraph, so
	// several graphs (one per deployment) share a cluster. Default
	// dgraphstore.DefaultPrefix.
	DgraphPrefix string `yaml:"dgraph_prefix"`
	// GraphDir is the Pebble store's directory. Default
	// <state dir>/<job>.graph.
	GraphDir string `yaml:"graph_dir"`
	// CoalesceWindow is Config.CoalesceWindow ("10s"; "-1s" turns
	// merging off).
	CoalesceWindow time.Duration `yaml:"coalesce_window"`
	// MobilePurges is Config.MobilePurges.
	MobilePurges bool `yaml:"mobile_purges"`
}

// Register adds the changeprop job kind to r. Its inputs are the roles
// dependencies, page_changes and entity_changes; its outputs purges and
// rerenders. Bound, purges takes every purge; unbound, purges go to the
// streams Wikimedia's consumers read, by kind (Config.PurgeStreams). It
// runs both jobs (fan-out and coalesce) of Jobs.
func Register(r *topology.Registry) {
	r.Add(topology.Kind{
		Name: Kind,
		Inputs: map[string]string{
			"dependencies":   "ripple/page/dependencies",
			"page_changes":   "mediawiki/page/change",
			"entity_changes": "ripple/entity/change",
		},
		Outputs: map[string]string{
			"purges":    "resource_change",
			"rerenders": "mediawiki/cirrussearch/page_rerender",
		},
		Build: build,
	})
}

func build(ctx context.Context, spec topology.Spec) (topology.Built, error) {
	var tc TopologyConfig
	if err := spec.Decode(&tc); err != nil {
		return topology.Built{}, err
	}
	store, err := openStore(ctx, tc, spec)
	if err != nil {
		return topology.Built{}, err
	}
	cfg := Config{
		Name:           spec.Name,
		Store:          store,
		MobilePurges:   tc.MobilePurges,
		CoalesceWindow: tc.CoalesceWindow,
		Dependencies:   spec.Inputs["dependencies"],
		PageChanges:    spec.Inputs["page_changes"],
		EntityChanges:  spec.Inputs["entity_changes"],
		Purges:         spec.Outputs["purges"],
		Rerenders:      spec.Outputs["rerenders"],
	}
	fan, co, err := Jobs(cfg)
	if err != nil {
		store.Close()
		return topology.Built{}, err
	}
	pc := spec.Processor
	if pc.FetchWait == 0 {
		pc.FetchWait = FetchWait
	}
	r1, err := processor.NewRunner(fan, pc)
	if err != nil {
		store.Close()
		return topology.Built{}, err
	}
	r2, err := processor.NewRunner(co, spec.Processor)
	if err != nil {
		store.Close()
		return topology.Built{}, err
	}
	return topology.Built{Runners: []topology.Runnable{r1, r2}, Close: store.Close}, nil
}

// FetchWait is the fan-out job's processor.Config.FetchWait when the
// topology leaves it unset: each step of a walk goes round the job's
// loopback, and at sarama's default an idle partition holds each step up
// to 500 ms (BENCHMARKS.md, change-to-purge latency).
const FetchWait = 10 * time.Millisecond

// closingStore is a deps.Store with the Close of the stores Register opens.
type closingStore interface {
	deps.Store
	Close() error
}

func openStore(ctx context.Context, tc TopologyConfig, spec topology.Spec) (closingStore, error) {
	if len(tc.Dgraph) > 0 {
		s, err := dgraphstore.Open(ctx, dgraphstore.Config{Addrs: tc.Dgraph, Prefix: tc.DgraphPrefix})
		if err != nil {
			return nil, fmt.Errorf("changeprop: opening the Dgraph graph at %v: %w", tc.Dgraph, err)
		}
		return s, nil
	}
	dir := tc.GraphDir
	if dir == "" {
		dir = filepath.Join(spec.Processor.StateDir, string(spec.Name)+".graph")
	}
	s, err := pebblestore.Open(pebblestore.Config{Dir: dir})
	if err != nil {
		return nil, fmt.Errorf("changeprop: opening the Pebble graph in %s: %w", dir, err)
	}
	return s, nil
}
