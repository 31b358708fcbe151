package topology

import (
	"bytes"
	"context"
	"fmt"
	"sort"

	"github.com/prometheus/client_golang/prometheus"
	"go.yaml.in/yaml/v3"

	"github.com/ripplestream/ripple/processor"
)

// Kind is a job kind a topology's jobs name (kind: changeprop): the roles
// of its inputs and outputs, with the schema title each expects, and how
// to build it. Packages under jobs/ register theirs (changeprop.Register).
type Kind struct {
	Name string
	// Inputs and Outputs map each role to the schema title of its events
	// ("" for any). A role the topology leaves out takes the kind's
	// default stream.
	Inputs, Outputs map[string]string
	// Build makes the kind's runners for one job of a topology.
	Build func(ctx context.Context, spec Spec) (Built, error)
}

// Spec is what a Kind's Build gets: the job's name, its bound streams,
// its configuration and the processor configuration to run it with.
type Spec struct {
	Name    processor.Group
	Inputs  map[string]processor.Stream
	Outputs map[string]processor.Stream
	// Processor is the configuration to make runners with (brokers, state
	// directory, metrics hooks, logger).
	Processor processor.Config
	// Metrics is the registry /metrics serves, for kinds whose runners
	// are not processor jobs (the sinks) and keep metrics of their own.
	// Nil outside Run.
	Metrics prometheus.Registerer
	config  *yaml.Node
}

// Decode decodes the job's config: section into v, refusing unknown keys.
func (s Spec) Decode(v any) error {
	if s.config == nil {
		return nil
	}
	if err := decodeStrict(s.config, v); err != nil {
		return fmt.Errorf("topology: job %s config (line %d): %w", s.Name, s.config.Line, err)
	}
	return nil
}

// Runnable is what Run runs: processor.Runner satisfies it.
type Runnable interface {
	Run(ctx context.Context) error
	Ready() bool
	Healthy() error
	Waiting() string
}

// Built is what a Kind's Build makes: the runners of the job and, if
// set, what to close once they have stopped (a dependency store).
type Built struct {
	Runners []Runnable
	Close   func() error
}

// Registry holds the job kinds a topology may use. It is a value made by
// NewRegistry and filled by the jobs' Register functions; there is no
// global one.
type Registry struct{ kinds map[string]Kind }

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{kinds: map[string]Kind{}} }

// Add registers k; registering a name twice panics, as it is a
// programming error.
func (r *Registry) Add(k Kind) {
	if _, dup := r.kinds[k.Name]; dup {
		panic("topology: job kind " + k.Name + " registered twice")
	}
	r.kinds[k.Name] = k
}

// Kind returns the kind named name.
func (r *Registry) Kind(name string) (Kind, bool) {
	k, ok := r.kinds[name]
	return k, ok
}

// Names returns the registered kinds, sorted.
func (r *Registry) Names() []string {
	var out []string
	for n := range r.kinds {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Bound returns the stream bound to role in m, or def when none is.
func Bound(m map[string]processor.Stream, role string, def processor.Stream) processor.Stream {
	if s, ok := m[role]; ok {
		return s
	}
	return def
}

func decodeStrict(n *yaml.Node, v any) error {
	// yaml.Node.Decode has no KnownFields; re-encode and decode strictly.
	b, err := yaml.Marshal(n)
	if err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	return dec.Decode(v)
}
