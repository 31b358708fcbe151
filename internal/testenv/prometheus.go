package testenv

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// Prometheus is the real Prometheus server named by RIPPLE_PROMETHEUS_URL,
// which scrapes the targets tests register in RIPPLE_PROMETHEUS_TARGETS
// (deploy/local/prometheus).
type Prometheus struct {
	t       testing.TB
	base    string
	targets string
}

// PrometheusServer returns the real Prometheus server, failing the test
// with the command that starts it when it is not configured or not ready.
func PrometheusServer(t testing.TB) *Prometheus {
	t.Helper()
	base := readyURL(t, EnvPrometheus, "Prometheus", startPrometheus, "deploy/local/prometheus down")
	dir := lookup(t, EnvPrometheusTargets, "Prometheus", startPrometheus)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		t.Fatalf("%s=%s is not a directory (%v). Restart Prometheus from the repository root: deploy/local/prometheus down && %s",
			EnvPrometheusTargets, dir, err, startPrometheus)
	}
	return &Prometheus{t: t, base: base, targets: dir}
}

// Scrape has Prometheus scrape addr (host:port serving /metrics) every
// second until the test ends, with the label ripple_test set to a value
// unique to the test, which it returns for queries.
func (p *Prometheus) Scrape(addr string) string {
	p.t.Helper()
	name := Name(p.t, "scrape")
	b, err := json.Marshal([]map[string]any{{"targets": []string{addr}, "labels": map[string]string{"ripple_test": name}}})
	if err != nil {
		p.t.Fatal(err)
	}
	file := filepath.Join(p.targets, name+".json")
	// Written whole under another name, then renamed: Prometheus never
	// reads half a file.
	if err := os.WriteFile(file+".tmp", b, 0o644); err != nil {
		p.t.Fatal(err)
	}
	if err := os.Rename(file+".tmp", file); err != nil {
		p.t.Fatal(err)
	}
	p.t.Cleanup(func() { os.Remove(file) })
	return name
}

// Sample is one series of an instant query's result.
type Sample struct {
	Metric map[string]string
	Value  float64
}

// Query runs an instant PromQL query and returns its vector result.
func (p *Prometheus) Query(query string) []Sample {
	p.t.Helper()
	client := http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get(p.base + "/api/v1/query?" + url.Values{"query": {query}}.Encode())
	if err != nil {
		p.t.Fatalf("Prometheus query %q: %v", query, err)
	}
	defer resp.Body.Close()
	var body struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			ResultType string `json:"resultType"`
			Result     []struct {
				Metric map[string]string `json:"metric"`
				Value  [2]any            `json:"value"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || body.Status != "success" {
		p.t.Fatalf("Prometheus query %q: %s %v %s", query, resp.Status, err, body.Error)
	}
	if body.Data.ResultType != "vector" {
		p.t.Fatalf("Prometheus query %q: a %s, want a vector", query, body.Data.ResultType)
	}
	out := make([]Sample, 0, len(body.Data.Result))
	for _, r := range body.Data.Result {
		s, _ := r.Value[1].(string)
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			p.t.Fatalf("Prometheus query %q: value %v: %v", query, r.Value[1], err)
		}
		out = append(out, Sample{Metric: r.Metric, Value: v})
	}
	return out
}
