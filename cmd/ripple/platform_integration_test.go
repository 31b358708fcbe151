//go:build integration

package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/ripplestream/ripple/deps"
	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/internal/testenv"
	"github.com/ripplestream/ripple/jobs/errorlog"
)

// TestIntegrationPlatform is the platform end to end, as an operator runs
// it: the sample topology (deploy/topology/wikimedia.yaml, its seven jobs
// with the graph in the real Dgraph) created with `ripple topology plan
// --apply` and run with `ripple run`, fed with `ripple produce` (captured
// Wikimedia events and generated ones) and read back with `ripple
// consume`, while a real Prometheus server scrapes the run's /metrics and
// the anomaly job alerts the real Alertmanager:
//   - a template edit purges the page that transcludes it, and captured
//     Wikidata page changes purge their own pages at exactly their
//     meta.uri; a captured event of a wiki the site table lacks reaches the
//     job's error topic with the reason;
//   - captured revisions and their score become search index documents;
//   - a flood of one client error is logged de-duplicated and rate-limited,
//     and its rate spike fires ClientErrorRateAnomaly, in the alerts stream
//     and in Alertmanager.
//
// Every stream and job name carries a prefix unique to the run, so the
// test shares the broker and Dgraph with others.
func TestIntegrationPlatform(t *testing.T) {
	kc := testenv.Kafka(t)
	dgraph := testenv.Dgraph(t)
	am := testenv.Alertmanager(t)
	prom := testenv.PrometheusServer(t)
	brokers := strings.Join(kc.Brokers, ",")
	prefix := testenv.Name(t, "e2e") + "."
	var r [4]byte
	for i := range r {
		r[i] = byte(rand.IntN(256))
	}
	runID := "e2e_" + hex.EncodeToString(r[:])
	t.Cleanup(func() { deleteTopicsWithPrefix(t, kc.Brokers, prefix) })

	file := sampleTopology(t, prefix, map[string]map[string]any{
		"changeprop":           {"dgraph": []string{dgraph}, "dgraph_prefix": runID},
		"searchindex":          {"wait": "2s"},
		"edit-anomaly":         anomalyConfig(am, runID),
		"client-error-anomaly": anomalyConfig(am, runID),
		"purge-anomaly":        anomalyConfig(am, runID),
	})
	stream := func(name string) string { return prefix + name }
	cli := func(args ...string) string {
		t.Helper()
		var out, errs bytes.Buffer
		if err := run(context.Background(), append(args, "--brokers", brokers), &out, &errs); err != nil {
			t.Fatalf("ripple %s: %v\n%s%s", strings.Join(args, " "), err, out.String(), errs.String())
		}
		return out.String()
	}
	if out := cli("topology", "plan", file, "--apply"); strings.Count(out, "created ") != 15 {
		t.Fatalf("topology plan --apply did not create the 15 streams:\n%s", out)
	}

	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logs := &testenv.Buffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"run", file, "--brokers", brokers, "--state-dir", t.TempDir(), "--metrics-addr", addr}, io.Discard, logs)
	}()
	scraped := prom.Scrape(addr)
	testenv.Eventually(t, 3*time.Minute, func() error {
		select {
		case err := <-done:
			t.Fatalf("ripple run stopped before it was ready: %v\n%s", err, logs.String())
		default:
		}
		resp, err := http.Get("http://" + addr + "/readyz")
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("/readyz: %d %s", resp.StatusCode, body)
		}
		return nil
	})

	// produce writes events as JSON lines to a file and sends them with
	// `ripple produce`, validated against the stream's schema, with the
	// flags in extra.
	dir := t.TempDir()
	produce := func(name, keyField string, extra []string, events ...[]byte) {
		t.Helper()
		f := filepath.Join(dir, strings.ReplaceAll(name, "/", "_")+fmt.Sprint(time.Now().UnixNano())+".jsonl")
		if err := os.WriteFile(f, append(bytes.Join(events, []byte("\n")), '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		args := append([]string{"produce", stream(name), f, "--topology", file}, extra...)
		if keyField != "" {
			args = append(args, "--key-field", keyField)
		}
		cli(args...)
	}
	// consume reads a stream from the beginning with `ripple consume`
	// until check accepts what it holds.
	consume := func(name string, within time.Duration, check func(events []map[string]any) error) []map[string]any {
		t.Helper()
		var events []map[string]any
		testenv.Eventually(t, within, func() error {
			events = events[:0]
			sc := bufio.NewScanner(strings.NewReader(cli("consume", stream(name), "--from-beginning", "--timeout", "20s")))
			sc.Buffer(nil, 1<<20)
			for sc.Scan() {
				var ev map[string]any
				if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
					return fmt.Errorf("%s: %v: %s", name, err, sc.Text())
				}
				events = append(events, ev)
			}
			return check(events)
		})
		return events
	}

	// 1. Change propagation. The dependency set first: the edit must find
	// the page in the graph.
	parsed := time.Now().UTC().Add(-time.Minute)
	set, _ := json.Marshal(deps.PageDependencies{
		Envelope: event.Envelope{Schema: deps.DependenciesSchema, Meta: event.Meta{Stream: "ripple.page_dependencies", DT: parsed}, DT: parsed},
		WikiID:   "enwiki", Page: deps.EventPage{PageID: 7, PageTitle: "E2E_Page"}, RevID: 7,
		Templates: []string{"Template:E2E_Box"}, Links: []string{}, Files: []string{}, Entities: []deps.EventEntityUsage{},
	})
	produce("ripple.page_dependencies", "wiki_id,page.page_title", nil, set)
	testenv.Eventually(t, time.Minute, func() error {
		q := fmt.Sprintf(`sum(ripple_events_total{ripple_test=%q, stream=%q, outcome="ok"})`, scraped, stream("ripple.page_dependencies"))
		if got := prom.Query(q); len(got) != 1 || got[0].Value < 1 {
			return fmt.Errorf("Prometheus: %s = %v: the dependency set is not processed yet", q, got)
		}
		return nil
	})
	now := time.Now().UTC()
	edit, _ := json.Marshal(map[string]any{
		"$schema": "/mediawiki/page/change/1.2.0", "dt": now, "changelog_kind": "update", "page_change_kind": "edit", "wiki_id": "enwiki",
		"meta":     map[string]any{"stream": "mediawiki.page_change.v1", "dt": now, "domain": "en.wikipedia.org", "uri": "https://en.wikipedia.org/wiki/Template:E2E_Box"},
		"page":     map[string]any{"page_id": 1, "page_title": "Template:E2E_Box", "namespace_id": 10},
		"revision": map[string]any{"rev_id": 2, "rev_dt": now},
	})
	captured := [][]byte{testdataLine(t, "item-edit.json"), testdataLine(t, "property-edit.json")}
	unknownWiki := examples(t, "mediawiki_page_change_1.2.0.examples.json")[0]
	produce("mediawiki.page_change.v1", "wiki_id,page.page_title", nil, append([][]byte{edit, unknownWiki}, captured...)...)

	wantURIs := []string{"https://en.wikipedia.org/wiki/E2E_Page", "https://en.m.wikipedia.org/wiki/E2E_Page",
		"https://en.wikipedia.org/wiki/Template:E2E_Box"}
	for _, c := range captured {
		var ev struct{ Meta struct{ URI string } }
		if err := json.Unmarshal(c, &ev); err != nil {
			t.Fatal(err)
		}
		wantURIs = append(wantURIs, ev.Meta.URI)
	}
	consume("resource_change", 2*time.Minute, func(events []map[string]any) error {
		var uris []string
		for _, ev := range events {
			uris = append(uris, ev["meta"].(map[string]any)["uri"].(string))
		}
		for _, u := range wantURIs {
			if !slices.Contains(uris, u) {
				return fmt.Errorf("purges %v lack %s", uris, u)
			}
		}
		for _, u := range uris {
			if !slices.Contains(wantURIs, u) && !strings.HasPrefix(u, "https://test.m.wikidata.org/") && u != "https://en.m.wikipedia.org/wiki/Template:E2E_Box" {
				return fmt.Errorf("purge of %s, which no change affects", u)
			}
		}
		return nil
	})
	consume("changeprop.error", time.Minute, func(events []map[string]any) error {
		for _, ev := range events {
			if msg, _ := ev["message"].(string); strings.Contains(msg, `unknown wiki "example"`) {
				return nil
			}
		}
		return fmt.Errorf("no error record names the wiki the site table lacks (example): %v", events)
	})

	// 2. Search indexing: captured revisions and the score of one, which
	// comes first (a score after a newer revision of its page was indexed
	// is stale and dropped).
	produce("mediawiki.revision-score", "page_title", nil, examples(t, "mediawiki_revision_score_3.0.0.examples.json")...)
	produce("mediawiki.revision-create", "page_title", nil, examples(t, "mediawiki_revision_create_2.0.0.examples.json")...)
	consume("ripple.search_index_update", 2*time.Minute, func(events []map[string]any) error {
		revs, scored := map[float64]bool{}, map[float64]bool{}
		for _, ev := range events {
			if rev, ok := ev["rev_id"].(float64); ok {
				revs[rev] = true
				if ev["scores"] != nil {
					scored[rev] = true
				}
			}
		}
		if len(revs) != 3 {
			return fmt.Errorf("index documents for revisions %v, want 123, 124 and 42", keys(revs))
		}
		if !scored[123] || len(scored) != 1 {
			return fmt.Errorf("revisions %v have scores, want 123 alone (the score produced)", keys(scored))
		}
		return nil
	})

	// 3. Client errors: 40 s of 15-25 reports a second of two errors, then
	// a spike of one. Event times end now, so Alertmanager shows the
	// alert as current; one key keeps them in order on one partition.
	end := time.Now().UTC().Truncate(time.Second)
	rng := rand.New(rand.NewPCG(16, 16))
	var reports [][]byte
	for s := 40; s >= 1; s-- {
		for _, class := range []string{"TypeError", "ReferenceError"} {
			n := 15 + rng.IntN(11)
			if s == 1 && class == "TypeError" {
				n = 200
			}
			for i := range n {
				dt := end.Add(-time.Duration(s)*time.Second + time.Duration(i)*time.Second/time.Duration(n))
				reports = append(reports, clientErrorReport(fmt.Sprintf("%s-%d-%d", class, s, i), class, dt))
			}
		}
	}
	produce("mediawiki.client.error", "meta.domain", []string{"--schemas", filepath.Join("testdata", "platform", "schemas")}, reports...)
	spiking := errorlog.Fingerprint("TypeError", "Uncaught TypeError: x is undefined", clientErrorStack)
	testenv.Eventually(t, 3*time.Minute, func() error {
		for _, a := range testenv.Alerts(t, am, "run", runID) {
			if a.Labels["alertname"] == "ClientErrorRateAnomaly" && a.Labels["fingerprint"] == spiking && a.Status.State == "active" {
				return nil
			}
		}
		return fmt.Errorf("Alertmanager has no active ClientErrorRateAnomaly for fingerprint %s", spiking)
	})
	consume("ripple.alerts", time.Minute, func(events []map[string]any) error {
		for _, ev := range events {
			if ev["alert_name"] == "ClientErrorRateAnomaly" && ev["key"] == spiking && ev["status"] == "firing" {
				return nil
			}
		}
		return fmt.Errorf("the alerts stream has no firing ClientErrorRateAnomaly for %s: %v", spiking, events)
	})
	logged := consume("ripple.client_error_log", time.Minute, func(events []map[string]any) error {
		if len(events) == 0 {
			return fmt.Errorf("nothing logged yet")
		}
		return nil
	})
	ids := map[any]bool{}
	for _, ev := range logged {
		id := ev["meta"].(map[string]any)["id"]
		if ids[id] {
			t.Errorf("client error %v logged twice", id)
		}
		ids[id] = true
	}
	if len(logged) >= len(reports)/2 {
		t.Errorf("%d of %d reports logged: the flood was not rate-limited", len(logged), len(reports))
	}

	// Prometheus saw every job of the run.
	testenv.Eventually(t, time.Minute, func() error {
		q := fmt.Sprintf(`count(sum by (job) (ripple_events_total{ripple_test=%q}))`, scraped)
		if got := prom.Query(q); len(got) != 1 || got[0].Value < 7 {
			return fmt.Errorf("Prometheus: %s = %v, want every job counting events", q, got)
		}
		return nil
	})

	stopRun(t, cancel, done, logs, 2*time.Minute)
	t.Logf("%d purges expected, %d client errors produced, %d logged", len(wantURIs), len(reports), len(logged))
}

