//go:build integration

package anomaly_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/internal/jobtest"
	"github.com/ripplestream/ripple/internal/testenv"
	"github.com/ripplestream/ripple/jobs/anomaly"
	"github.com/ripplestream/ripple/processor"
	detect "github.com/ripplestream/ripple/processor/anomaly"
	"github.com/ripplestream/ripple/schemas"
)

// TestIntegrationSREAlerts runs the three jobs on the real broker with the
// real Alertmanager. Each watched stream carries 40 seconds of steady
// traffic for two keys (one-second windows) and, for one of them, a
// tenfold spike in the last second: Alertmanager must show exactly the
// three spiking keys' alerts, each with its key label and runbook, and the
// alerts stream must hold a firing alert for those three keys and no
// other.
func TestIntegrationSREAlerts(t *testing.T) {
	kc := testenv.Kafka(t)
	am := testenv.Alertmanager(t)
	name := processor.Group(testenv.Name(t, "sre"))
	changes, errs, purges, alerts := testenv.Name(t, "changes"), testenv.Name(t, "errors"), testenv.Name(t, "purges"), testenv.Name(t, "alerts")
	for _, s := range []string{changes, errs, purges} {
		testenv.CreateTopic(t, kc, s, 4)
	}
	run := strings.ReplaceAll(testenv.Name(t, "run"), ".", "_")
	jobs, err := anomaly.Jobs(anomaly.Config{Name: name, Alerts: processor.Stream(alerts),
		PageChanges: processor.Stream(changes), ClientErrors: processor.Stream(errs), Purges: processor.Stream(purges),
		Detector:        detect.Detector{Bucket: time.Second, Lateness: 200 * time.Millisecond, History: 30, MinHistory: 20, CoolDown: 8 * time.Second},
		AlertmanagerURL: am, Labels: map[string]string{"run": run}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		topics := []string{alerts}
		for _, j := range jobs {
			timers := string(processor.TimerStream(j.Name))
			topics = append(topics, string(j.Name)+"-table", string(j.Name)+".error", string(j.Name)+"-loop",
				timers, timers+".ready", string(j.Name)+".timers-loop")
		}
		testenv.DeleteTopics(t, kc, topics...)
	})

	// Event times end now, so Alertmanager sees current alerts.
	now := time.Now().UTC().Truncate(time.Second)
	// Each key's events are produced under it, so they reach the job in
	// order: over several partitions, their skew (large here, where all
	// is produced before the job starts) would need as much Lateness.
	traffic := func(seed uint64, key string, spike bool, value func(dt time.Time) []byte) []testenv.Record {
		rng := rand.New(rand.NewPCG(seed, seed))
		var recs []testenv.Record
		for s := 40; s >= 1; s-- {
			n := 15 + rng.IntN(11) // 15 to 25 a second
			if s == 1 && spike {
				n = 200
			}
			for i := range n {
				dt := now.Add(-time.Duration(s)*time.Second + time.Duration(i)*time.Second/time.Duration(n))
				recs = append(recs, testenv.Record{Key: []byte(key), Value: value(dt), Timestamp: dt})
			}
		}
		return recs
	}
	edit := func(wiki string, ns int) func(time.Time) []byte {
		return func(dt time.Time) []byte {
			return fmt.Appendf(nil, `{"meta":{"stream":"mediawiki.page_change.v1","dt":%q},"dt":%q,"wiki_id":%q,"page":{"namespace_id":%d,"page_title":"P"}}`,
				dt.Format(time.RFC3339Nano), dt.Format(time.RFC3339Nano), wiki, ns)
		}
	}
	clientError := func(fp string) func(time.Time) []byte {
		return func(dt time.Time) []byte {
			return fmt.Appendf(nil, `{"meta":{"stream":"mediawiki.client.error","dt":%q},"message":"x","fingerprint":%q}`, dt.Format(time.RFC3339Nano), fp)
		}
	}
	purge := func(domain string) func(time.Time) []byte {
		return func(dt time.Time) []byte {
			return fmt.Appendf(nil, `{"meta":{"stream":"resource_change","dt":%q,"domain":%q,"uri":"https://%s/wiki/P"},"tags":["ripple"]}`,
				dt.Format(time.RFC3339Nano), domain, domain)
		}
	}
	testenv.Produce(t, kc, changes, append(traffic(1, "enwiki:0", true, edit("enwiki", 0)), traffic(2, "enwiki:10", false, edit("enwiki", 10))...))
	testenv.Produce(t, kc, errs, append(traffic(3, "701ceb64c2bbdbde", true, clientError("701ceb64c2bbdbde")),
		traffic(4, "0123456789abcdef", false, clientError("0123456789abcdef"))...))
	testenv.Produce(t, kc, purges, append(traffic(5, "en.wikipedia.org", true, purge("en.wikipedia.org")),
		traffic(6, "de.wikipedia.org", false, purge("de.wikipedia.org"))...))

	for _, j := range jobs {
		jobtest.Start(t, j, processor.Config{Brokers: kc.Brokers, StateDir: t.TempDir(), MaxRetries: -1})
	}
	want := map[string]string{ // alertname: the key that spiked
		"EditRateAnomaly": "enwiki:0", "ClientErrorRateAnomaly": "701ceb64c2bbdbde", "PurgeRateAnomaly": "en.wikipedia.org",
	}
	label := map[string]string{"EditRateAnomaly": "wiki_namespace", "ClientErrorRateAnomaly": "fingerprint", "PurgeRateAnomaly": "domain"}
	testenv.Eventually(t, 2*time.Minute, func() error {
		got := testenv.Alerts(t, am, "run", run)
		if len(got) != len(want) {
			return fmt.Errorf("Alertmanager has %d alerts for run %s, want %d", len(got), run, len(want))
		}
		return nil
	})
	for _, a := range testenv.Alerts(t, am, "run", run) {
		name := a.Labels["alertname"]
		if key, ok := want[name]; !ok || a.Labels[label[name]] != key || a.Status.State != "active" || a.Annotations["direction"] != "above" {
			t.Errorf("alert %+v: want one of %v, active and above", a, want)
		}
		if rb := a.Annotations["runbook"]; !strings.Contains(rb, "Above:") || a.Annotations["runbook_url"] != anomaly.RunbookURL+"#"+strings.ToLower(name) {
			t.Errorf("alert %s: runbook %q at %q", name, rb, a.Annotations["runbook_url"])
		}
	}

	// The alerts stream: the three firings (and later their resolutions),
	// valid against ripple/alert, for the spiking keys only.
	repo, err := event.OpenRepositoryFS(schemas.FS())
	if err != nil {
		t.Fatal(err)
	}
	fired := map[string]string{}
	for _, m := range testenv.ReadTopic(t, kc, alerts, len(want), time.Minute) {
		if err := repo.Validate(m.Value); err != nil {
			t.Fatalf("alert event %s: %v", m.Value, err)
		}
		var ev detect.AlertEvent
		if err := json.Unmarshal(m.Value, &ev); err != nil {
			t.Fatal(err)
		}
		if ev.Status == detect.Firing {
			fired[ev.AlertName] = ev.Key
		}
	}
	if fmt.Sprint(fired) != fmt.Sprint(want) {
		t.Errorf("firing alerts in the stream %v, want %v", fired, want)
	}
	t.Logf("Alertmanager and the alerts stream: %v", fired)
}
