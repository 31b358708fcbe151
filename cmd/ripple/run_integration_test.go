//go:build integration

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/ripplestream/ripple/deps"
	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/event/mediawiki"
	"github.com/ripplestream/ripple/internal/testenv"
)

// `ripple topology plan --apply` then `ripple run` on a changeprop
// topology: /readyz turns ready, a template edit purges the page that
// transcludes it, /metrics serves ripple's metrics to a real Prometheus
// server, and a cancel (what Ctrl-C does in main) stops it cleanly.
func TestIntegrationRunTopology(t *testing.T) {
	kc := testenv.Kafka(t)
	prom := testenv.PrometheusServer(t)
	job := testenv.Name(t, "cp")
	name := func(s string) string { return job + "." + s }
	depsTopic, pcTopic, purgeTopic := name("deps"), name("page_change"), name("purge")
	file := filepath.Join(t.TempDir(), "topology.yaml")
	yaml := fmt.Sprintf(`streams:
  %[2]s: {partitions: 2, compact: true, schema: ripple/page/dependencies}
  %[3]s: {partitions: 2, retention: 1h, schema: mediawiki/page/change}
  %[4]s: {partitions: 2, schema: ripple/entity/change}
  %[5]s: {partitions: 2, schema: resource_change}
  %[6]s: {partitions: 2}
jobs:
  %[1]s:
    kind: changeprop
    config: {coalesce_window: 1s}
    inputs: {dependencies: %[2]s, page_changes: %[3]s, entity_changes: %[4]s}
    outputs: {purges: %[5]s, rerenders: %[6]s}
`, job, depsTopic, pcTopic, name("entity_change"), purgeTopic, name("rerender"))
	if err := os.WriteFile(file, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { deleteTopicsWithPrefix(t, kc.Brokers, job) })

	var out bytes.Buffer
	brokers := strings.Join(kc.Brokers, ",")
	if err := run(context.Background(), []string{"topology", "plan", file, "--apply", "--brokers", brokers}, &out, io.Discard); err != nil {
		t.Fatalf("topology plan --apply: %v\n%s", err, out.String())
	}
	if n := strings.Count(out.String(), "created "); n != 5 {
		t.Fatalf("plan --apply created %d topics, want 5:\n%s", n, out.String())
	}

	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logs := &testenv.Buffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"run", file, "--brokers", brokers, "--state-dir", t.TempDir(), "--metrics-addr", addr}, io.Discard, logs)
	}()
	get := func(path string) (int, string, error) {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			return 0, "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), err
	}
	testenv.Eventually(t, 90*time.Second, func() error {
		code, body, err := get("/readyz")
		if err == nil && code != http.StatusOK {
			err = fmt.Errorf("/readyz: %d %s", code, body)
		}
		return err
	})
	if code, body, err := get("/healthz"); err != nil || code != http.StatusOK {
		t.Fatalf("/healthz: %d %s %v", code, body, err)
	}

	// The dependency set first: the edit must find the page in the graph.
	parsed := time.Now().UTC().Add(-time.Minute)
	dep := deps.PageDependencies{
		Envelope: event.Envelope{Schema: deps.DependenciesSchema, Meta: event.Meta{Stream: "ripple.page_dependencies", DT: parsed}, DT: parsed},
		WikiID:   "enwiki", Page: deps.EventPage{PageID: 7, PageTitle: "Page_A"}, RevID: 7,
		Templates: []string{"Template:Box"}, Links: []string{}, Files: []string{}, Entities: []deps.EventEntityUsage{},
	}
	b, _ := json.Marshal(dep)
	testenv.Produce(t, kc, depsTopic, []testenv.Record{{Key: []byte("enwiki:Page_A"), Value: b}})
	okDeps := regexp.MustCompile(`ripple_events_total\{job="` + regexp.QuoteMeta(job) + `",kind="[^"]*",outcome="ok",stream="` + regexp.QuoteMeta(depsTopic) + `"\} 1`)
	testenv.Eventually(t, 30*time.Second, func() error {
		_, body, err := get("/metrics")
		if err == nil && !okDeps.MatchString(body) {
			err = fmt.Errorf("/metrics does not count the dependency set as processed yet")
		}
		return err
	})
	now := time.Now().UTC()
	edit := map[string]any{
		"$schema": "/mediawiki/page/change/1.2.0", "dt": now,
		"meta":    map[string]any{"stream": "mediawiki.page_change.v1", "dt": now, "domain": "en.wikipedia.org", "uri": "https://en.wikipedia.org/wiki/Template:Box"},
		"wiki_id": "enwiki", "page_change_kind": "edit", "changelog_kind": mediawiki.ChangelogKind("edit"),
		"page":     map[string]any{"page_id": 1, "page_title": "Template:Box", "namespace_id": 10},
		"revision": map[string]any{"rev_id": 2, "rev_dt": now},
	}
	b, _ = json.Marshal(edit)
	testenv.Produce(t, kc, pcTopic, []testenv.Record{{Key: []byte("enwiki:Template:Box"), Value: b}})

	var uris []string
	for _, r := range testenv.ReadTopic(t, kc, purgeTopic, 2, 60*time.Second) {
		var rc struct {
			Meta struct{ URI string } `json:"meta"`
		}
		if err := json.Unmarshal(r.Value, &rc); err != nil {
			t.Fatal(err)
		}
		uris = append(uris, rc.Meta.URI)
	}
	if !contains(uris, "https://en.wikipedia.org/wiki/Page_A") || !contains(uris, "https://en.wikipedia.org/wiki/Template:Box") {
		t.Fatalf("purges %v, want Page_A and Template:Box", uris)
	}

	_, metrics, err := get("/metrics")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`ripple_events_emitted_total{job="` + job + `",stream="` + pcTopic + `"}`,
		`ripple_events_total{job="` + job + `-coalesce"`, "go_goroutines"} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}

	// Prometheus scraped the run: the job's counts reached its database.
	scraped := prom.Scrape(addr)
	testenv.Eventually(t, 60*time.Second, func() error {
		q := fmt.Sprintf(`sum(ripple_events_total{ripple_test=%q, job=%q, outcome="ok"})`, scraped, job)
		if got := prom.Query(q); len(got) != 1 || got[0].Value < 2 {
			return fmt.Errorf("Prometheus: %s = %v, want the 2 events processed", q, got)
		}
		return nil
	})

	stopRun(t, cancel, done, logs, time.Minute)
	if !strings.Contains(logs.String(), "stopped cleanly") {
		t.Errorf("no clean stop in the log:\n%s", logs.String())
	}
	if _, _, err := get("/healthz"); err == nil {
		t.Error("the metrics server still answers after the stop")
	}
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// freeAddr returns a loopback address with a port free a moment ago.
func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// deleteTopicsWithPrefix deletes the topology's topics and those its jobs
// created (tables, loopback, retry and error topics), all named after the
// job.
func deleteTopicsWithPrefix(t *testing.T, brokers []string, prefix string) {
	admin, err := sarama.NewClusterAdmin(brokers, sarama.NewConfig())
	if err != nil {
		t.Logf("deleting topics: %v", err)
		return
	}
	defer admin.Close()
	topics, err := admin.ListTopics()
	if err != nil {
		t.Logf("deleting topics: %v", err)
		return
	}
	for name := range topics {
		if strings.HasPrefix(name, prefix) {
			if err := admin.DeleteTopic(name); err != nil {
				t.Logf("deleting topic %s: %v", name, err)
			}
		}
	}
}

// stopRun cancels a `ripple run` started in a goroutine (what Ctrl-C does
// in main) and fails the test unless it stops cleanly within d.
func stopRun(t *testing.T, cancel context.CancelFunc, done <-chan error, logs *testenv.Buffer, d time.Duration) {
	t.Helper()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("ripple run stopped with %v\n%s", err, logs.String())
		}
	case <-time.After(d):
		t.Fatalf("ripple run did not stop within %v of the cancel\n%s", d, logs.String())
	}
}
