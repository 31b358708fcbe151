package deploy

import (
	"errors"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/ripplestream/ripple/jobs"
	"github.com/ripplestream/ripple/topology"
)

// object is the part of a Kubernetes object these tests read.
type object struct {
	APIVersion string            `yaml:"apiVersion"`
	Kind       string            `yaml:"kind"`
	Metadata   meta              `yaml:"metadata"`
	Spec       spec              `yaml:"spec"`
	Data       map[string]string `yaml:"data"`
	// Resources is a kustomization's list of files.
	Resources []string `yaml:"resources"`
}

type meta struct {
	Name   string            `yaml:"name"`
	Labels map[string]string `yaml:"labels"`
}

type spec struct {
	// StatefulSet
	ServiceName          string      `yaml:"serviceName"`
	Replicas             int         `yaml:"replicas"`
	Selector             selector    `yaml:"selector"`
	Template             podTemplate `yaml:"template"`
	VolumeClaimTemplates []struct {
		Metadata meta `yaml:"metadata"`
	} `yaml:"volumeClaimTemplates"`
	// Service (Selector is a plain map there; see serviceSelector)
	ClusterIP string        `yaml:"clusterIP"`
	Ports     []servicePort `yaml:"ports"`
	// PodMonitor
	JobLabel            string   `yaml:"jobLabel"`
	PodTargetLabels     []string `yaml:"podTargetLabels"`
	PodMetricsEndpoints []struct {
		Port        string `yaml:"port"`
		Path        string `yaml:"path"`
		HonorLabels bool   `yaml:"honorLabels"`
	} `yaml:"podMetricsEndpoints"`
}

// selector reads both a Service's selector (a map of labels) and a
// StatefulSet's or PodMonitor's (matchLabels).
type selector map[string]string

func (s *selector) UnmarshalYAML(n *yaml.Node) error {
	var m struct {
		MatchLabels map[string]string `yaml:"matchLabels"`
	}
	if err := n.Decode(&m); err != nil {
		return err
	}
	if m.MatchLabels != nil {
		*s = m.MatchLabels
		return nil
	}
	var plain map[string]string
	err := n.Decode(&plain)
	*s = plain
	return err
}

type servicePort struct {
	Name       string `yaml:"name"`
	Port       int    `yaml:"port"`
	TargetPort string `yaml:"targetPort"`
}

type podTemplate struct {
	Metadata meta `yaml:"metadata"`
	Spec     struct {
		TerminationGracePeriodSeconds int         `yaml:"terminationGracePeriodSeconds"`
		Containers                    []container `yaml:"containers"`
		Volumes                       []struct {
			Name      string `yaml:"name"`
			ConfigMap *struct {
				Name  string `yaml:"name"`
				Items []struct {
					Key  string `yaml:"key"`
					Path string `yaml:"path"`
				} `yaml:"items"`
			} `yaml:"configMap"`
		} `yaml:"volumes"`
	} `yaml:"spec"`
}

type container struct {
	Name  string   `yaml:"name"`
	Image string   `yaml:"image"`
	Args  []string `yaml:"args"`
	Env   []struct {
		Name      string `yaml:"name"`
		ValueFrom *struct {
			ConfigMapKeyRef *struct {
				Name string `yaml:"name"`
				Key  string `yaml:"key"`
			} `yaml:"configMapKeyRef"`
			FieldRef *struct {
				FieldPath string `yaml:"fieldPath"`
			} `yaml:"fieldRef"`
		} `yaml:"valueFrom"`
	} `yaml:"env"`
	Ports []struct {
		Name          string `yaml:"name"`
		ContainerPort int    `yaml:"containerPort"`
	} `yaml:"ports"`
	ReadinessProbe *probe `yaml:"readinessProbe"`
	LivenessProbe  *probe `yaml:"livenessProbe"`
	VolumeMounts   []struct {
		Name      string `yaml:"name"`
		MountPath string `yaml:"mountPath"`
	} `yaml:"volumeMounts"`
}

type probe struct {
	HTTPGet *struct {
		Path string `yaml:"path"`
		Port string `yaml:"port"`
	} `yaml:"httpGet"`
	PeriodSeconds    int `yaml:"periodSeconds"`
	FailureThreshold int `yaml:"failureThreshold"`
}

func (p *probe) String() string {
	if p == nil || p.HTTPGet == nil {
		return "(none)"
	}
	return "GET " + p.HTTPGet.Path + " on port " + p.HTTPGet.Port
}

