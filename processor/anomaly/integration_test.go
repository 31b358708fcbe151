//go:build integration

package anomaly_test

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/internal/jobtest"
	"github.com/ripplestream/ripple/internal/testenv"
	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/processor/anomaly"
	"github.com/ripplestream/ripple/schemas"
)

// TestIntegrationAlertmanagerReceivesAlert runs the anomaly job on the real
// broker with the real Alertmanager. It produces 40 seconds of steady
// traffic for one key (about 20 events a second, one-second windows), a
// tenfold spike in the last second, and some malformed events, then
// nothing: the job's timers close the spike's window and the silent ones
// after it. Alertmanager's API must show the firing alert with the job's
// labels, then no longer show it once the job has pushed the resolution
// (its endsAt would otherwise be an hour away), and the output topic must
// hold exactly that firing and resolution, valid against ripple/alert.
func TestIntegrationAlertmanagerReceivesAlert(t *testing.T) {
	kc := testenv.Kafka(t)
	am := testenv.Alertmanager(t)
	name := processor.Group(testenv.Name(t, "anomaly"))
	input, output := testenv.Name(t, "in"), testenv.Name(t, "alerts")
	testenv.CreateTopic(t, kc, input, 4)
	t.Cleanup(func() {
		timers := string(processor.TimerStream(name))
		testenv.DeleteTopics(t, kc, string(name)+"-table", string(name)+".error", output,
			timers, timers+".ready", string(name)+".timers-loop")
	})
	run := strings.ReplaceAll(testenv.Name(t, "run"), ".", "_") // a label value unique to this run
	key := "TypeError at load.php:" + run

	// Event times end now, so Alertmanager sees a current alert.
	now := time.Now().UTC().Truncate(time.Second)
	spike := now.Add(-time.Second)
	rng := rand.New(rand.NewPCG(7, 7))
	var recs []testenv.Record
	for s := 40; s >= 1; s-- {
		n := 20
		if s > 1 {
			n = 15 + rng.IntN(11) // 15 to 25 a second
		} else {
			n = 200 // the spike
		}
		for i := range n {
			dt := now.Add(-time.Duration(s)*time.Second + time.Duration(i)*time.Second/time.Duration(n))
			recs = append(recs, testenv.Record{Key: []byte(key), Value: errorEvent(dt), Timestamp: dt})
		}
	}
	bad := map[string]string{
		"bad-json": `{"dt":`, "bad-utf8": "{\"dt\":\"" + now.Format(time.RFC3339) + "\",\"m\":\"\xff\"}",
		"no-dt": `{"meta":{"stream":"in"}}`,
	}
	for k, v := range bad {
		recs = append(recs, testenv.Record{Key: []byte(k), Value: []byte(v)})
	}
	testenv.Produce(t, kc, input, recs)

	job, err := anomaly.Job(anomaly.Config{Name: name, Input: processor.Stream(input), Output: processor.Stream(output),
		Detector:  anomaly.Detector{Bucket: time.Second, Lateness: 200 * time.Millisecond, History: 30, MinHistory: 20, CoolDown: 8 * time.Second},
		AlertName: "RippleIntegrationAnomaly", KeyLabel: "signature", Labels: map[string]string{"run": run, "severity": "info"},
		AlertmanagerURL: am, AlertHold: time.Hour, GeneratorURL: "https://ripple.example/anomaly"})
	if err != nil {
		t.Fatal(err)
	}
	r := jobtest.Start(t, job, processor.Config{Brokers: kc.Brokers, StateDir: t.TempDir(), MaxRetries: -1,
		Logger: slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))})

	// Firing: Alertmanager shows the alert, with the job's labels.
	var firing testenv.Alert
	testenv.Eventually(t, 2*time.Minute, func() error {
		alerts := testenv.Alerts(t, am, "run", run)
		if len(alerts) != 1 {
			return fmt.Errorf("Alertmanager has %d alerts for run %s, want 1 (job health: %v)", len(alerts), run, r.Healthy())
		}
		firing = alerts[0]
		return nil
	})
	firedAt := time.Now()
	wantLabels := map[string]string{"alertname": "RippleIntegrationAnomaly", "job": string(name), "signature": key, "run": run, "severity": "info"}
	if fmt.Sprint(firing.Labels) != fmt.Sprint(wantLabels) || firing.Status.State != "active" ||
		firing.Annotations["value"] != "200" || firing.Annotations["direction"] != "above" ||
		!firing.StartsAt.Equal(spike) || firing.EndsAt.Before(time.Now().Add(50*time.Minute)) ||
		firing.GeneratorURL != "https://ripple.example/anomaly" {
		t.Fatalf("Alertmanager's alert %+v,\nwant labels %v, active since %v, value 200, ending in an hour", firing, wantLabels, spike)
	}
	t.Logf("firing in Alertmanager: %s", firing.Annotations["summary"])

	// Resolved: the job pushed an endsAt in the past; Alertmanager no
	// longer lists the alert as active.
	testenv.Eventually(t, time.Minute, func() error {
		if alerts := testenv.Alerts(t, am, "run", run); len(alerts) != 0 {
			return fmt.Errorf("Alertmanager still has %+v", alerts)
		}
		return nil
	})
	t.Logf("resolved in Alertmanager %v after it fired", time.Since(firedAt).Round(100*time.Millisecond))

	// The output stream holds the firing and the resolution, and the
	// error topic the malformed events with their reasons.
	repo, err := event.OpenRepositoryFS(schemas.FS())
	if err != nil {
		t.Fatal(err)
	}
	var got []anomaly.AlertEvent
	for _, m := range testenv.ReadTopic(t, kc, output, 2, time.Minute) {
		if err := repo.Validate(m.Value); err != nil {
			t.Fatalf("alert event %s: %v", m.Value, err)
		}
		var ev anomaly.AlertEvent
		if err := json.Unmarshal(m.Value, &ev); err != nil || string(m.Key) != key {
			t.Fatalf("alert event %s under key %s: %v", m.Value, m.Key, err)
		}
		got = append(got, ev)
	}
	if len(got) != 2 || got[0].Status != anomaly.Firing || got[1].Status != anomaly.Resolved || got[0].Value != 200 ||
		!got[0].Window.Start.Equal(spike) || !got[1].DT.Equal(spike.Add(9*time.Second)) || !got[1].StartedAt.Equal(spike) {
		t.Fatalf("alert events %+v, want the spike's firing and its resolution 8 s after it", got)
	}
	errs := testenv.ReadTopic(t, kc, string(name)+".error", len(bad), time.Minute)
	for _, m := range errs {
		var rec processor.ErrorRecord
		if err := json.Unmarshal(m.Value, &rec); err != nil || !strings.HasPrefix(rec.Message, "anomaly: ") {
			t.Fatalf("error record %s: want an anomaly reason", m.Value)
		}
		t.Logf("error record for %s: %s", m.Key, rec.Message)
	}
}

// amAlert is an alert as Alertmanager's GET /api/v2/alerts returns it.
// testWriter sends the job's log to the test's.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}
