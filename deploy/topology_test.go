package deploy

import (
	"maps"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/ripplestream/ripple/jobs"
	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/topology"
	"github.com/ripplestream/ripple/topology/streamconfig"
)

// clusterConfig are the keys of a job's config that the Kubernetes
// topologies set apart from the sample: where the cluster's Dgraph and
// Alertmanager are. Everything else of a job is the sample's.
var clusterConfig = []string{"dgraph", "alertmanager_url"}

// sampleTopology loads the sample topology that the Kubernetes manifests
// deploy, deploy/topology/wikimedia.yaml.
func sampleTopology(t *testing.T) *topology.Topology {
	t.Helper()
	top, err := topology.Load("topology/wikimedia.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := top.Validate(jobs.Kinds()); err != nil {
		t.Fatal(err)
	}
	return top
}

// TestKubernetesTopologiesAreTheSample checks the topologies of
// ripple-topology against the sample: every stream one declares is
// declared as the sample declares it, every job of the sample is in the
// file its StatefulSet mounts (<job>.yaml), once, with the sample's kind,
// bindings and config (but clusterConfig), and the intake's file declares
// every stream of the sample and no job.
func TestKubernetesTopologiesAreTheSample(t *testing.T) {
	sample := sampleTopology(t)
	files := byKind(readManifests(t, "kubernetes"))["ConfigMap"]["ripple-topology"].Data
	in := map[processor.Group]string{} // the file declaring each job
	declared := map[processor.Stream]bool{}
	for _, file := range slices.Sorted(maps.Keys(files)) {
		top, err := topology.Parse(file, []byte(files[file]))
		if err != nil {
			t.Error(err)
			continue
		}
		if err := top.Validate(jobs.Kinds()); err != nil {
			t.Errorf("%s: %v", file, err)
		}
		for _, s := range top.Streams {
			declared[s.Name] = true
			want := sample.Stream(s.Name)
			if want == nil {
				t.Errorf("%s declares stream %s, which the sample does not", file, s.Name)
				continue
			}
			if got, want := shapeOf(s), shapeOf(*want); !reflect.DeepEqual(got, want) {
				t.Errorf("%s: stream %s is %+v; the sample declares %+v", file, s.Name, got, want)
			}
		}
		for _, j := range top.Jobs {
			if other, dup := in[j.Name]; dup {
				t.Errorf("job %s is in both %s and %s; one StatefulSet runs it", j.Name, other, file)
			}
			in[j.Name] = file
			if file != string(j.Name)+".yaml" {
				t.Errorf("%s declares job %s, whose StatefulSet mounts %s.yaml", file, j.Name, j.Name)
			}
			i := slices.IndexFunc(sample.Jobs, func(s topology.Job) bool { return s.Name == j.Name })
			if i < 0 {
				t.Errorf("%s declares job %s, which the sample does not", file, j.Name)
				continue
			}
			want := sample.Jobs[i]
			if j.Kind != want.Kind {
				t.Errorf("%s: job %s has kind %s; the sample's is %s", file, j.Name, j.Kind, want.Kind)
			}
			for what, b := range map[string][2][]topology.Binding{"inputs": {j.Inputs, want.Inputs}, "outputs": {j.Outputs, want.Outputs}} {
				if got, want := bound(b[0]), bound(b[1]); !maps.Equal(got, want) {
					t.Errorf("%s: job %s %s %v; the sample's are %v", file, j.Name, what, got, want)
				}
			}
			if got, want := config(t, j), config(t, want); !reflect.DeepEqual(got, want) {
				t.Errorf("%s: job %s config %v; the sample's is %v (only %q may differ)", file, j.Name, got, want, clusterConfig)
			}
		}
	}
	for _, j := range sample.Jobs {
		if in[j.Name] == "" {
			t.Errorf("the sample's job %s is in no topology of ripple-topology", j.Name)
		}
	}
	for _, s := range sample.Streams {
		if !declared[s.Name] {
			t.Errorf("the sample's stream %s is in no topology of ripple-topology", s.Name)
		}
	}

	// The intake takes events into any stream of the platform.
	intake, err := topology.Parse("intake.yaml", []byte(files["intake.yaml"]))
	if err != nil {
		t.Fatal(err)
	}
	var got, want []processor.Stream
	for _, s := range intake.Streams {
		got = append(got, s.Name)
	}
	for _, s := range sample.Streams {
		want = append(want, s.Name)
	}
	if len(intake.Jobs) != 0 || !slices.Equal(got, want) {
		t.Errorf("intake.yaml declares streams %q and %d jobs; want the sample's streams %q and no job", got, len(intake.Jobs), want)
	}
}

// shape is what a topology declares of a stream, without where.
type shape struct {
	Partitions, Replication int
	Retention               time.Duration
	Compact                 bool
	Schema                  string
	Settings                streamconfig.Settings
}

func shapeOf(s topology.Stream) shape {
	return shape{s.Partitions, s.Replication, s.Retention, s.Compact, s.Schema, s.Settings}
}

// bound maps each role of bs to its stream.
func bound(bs []topology.Binding) map[string]processor.Stream {
	m := map[string]processor.Stream{}
	for _, b := range bs {
		m[b.Role] = b.Stream
	}
	return m
}

// config decodes the job's config without the keys of clusterConfig.
func config(t *testing.T, j topology.Job) map[string]any {
	t.Helper()
	m := map[string]any{}
	if j.Config != nil {
		if err := j.Config.Decode(&m); err != nil {
			t.Fatalf("job %s config: %v", j.Name, err)
		}
	}
	for _, k := range clusterConfig {
		delete(m, k)
	}
	return m
}