// flag returns the value of --name=value in args.
func (c container) flag(name string) string {
	for _, a := range c.Args {
		if v, ok := strings.CutPrefix(a, "--"+name+"="); ok {
			return v
		}
	}
	return ""
}

// envFromField says whether the env var name comes from the pod field
// path.
func (c container) envFromField(name, path string) bool {
	for _, e := range c.Env {
		if e.Name == name && e.ValueFrom != nil && e.ValueFrom.FieldRef != nil {
			return e.ValueFrom.FieldRef.FieldPath == path
		}
	}
	return false
}

func (c container) port(name string) int {
	for _, p := range c.Ports {
		if p.Name == name {
			return p.ContainerPort
		}
	}
	return 0
}

func (c container) mount(name string) string {
	for _, m := range c.VolumeMounts {
		if m.Name == name {
			return m.MountPath
		}
	}
	return ""
}

// readManifests decodes every document of every YAML file in dir, by file.
func readManifests(t *testing.T, dir string) map[string][]object {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests in %s (%v)", dir, err)
	}
	out := map[string][]object{}
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		dec := yaml.NewDecoder(fh)
		for {
			var o object
			err := dec.Decode(&o)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			if o.APIVersion == "" || o.Kind == "" {
				t.Errorf("%s: a document without apiVersion or kind", f)
			}
			if o.Kind != "Kustomization" && o.Metadata.Name == "" {
				t.Errorf("%s: a %s without metadata.name", f, o.Kind)
			}
			out[filepath.Base(f)] = append(out[filepath.Base(f)], o)
		}
		fh.Close()
	}
	return out
}

// byKind indexes the objects of all files by kind, then name.
func byKind(files map[string][]object) map[string]map[string]object {
	out := map[string]map[string]object{}
	for _, objs := range files {
		for _, o := range objs {
			if out[o.Kind] == nil {
				out[o.Kind] = map[string]object{}
			}
			out[o.Kind][o.Metadata.Name] = o
		}
	}
	return out
}

// subset reports whether every label of sel is in labels, with its value.
func subset(sel, labels map[string]string) bool {
	if len(sel) == 0 {
		return false // an empty selector selects everything: never meant here
	}
	for k, v := range sel {
		if labels[k] != v {
			return false
		}
	}
	return true
}

func TestKustomizationListsEveryManifest(t *testing.T) {
	files := readManifests(t, "kubernetes")
	k := files["kustomization.yaml"]
	if len(k) != 1 || k[0].Kind != "Kustomization" {
		t.Fatalf("kubernetes/kustomization.yaml holds %d documents, want one Kustomization", len(k))
	}
	var want []string
	for f := range files {
		if f != "kustomization.yaml" {
			want = append(want, f)
		}
	}
	slices.Sort(want)
	got := slices.Sorted(slices.Values(k[0].Resources))
	if !slices.Equal(got, want) {
		t.Errorf("kustomization resources %q, want every manifest in the directory %q", got, want)
	}
}

