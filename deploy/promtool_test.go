package deploy

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// promtool runs Prometheus's promtool through deploy/local/promtool, which
// installs the Debian package prometheus when promtool is missing.
func promtool(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("local/promtool", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func TestRulesPassPromtool(t *testing.T) {
	promtool(t, "check", "rules", "prometheus/rules.yaml")
	// Fires each alert on synthetic series and checks its labels and
	// annotations (rules_test.yaml).
	promtool(t, "test", "rules", "prometheus/rules_test.yaml")
}

func TestEveryAlertIsTestedAndHasARunbook(t *testing.T) {
	b, err := os.ReadFile("prometheus/rules_test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var tests struct {
		Tests []struct {
			AlertRuleTest []struct {
				Alertname string `yaml:"alertname"`
				ExpAlerts []any  `yaml:"exp_alerts"`
			} `yaml:"alert_rule_test"`
		} `yaml:"tests"`
	}
	if err := yaml.Unmarshal(b, &tests); err != nil {
		t.Fatal(err)
	}
	fired := map[string]bool{}
	for _, tc := range tests.Tests {
		for _, a := range tc.AlertRuleTest {
			if len(a.ExpAlerts) > 0 {
				fired[a.Alertname] = true
			}
		}
	}
	runbook, err := os.ReadFile("prometheus/RUNBOOK.md")
	if err != nil {
		t.Fatal(err)
	}
	anchors := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^## (\w+)$`).FindAllStringSubmatch(string(runbook), -1) {
		anchors[strings.ToLower(m[1])] = true
	}
	const base = "https://github.com/ripplestream/ripple/blob/main/deploy/prometheus/RUNBOOK.md#"
	for _, g := range readRules(t).Groups {
		for _, r := range g.Rules {
			if r.Alert == "" {
				continue
			}
			if !fired[r.Alert] {
				t.Errorf("no test in rules_test.yaml fires %s", r.Alert)
			}
			if r.Labels["severity"] == "" || r.Annotations["summary"] == "" || r.Annotations["description"] == "" {
				t.Errorf("%s: want a severity label and summary and description annotations", r.Alert)
			}
			url := r.Annotations["runbook_url"]
			if url != base+strings.ToLower(r.Alert) || !anchors[strings.ToLower(r.Alert)] {
				t.Errorf("%s: runbook_url %q, want %s%s with a section \"## %s\" in RUNBOOK.md", r.Alert, url, base, strings.ToLower(r.Alert), r.Alert)
			}
		}
	}
}

// TestDashboardQueriesParse has promtool parse every panel's query, as a
// recording rule with Grafana's variables filled in.
func TestDashboardQueriesParse(t *testing.T) {
	vars := strings.NewReplacer("$__rate_interval", "5m", "$namespace", "ripple", "$job", ".*", "${datasource}", "prometheus")
	var rules strings.Builder
	rules.WriteString("groups:\n  - name: dashboard\n    rules:\n")
	n := 0
	for _, p := range readDashboard(t).Panels {
		for _, q := range p.Targets {
			n++
			expr, err := yaml.Marshal(vars.Replace(q.Expr))
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&rules, "      - record: panel:%d\n        expr: %s", n, expr)
		}
	}
	f := filepath.Join(t.TempDir(), "dashboard-rules.yaml")
	if err := os.WriteFile(f, []byte(rules.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if out := promtool(t, "check", "rules", f); !strings.Contains(out, fmt.Sprintf("%d rules found", n)) {
		t.Errorf("promtool checked fewer than the %d queries:\n%s", n, out)
	}
}