func anomalyConfig(am, runID string) map[string]any {
	return map[string]any{"alertmanager_url": am, "labels": map[string]string{"run": runID},
		"bucket": "1s", "history": 30, "min_history": 20}
}

const clientErrorStack = "TypeError: x is undefined\n    at render (https://en.wikipedia.org/w/load.php?modules=ext.gadget.Navpopups:12:345)"

func clientErrorReport(id, class string, dt time.Time) []byte {
	message, stack := "Uncaught TypeError: x is undefined", clientErrorStack
	if class != "TypeError" {
		message, stack = "Uncaught ReferenceError: mw is not defined", "at init (https://en.wikipedia.org/w/load.php?modules=startup:1:1)"
	}
	v, _ := json.Marshal(map[string]any{
		"$schema": "/mediawiki/client/error/2.0.0",
		"meta":    map[string]any{"stream": "mediawiki.client.error", "id": id, "dt": dt.Format(time.RFC3339Nano), "domain": "en.wikipedia.org"},
		"message": message, "error_class": class, "stack_trace": stack,
		"file_url": "https://en.wikipedia.org/w/load.php", "url": "https://en.wikipedia.org/wiki/Special:Random",
	})
	return v
}

// sampleTopology writes the sample topology with every stream and job
// name prefixed and the config of the jobs named in config (by kind)
// overridden, and returns its path.
func sampleTopology(t *testing.T, prefix string, config map[string]map[string]any) string {
	t.Helper()
	b, err := os.ReadFile("../../deploy/topology/wikimedia.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var top struct {
		Streams map[string]any `yaml:"streams"`
		Jobs    map[string]struct {
			Kind    string            `yaml:"kind"`
			Config  map[string]any    `yaml:"config"`
			Inputs  map[string]string `yaml:"inputs"`
			Outputs map[string]string `yaml:"outputs"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal(b, &top); err != nil {
		t.Fatal(err)
	}
	out := map[string]any{}
	streams := map[string]any{}
	for name, s := range top.Streams {
		streams[prefix+name] = s
	}
	jobs := map[string]any{}
	for name, j := range top.Jobs {
		for role, s := range j.Inputs {
			j.Inputs[role] = prefix + s
		}
		for role, s := range j.Outputs {
			j.Outputs[role] = prefix + s
		}
		if j.Config == nil {
			j.Config = map[string]any{}
		}
		for k, v := range config[j.Kind] {
			j.Config[k] = v
		}
		jobs[prefix+name] = map[string]any{"kind": j.Kind, "config": j.Config, "inputs": j.Inputs, "outputs": j.Outputs}
	}
	out["streams"], out["jobs"] = streams, jobs
	b, err = yaml.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "wikimedia.yaml")
	if err := os.WriteFile(file, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

// testdataLine is a captured event of testdata/platform as one JSON line.
func testdataLine(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "platform", name))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// examples are the example events of a schema (testdata/platform), one
// JSON line each.
func examples(t *testing.T, name string) [][]byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "platform", name))
	if err != nil {
		t.Fatal(err)
	}
	var evs []json.RawMessage
	if err := json.Unmarshal(b, &evs); err != nil {
		t.Fatal(err)
	}
	out := make([][]byte, len(evs))
	for i, ev := range evs {
		var buf bytes.Buffer
		if err := json.Compact(&buf, ev); err != nil {
			t.Fatal(err)
		}
		out[i] = buf.Bytes()
	}
	return out
}

func keys[V any](m map[float64]V) []float64 {
	out := make([]float64, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