// TestStatefulSets checks that every job of the sample topology runs as a
// StatefulSet of its own, with its state on a volume, probes on its metrics
// port, its topology and a headless and a metrics Service;
// TestPodMonitorScrapesEveryJob checks that the PodMonitor scrapes them.
func TestStatefulSets(t *testing.T) {
	objs := byKind(readManifests(t, "kubernetes"))
	sets := objs["StatefulSet"]
	var want []string
	for _, j := range sampleTopology(t).Jobs {
		want = append(want, "ripple-"+string(j.Name))
	}
	slices.Sort(want)
	if got := slices.Sorted(maps.Keys(sets)); !slices.Equal(got, want) {
		t.Fatalf("StatefulSets %q, want one per job of the sample topology: %q", got, want)
	}
	topology := objs["ConfigMap"]["ripple-topology"]
	for name, ss := range sets {
		t.Run(name, func(t *testing.T) {
			c := rippleContainer(t, ss.Spec.Selector, ss.Spec.Template, "run")
			pod := ss.Spec.Template.Metadata.Labels
			if ss.Spec.Replicas < 1 {
				t.Errorf("replicas %d", ss.Spec.Replicas)
			}

			// Static membership: the instance id is the pod's name, stable
			// across restarts of a StatefulSet's pod.
			if id, ok := strings.CutPrefix(c.flag("instance-id"), "$("); !ok || !c.envFromField(strings.TrimSuffix(id, ")"), "metadata.name") {
				t.Errorf("--instance-id %q, want $(VAR) of an env var from the pod's metadata.name", c.flag("instance-id"))
			}

			// Pebble state: a claim per pod, mounted where --state-dir says.
			stateDir := c.flag("state-dir")
			if stateDir == "" {
				t.Error("no --state-dir")
			}
			claims := 0
			for _, v := range ss.Spec.VolumeClaimTemplates {
				if c.mount(v.Metadata.Name) == stateDir {
					claims++
				}
			}
			if claims != 1 {
				t.Errorf("%d volumeClaimTemplates mounted at --state-dir %q, want 1", claims, stateDir)
			}

			// Metrics and probes on one named port, the one --metrics-addr opens.
			addr := c.flag("metrics-addr")
			port := c.port("metrics")
			if port == 0 || !strings.HasSuffix(addr, ":"+strconv.Itoa(port)) {
				t.Errorf("container port metrics %d, --metrics-addr %q: they must agree", port, addr)
			}
			for _, p := range []struct {
				what  string
				probe *probe
				path  string
			}{{"readiness", c.ReadinessProbe, "/readyz"}, {"liveness", c.LivenessProbe, "/healthz"}} {
				if p.probe == nil || p.probe.HTTPGet == nil || p.probe.HTTPGet.Path != p.path || p.probe.HTTPGet.Port != "metrics" {
					t.Errorf("%s probe %s, want GET %s on port metrics", p.what, p.probe, p.path)
				}
			}

			// The topology: this job's key of the ConfigMap, as topology.yaml.
			component := pod["app.kubernetes.io/component"]
			checkTopologyVolume(t, ss.Spec.Template, component+".yaml")
			checkTopology(t, topology.Data[component+".yaml"], component)
			checkBrokers(t, c, objs)

			// The governing Service is headless and selects the pods.
			gov, ok := objs["Service"][ss.Spec.ServiceName]
			if !ok || gov.Spec.ClusterIP != "None" || !subset(gov.Spec.Selector, pod) {
				t.Errorf("serviceName %q: want a headless Service selecting the pods, got %+v", ss.Spec.ServiceName, gov.Spec)
			}
			// The metrics Service selects the pods on the metrics port.
			ms, ok := objs["Service"][name+"-metrics"]
			if !ok || !subset(ms.Spec.Selector, pod) || len(ms.Spec.Ports) != 1 ||
				ms.Spec.Ports[0].TargetPort != "metrics" || ms.Spec.Ports[0].Port != port {
				t.Errorf("Service %s-metrics: want it to select the pods on port metrics (%d), got %+v", name, port, ms.Spec)
			}
		})
	}
}

// rippleContainer checks that selector selects the pod template's labels
// and that the pod runs one container, `ripple COMMAND
// /etc/ripple/topology.yaml ...`, and returns it.
func rippleContainer(t *testing.T, selector map[string]string, tmpl podTemplate, command string) container {
	t.Helper()
	if pod := tmpl.Metadata.Labels; !subset(selector, pod) {
		t.Errorf("selector %v does not select the pod template's labels %v", selector, pod)
	}
	cs := tmpl.Spec.Containers
	if len(cs) != 1 {
		t.Fatalf("%d containers, want one running ripple %s", len(cs), command)
	}
	c := cs[0]
	if len(c.Args) < 2 || c.Args[0] != command || c.Args[1] != "/etc/ripple/topology.yaml" {
		t.Errorf("args %q, want ripple %s /etc/ripple/topology.yaml ...", c.Args, command)
	}
	return c
}

// checkTopologyVolume checks that the pod's container finds key of the
// ConfigMap ripple-topology as /etc/ripple/topology.yaml.
func checkTopologyVolume(t *testing.T, pod podTemplate, key string) {
	t.Helper()
	if m := pod.Spec.Containers[0].mount("topology"); m != "/etc/ripple" {
		t.Errorf("topology volume mounted at %q, want /etc/ripple", m)
	}
	found := false
	for _, v := range pod.Spec.Volumes {
		if v.Name != "topology" || v.ConfigMap == nil {
			continue
		}
		found = v.ConfigMap.Name == "ripple-topology" && len(v.ConfigMap.Items) == 1 &&
			v.ConfigMap.Items[0].Key == key && v.ConfigMap.Items[0].Path == "topology.yaml"
	}
	if !found {
		t.Errorf("no topology volume projecting ripple-topology's %s as topology.yaml", key)
	}
}

