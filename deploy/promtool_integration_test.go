//go:build integration

package deploy

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// These run Prometheus's promtool, which deploy/local/promtool installs
// (the Debian package prometheus) when it is missing: they are in the
// integration suite so that `make unit` installs nothing.

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
