package deploy

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.yaml.in/yaml/v3"

	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/processor/prommetrics"
	"github.com/ripplestream/ripple/state"
)

// exported returns the metrics ripple's jobs export, with their label
// names, as a scrape shows them: processor/prommetrics registers them all
// (the jobs, changeprop and entitychange included, export theirs through
// its processor hooks and register nothing of their own). Each metric is
// observed once, because a vector shows no series before.
func exported(t *testing.T) map[string][]string {
	t.Helper()
	reg := prometheus.NewRegistry()
	m, err := prommetrics.New(reg)
	if err != nil {
		t.Fatal(err)
	}
	m.OnEvent(processor.EventInfo{Job: "j", Stream: "s", Outcome: processor.OutcomeOK, Duration: time.Millisecond, Emitted: 1})
	m.OnPartition(processor.PartitionInfo{Job: "j", Lag: map[processor.Stream]int64{"s": 1}, Recovering: true,
		RecoveryLag: 1, State: &state.Stats{DiskBytes: 1, EstimatedKeys: 1, Compactions: 1}})
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, mf := range mfs {
		var labels []string
		for _, l := range mf.GetMetric()[0].GetLabel() {
			labels = append(labels, l.GetName())
		}
		name := mf.GetName()
		switch mf.GetType().String() {
		case "HISTOGRAM":
			out[name+"_bucket"] = append(slices.Clone(labels), "le")
			out[name+"_sum"] = labels
			out[name+"_count"] = labels
		default:
			out[name] = labels
		}
	}
	return out
}

// scrapeLabels are the labels Prometheus adds to every series it scrapes
// through the PodMonitor (podTargetLabels adds app_kubernetes_io_part_of;
// ripple's own job label wins over the scrape job by honorLabels).
var scrapeLabels = []string{"namespace", "pod", "container", "endpoint", "instance", "job", "app_kubernetes_io_part_of"}

// external are the metrics the rules use that ripple does not export:
// Prometheus's own up, and kube-state-metrics' StatefulSet replicas, which
// say whether pods pass /readyz.
var external = map[string][]string{
	"up":                                     scrapeLabels,
	"kube_statefulset_replicas":              {"namespace", "statefulset"},
	"kube_statefulset_status_replicas_ready": {"namespace", "statefulset"},
}

// checkExpr checks that every metric expr selects is known, and every
// label it matches on is one the metric has.
func checkExpr(t *testing.T, where, expr string, known map[string][]string) []string {
	t.Helper()
	sels := selectors(expr)
	if len(sels) == 0 {
		t.Errorf("%s: no metric in %q", where, expr)
	}
	var used []string
	for _, s := range sels {
		labels, ok := known[s.metric]
		if !ok {
			labels, ok = external[s.metric]
		}
		if !ok {
			t.Errorf("%s: metric %s is not one ripple exports (%q)", where, s.metric, expr)
			continue
		}
		used = append(used, s.metric)
		for _, l := range s.labels {
			if !slices.Contains(labels, l) && !slices.Contains(scrapeLabels, l) {
				t.Errorf("%s: %s has no label %s (it has %v)", where, s.metric, l, labels)
			}
		}
	}
	return used
}

type ruleFile struct {
	Groups []struct {
		Name  string `yaml:"name"`
		Rules []struct {
			Alert       string            `yaml:"alert"`
			Expr        string            `yaml:"expr"`
			Labels      map[string]string `yaml:"labels"`
			Annotations map[string]string `yaml:"annotations"`
		} `yaml:"rules"`
	} `yaml:"groups"`
}

func readRules(t *testing.T) ruleFile {
	t.Helper()
	b, err := os.ReadFile("prometheus/rules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var rf ruleFile
	if err := yaml.Unmarshal(b, &rf); err != nil {
		t.Fatalf("prometheus/rules.yaml: %v", err)
	}
	return rf
}

func TestRulesUseExportedMetrics(t *testing.T) {
	known := exported(t)
	n := 0
	for _, g := range readRules(t).Groups {
		for _, r := range g.Rules {
			n++
			checkExpr(t, "alert "+r.Alert, r.Expr, known)
		}
	}
	if n == 0 {
		t.Fatal("prometheus/rules.yaml has no rules")
	}
}

type dashboard struct {
	UID        string `json:"uid"`
	Title      string `json:"title"`
	Templating struct {
		List []struct {
			Name  string `json:"name"`
			Type  string `json:"type"`
			Query any    `json:"query"`
		} `json:"list"`
	} `json:"templating"`
	Panels []struct {
		ID         int    `json:"id"`
		Title      string `json:"title"`
		Datasource struct {
			UID string `json:"uid"`
		} `json:"datasource"`
		Targets []struct {
			Expr string `json:"expr"`
		} `json:"targets"`
	} `json:"panels"`
}

func readDashboard(t *testing.T) dashboard {
	t.Helper()
	b, err := os.ReadFile("grafana/ripple-dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	var d dashboard
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("grafana/ripple-dashboard.json: %v", err)
	}
	return d
}

// labelValues matches a Grafana variable query label_values(SELECTOR, LABEL).
var labelValues = regexp.MustCompile(`^label_values\((.+),\s*(\w+)\)$`)

func TestDashboard(t *testing.T) {
	d := readDashboard(t)
	if d.UID == "" || d.Title == "" || len(d.Panels) == 0 {
		t.Fatalf("dashboard uid %q title %q with %d panels", d.UID, d.Title, len(d.Panels))
	}
	known := exported(t)
	ids := map[int]bool{}
	used := map[string]bool{}
	for _, p := range d.Panels {
		if p.Title == "" || ids[p.ID] {
			t.Errorf("panel %d %q: want a title and a unique id", p.ID, p.Title)
		}
		ids[p.ID] = true
		if p.Datasource.UID != "${datasource}" {
			t.Errorf("panel %q reads datasource %q, want the dashboard's ${datasource}", p.Title, p.Datasource.UID)
		}
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, q := range p.Targets {
			if strings.TrimSpace(q.Expr) == "" {
				t.Errorf("panel %q has an empty query", p.Title)
			}
			for _, m := range checkExpr(t, "panel "+p.Title, q.Expr, known) {
				used[m] = true
			}
		}
	}
	for _, v := range d.Templating.List {
		if v.Type != "query" {
			continue
		}
		q, _ := v.Query.(map[string]any)
		text, _ := q["query"].(string)
		m := labelValues.FindStringSubmatch(text)
		if m == nil {
			t.Errorf("variable %s: query %q, want label_values(metric, label)", v.Name, text)
			continue
		}
		for _, s := range checkExpr(t, "variable "+v.Name, m[1], known) {
			if labels := known[s]; !slices.Contains(labels, m[2]) && !slices.Contains(scrapeLabels, m[2]) {
				t.Errorf("variable %s: %s has no label %s", v.Name, s, m[2])
			}
		}
	}
	// Every metric ripple exports is on the dashboard (a histogram by its
	// buckets).
	for name := range known {
		if strings.HasSuffix(name, "_sum") || strings.HasSuffix(name, "_count") {
			continue
		}
		if !used[name] {
			t.Errorf("no panel shows %s", name)
		}
	}
}