// checkBrokers checks that the container's RIPPLE_BROKERS comes from a key
// the manifests' ConfigMaps set.
func checkBrokers(t *testing.T, c container, objs map[string]map[string]object) {
	t.Helper()
	brokers := false
	for _, e := range c.Env {
		if e.Name == "RIPPLE_BROKERS" && e.ValueFrom != nil && e.ValueFrom.ConfigMapKeyRef != nil {
			ref := e.ValueFrom.ConfigMapKeyRef
			brokers = objs["ConfigMap"][ref.Name].Data[ref.Key] != ""
		}
	}
	if !brokers {
		t.Error("RIPPLE_BROKERS does not come from a key the manifests' ConfigMaps set")
	}
}

// checkTopology checks that a topology file parses, validates against
// ripple's job kinds (those `ripple run` knows) and declares job alone.
func checkTopology(t *testing.T, text, job string) {
	t.Helper()
	topo, err := topology.Parse(job+".yaml", []byte(text))
	if err != nil {
		t.Fatalf("topology of %s: %v", job, err)
	}
	if err := topo.Validate(jobs.Kinds()); err != nil {
		t.Errorf("topology of %s: %v", job, err)
	}
	if len(topo.Streams) == 0 || len(topo.Jobs) != 1 || string(topo.Jobs[0].Name) != job {
		t.Errorf("topology of %s: want streams and the one job %s, got %+v", job, job, topo)
	}
}

func TestPodMonitorScrapesEveryJob(t *testing.T) {
	objs := byKind(readManifests(t, "kubernetes"))
	pms := objs["PodMonitor"]
	if len(pms) != 1 {
		t.Fatalf("%d PodMonitors, want 1", len(pms))
	}
	// What it must scrape: each job's pods, with the Service in front of
	// their metrics, and the intake's.
	type workload struct {
		kind, name, service string
		ss                  object
	}
	var workloads []workload
	for name, ss := range objs["StatefulSet"] {
		workloads = append(workloads, workload{"StatefulSet", name, name + "-metrics", ss})
	}
	for name, d := range objs["Deployment"] {
		workloads = append(workloads, workload{"Deployment", name, name, d})
	}
	for _, pm := range pms {
		if pm.APIVersion != "monitoring.coreos.com/v1" {
			t.Errorf("PodMonitor apiVersion %q", pm.APIVersion)
		}
		eps := pm.Spec.PodMetricsEndpoints
		var ports []string
		for _, ep := range eps {
			if ep.Path != "/metrics" || !ep.HonorLabels {
				t.Errorf("podMetricsEndpoint %+v, want /metrics with honorLabels (ripple's job label)", ep)
			}
			ports = append(ports, ep.Port)
		}
		if !slices.Contains(ports, "metrics") {
			t.Errorf("podMetricsEndpoints %+v, want one on port metrics, the jobs'", eps)
		}
		for _, w := range workloads {
			pod := w.ss.Spec.Template.Metadata.Labels
			if !subset(pm.Spec.Selector, pod) {
				t.Errorf("PodMonitor selector %v misses %s %s's pods %v", pm.Spec.Selector, w.kind, w.name, pod)
			}
			scraped := false
			for _, p := range ports {
				scraped = scraped || w.ss.Spec.Template.Spec.Containers[0].port(p) != 0
			}
			if !scraped {
				t.Errorf("%s's pods have no port the PodMonitor scrapes (%q)", w.name, ports)
			}
			for _, l := range append([]string{pm.Spec.JobLabel}, pm.Spec.PodTargetLabels...) {
				if pod[l] == "" {
					t.Errorf("PodMonitor takes label %q from %s's pods, which lack it", l, w.name)
				}
			}
			// The Service in front of the pods' metrics selects what the
			// PodMonitor scrapes.
			if ms, ok := objs["Service"][w.service]; !ok || !subset(pm.Spec.Selector, ms.Metadata.Labels) {
				t.Errorf("the Service %s lacks the PodMonitor's labels %v", w.service, pm.Spec.Selector)
			}
		}
		// The rules select ripple's targets by the label podTargetLabels adds.
		if !slices.Contains(pm.Spec.PodTargetLabels, "app.kubernetes.io/part-of") {
			t.Error("podTargetLabels lacks app.kubernetes.io/part-of, which the rules select on as app_kubernetes_io_part_of")
		}
	}
}
