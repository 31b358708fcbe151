package anomaly_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/processor/anomaly"
	"github.com/ripplestream/ripple/processor/processortest"
	"github.com/ripplestream/ripple/schemas"
)

const (
	in  processor.Stream = "client_errors"
	out processor.Stream = "client_errors.alerts"
)

// jobStart is when the harness clock starts: processing time, and the
// event time of the first events.
var jobStart = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

func start(t testing.TB, cfg anomaly.Config) *processortest.Harness[anomaly.KeyState] {
	t.Helper()
	cfg.Name, cfg.Input, cfg.Output = "anomaly-test", in, out
	if cfg.Detector.MinHistory == 0 {
		cfg.Detector.MinHistory = 10
	}
	job, err := anomaly.Job(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return processortest.New(t, job, processor.Config{Now: func() time.Time { return jobStart }})
}

func errorEvent(dt time.Time) []byte {
	return fmt.Appendf(nil, `{"$schema":"/mediawiki/client/error/2.0.0","meta":{"stream":"client_errors","id":%q,"dt":%q},"dt":%q,"message":"TypeError"}`,
		event.NewID(), dt.Format(time.RFC3339Nano), dt.Format(time.RFC3339Nano))
}

// traffic sends perMinute events a minute under key for the given minutes,
// spread over each minute, moving the harness clock along with event time.
func traffic(h *processortest.Harness[anomaly.KeyState], key string, minutes, perMinute int) {
	step := time.Minute / time.Duration(perMinute)
	for range minutes * perMinute {
		h.Send(in, key, errorEvent(h.Now()))
		h.Advance(step)
	}
}

func alertsOf(t *testing.T, ms []processortest.Message) []anomaly.AlertEvent {
	t.Helper()
	repo, err := event.OpenRepositoryFS(schemas.FS())
	if err != nil {
		t.Fatal(err)
	}
	var out []anomaly.AlertEvent
	for _, m := range ms {
		if err := repo.Validate(m.Value); err != nil {
			t.Fatalf("alert %s does not match its schema: %v", m.Value, err)
		}
		var a anomaly.AlertEvent
		if err := json.Unmarshal(m.Value, &a); err != nil {
			t.Fatal(err)
		}
		if a.Key != m.Key {
			t.Fatalf("alert for %q under Kafka key %q", a.Key, m.Key)
		}
		out = append(out, a)
	}
	return out
}

// TestJobFiresAndResolvesOnTimers: steady traffic, then a tenfold spike in
// one minute, then silence. No event closes the spike's window or the
// calm ones after it: the job's timers do, so the alert fires a lateness
// after the spike's minute and resolves after the cool-down.
func TestJobFiresAndResolvesOnTimers(t *testing.T) {
	h := start(t, anomaly.Config{Labels: map[string]string{"severity": "warning"}})
	traffic(h, "sig-A", 20, 10)
	traffic(h, "sig-B", 1, 10) // another key, for a while
	if got := h.Output(out); len(got) != 0 {
		t.Fatalf("alerts for steady traffic: %s", got[0].Value)
	}
	spikeStart := h.Now().Truncate(time.Minute)
	traffic(h, "sig-A", 1, 100)
	h.Advance(5 * time.Second) // within the lateness: nothing yet
	if got := h.Output(out); len(got) != 0 {
		t.Fatalf("alert before the window's lateness passed: %s", got[0].Value)
	}
	h.Advance(2 * time.Second)
	got := alertsOf(t, h.Output(out))
	if len(got) != 1 {
		t.Fatalf("%d alerts after the spike's window closed, want 1", len(got))
	}
	f := got[0]
	if f.Status != anomaly.Firing || f.Key != "sig-A" || f.Value != 100 || f.Baseline < 9 || f.Baseline > 11 ||
		f.Threshold <= f.Baseline || f.Score <= 5 || f.ScoreThreshold != 5 || f.Direction != anomaly.Above ||
		!f.Window.Start.Equal(spikeStart) || !f.StartedAt.Equal(spikeStart) || !f.DT.Equal(spikeStart.Add(time.Minute)) ||
		f.Schema != anomaly.AlertSchema || f.Meta.Stream != string(out) || f.Meta.ID == "" || f.AlertName != "RateAnomaly" ||
		f.Labels["severity"] != "warning" || !strings.HasPrefix(f.Summary, `RateAnomaly: "sig-A" is above its baseline: 100 in 1m0s`) {
		t.Fatalf("firing alert %+v", f)
	}
	h.Advance(4 * time.Minute)
	if got := h.Output(out); len(got) != 0 {
		t.Fatalf("resolved before the cool-down: %s", got[0].Value)
	}
	h.Advance(time.Minute)
	got = alertsOf(t, h.Output(out))
	if len(got) != 1 || got[0].Status != anomaly.Resolved || !got[0].DT.Equal(spikeStart.Add(6*time.Minute)) ||
		!got[0].StartedAt.Equal(spikeStart) || got[0].Value != 0 {
		t.Fatalf("after the cool-down: %+v", got)
	}
	// Idle and calm: the timers stop; the state stays.
	h.Advance(10 * time.Minute)
	if n := h.Timers(); n != 0 {
		t.Fatalf("%d timers still set for idle keys", n)
	}
	st, ok := h.State("sig-A")
	if !ok || st.Firing || st.Fired != nil || st.Closed < 26 || !st.Timer.IsZero() {
		t.Fatalf("state of sig-A: %+v", st)
	}
	if got := h.Output(out); len(got) != 0 {
		t.Fatalf("alerts while idle: %s", got[0].Value)
	}
	if errs := h.Errors(); len(errs) != 0 {
		t.Fatalf("error records: %+v", errs)
	}
}

// TestJobPushesToAlertmanager checks what reaches Alertmanager's API: the
// firing alert with its labels and an endsAt AlertHold ahead, the same
// alert again as the next window closes, and the resolution with endsAt at
// the resolve time. (The real Alertmanager is in the integration test.)
func TestJobPushesToAlertmanager(t *testing.T) {
	am := newAMServer(t)
	h := start(t, anomaly.Config{AlertmanagerURL: am.URL + "/prefix", AlertName: "ClientErrorRate", KeyLabel: "signature",
		Labels: map[string]string{"team": "web"}, GeneratorURL: "https://grafana.example/d/errors", AlertHold: time.Hour,
		Annotations: map[string]string{"runbook": "Look at the gadget named in the stack."}})
	traffic(h, "sig", 20, 10)
	spikeStart := h.Now().Truncate(time.Minute)
	traffic(h, "sig", 1, 100)
	h.Advance(7 * time.Second)
	fired := pushed(t, am)
	wantLabels := `{"alertname":"ClientErrorRate","job":"anomaly-test","signature":"sig","team":"web"}`
	if l, _ := json.Marshal(fired["labels"]); string(l) != wantLabels || fired["startsAt"] != spikeStart.Format(time.RFC3339) ||
		fired["endsAt"] != h.Now().Add(time.Hour).Format(time.RFC3339) || fired["generatorURL"] != "https://grafana.example/d/errors" {
		t.Fatalf("pushed %v, want labels %s from %v for an hour", fired, wantLabels, spikeStart)
	}
	ann := fired["annotations"].(map[string]any)
	if ann["value"] != "100" || ann["direction"] != "above" || !strings.HasPrefix(ann["summary"].(string), `ClientErrorRate: "sig" is above`) ||
		ann["runbook"] != "Look at the gadget named in the stack." {
		t.Fatalf("annotations %v", ann)
	}
	h.Advance(time.Minute) // the next window closes: the alert is pushed again
	again := pushed(t, am)
	if l, _ := json.Marshal(again["labels"]); string(l) != wantLabels || again["endsAt"] != h.Now().Add(time.Hour).Format(time.RFC3339) ||
		again["startsAt"] != fired["startsAt"] || again["annotations"].(map[string]any)["value"] != "100" {
		t.Fatalf("refresh %v", again)
	}
	for range 3 { // three more refreshes
		h.Advance(time.Minute)
		pushed(t, am)
	}
	h.Advance(time.Minute)
	resolved := pushed(t, am)
	if resolved["endsAt"] != spikeStart.Add(6*time.Minute).Format(time.RFC3339) || resolved["startsAt"] != fired["startsAt"] {
		t.Fatalf("resolution %v, want endsAt %v", resolved, spikeStart.Add(6*time.Minute))
	}
	h.Advance(10 * time.Minute)
	select {
	case a := <-am.got:
		t.Fatalf("pushed after the resolution: %v", a)
	default:
	}
}

func pushed(t *testing.T, am *amServer) map[string]any {
	t.Helper()
	select {
	case alerts := <-am.got:
		if len(alerts) != 1 {
			t.Fatalf("pushed %d alerts at once, want 1", len(alerts))
		}
		return alerts[0]
	default:
		t.Fatal("nothing pushed")
		return nil
	}
}

// TestJobAlertmanagerDown: a failing Alertmanager costs one push's
// attempts, then pushes pause for PushPause; the alerts still reach the
// output stream and nothing goes to the error topic.
func TestJobAlertmanagerDown(t *testing.T) {
	am := newAMServer(t, 503, 503, 503, 503, 503, 503)
	h := start(t, anomaly.Config{AlertmanagerURL: am.URL + "/prefix", PushPause: 3 * time.Minute,
		ClientOptions: []anomaly.ClientOption{anomaly.WithRetries(2, time.Millisecond, time.Millisecond)}})
	traffic(h, "sig", 20, 10)
	traffic(h, "sig", 1, 100)
	h.Advance(7 * time.Second) // fires: two failed attempts
	h.Advance(2 * time.Minute) // two refreshes, paused
	if n := am.calls.Load(); n != 2 {
		t.Fatalf("%d calls to a failing Alertmanager, want 2 (then a pause)", n)
	}
	h.Advance(time.Minute) // the pause is over: the next refresh tries (and fails) again
	if n := am.calls.Load(); n != 4 {
		t.Fatalf("%d calls after the pause, want 4", n)
	}
	if got := alertsOf(t, h.Output(out)); len(got) != 1 || got[0].Status != anomaly.Firing {
		t.Fatalf("output %+v, want the firing alert", got)
	}
	if errs := h.Errors(); len(errs) != 0 {
		t.Fatalf("error records: %+v", errs)
	}
}

// TestJobCatchingUp replays half an hour of events an hour after they
// happened, a little faster than real time, with timers firing in between:
// the timers must not close windows whose events are still to come (as a
// wall-clock timer would), so nothing is late and no window is short.
func TestJobCatchingUp(t *testing.T) {
	h := start(t, anomaly.Config{Detector: anomaly.Detector{Direction: anomaly.Both}})
	h.Advance(time.Hour)
	for i := range 30 * 10 {
		h.Send(in, "sig", errorEvent(jobStart.Add(time.Duration(i)*6*time.Second)))
		h.Advance(5 * time.Second)
	}
	st, _ := h.State("sig")
	if st.Late != 0 || st.Closed != 29 || st.Mean < 9.9 || st.Mean > 10.1 {
		t.Fatalf("after catching up: %d late, %d windows, baseline %v; want none late, 29 windows of 10", st.Late, st.Closed, st.Mean)
	}
	if got := h.Output(out); len(got) != 0 {
		t.Fatalf("alert while catching up: %s", got[0].Value)
	}
}

// TestJobMixedDelays: two keys share a partition, one's events 40 s behind
// the other's (a producer that lags). The timers of the slow key must not
// close its windows by the fast key's clock.
func TestJobMixedDelays(t *testing.T) {
	h := start(t, anomaly.Config{Detector: anomaly.Detector{Direction: anomaly.Both}})
	for range 30 * 10 {
		h.Send(in, "slow", errorEvent(h.Now().Add(-40*time.Second)))
		h.Send(in, "fast", errorEvent(h.Now()))
		h.Advance(6 * time.Second)
	}
	for _, key := range []string{"fast", "slow"} {
		st, _ := h.State(key)
		if st.Late != 0 || st.Closed < 28 || st.Mean < 9.5 || st.Mean > 10.5 {
			t.Errorf("%s: %d late, %d windows, baseline %v; want none late and windows of 10", key, st.Late, st.Closed, st.Mean)
		}
	}
	if got := h.Output(out); len(got) != 0 {
		t.Fatalf("alert: %s", got[0].Value)
	}
}

// TestJobRekeys counts events under a field, not their Kafka key: they go
// round the loop topic to the partition of their signature.
func TestJobRekeys(t *testing.T) {
	h := start(t, anomaly.Config{Key: anomaly.KeyField("signature"), Value: anomaly.Field("count")})
	ev := func(i, n int) []byte {
		return fmt.Appendf(nil, `{"meta":{"stream":"client_errors"},"dt":%q,"signature":"sig-%d","count":%d}`,
			h.Now().Format(time.RFC3339Nano), i%2, n)
	}
	for m := range 20 {
		for i := range 4 {
			h.Send(in, fmt.Sprintf("session-%d-%d", m, i), ev(i, 5)) // 10 a minute per signature
			h.Advance(15 * time.Second)
		}
	}
	h.Send(in, "session-x", ev(1, 200))
	h.Advance(time.Minute + 10*time.Second)
	got := alertsOf(t, h.Output(out))
	if len(got) != 1 || got[0].Key != "sig-1" || got[0].Value != 200 || got[0].Baseline != 10 {
		t.Fatalf("alerts %+v, want one for sig-1 counting 200", got)
	}
	if keys := h.Keys(); len(keys) != 2 {
		t.Fatalf("state under %v, want the two signatures", keys)
	}
}

func TestJobBadInput(t *testing.T) {
	h := start(t, anomaly.Config{Value: anomaly.Field("stats", "count"), MaxEventBytes: 1 << 10})
	now := h.Now().Format(time.RFC3339)
	cases := []struct{ name, key, value, want string }{
		{"not json", "k", `{"dt":`, "anomaly: event: decode json"},
		{"array", "k", `[1]`, "not a JSON object"},
		{"null", "k", `null`, "not a JSON object"},
		{"invalid UTF-8", "k", "{\"dt\":\"" + now + "\",\"m\":\"\xff\"}", "not valid UTF-8 (first bad byte at"},
		{"too large", "k", `{"pad":"` + strings.Repeat("x", 2000) + `"}`, "event too large: 2010 bytes, limit 1024"},
		{"no time", "k", `{"meta":{"stream":"s"},"stats":{"count":1}}`, "no event time: want dt (or meta.dt) as an RFC 3339 string; the event has neither"},
		{"dt a number", "k", `{"dt":5}`, "dt is 5"},
		{"dt not RFC 3339", "k", `{"dt":"yesterday"}`, `dt is "yesterday"`},
		{"meta not an object", "k", `{"meta":"x"}`, `meta is "x", not an object`},
		{"meta.dt a bool", "k", `{"meta":{"dt":true}}`, "meta.dt is true"},
		{"ahead", "k", `{"dt":"2030-01-01T00:00:00Z","stats":{"count":1}}`, "event time is ahead of processing time: 2030-01-01T00:00:00Z is "},
		{"no count", "k", `{"dt":"` + now + `","stats":{}}`, "no usable count: event has no field stats.count"},
		{"count a string", "k", `{"dt":"` + now + `","stats":{"count":"7"}}`, `field stats.count is "7"`},
		{"stats not an object", "k", `{"dt":"` + now + `","stats":[]}`, "stats is not an object"},
		{"negative count", "k", `{"dt":"` + now + `","stats":{"count":-1}}`, "Config.Value returned -1"},
		{"empty key", "", `{"dt":"` + now + `","stats":{"count":1}}`, "no key: the Kafka key (set Config.Key to count events under a field) is empty"},
		{"key not UTF-8", "k\xff", `{"dt":"` + now + `","stats":{"count":1}}`, "not valid UTF-8 (Alertmanager labels must be)"},
	}
	for _, c := range cases {
		h.Send(in, c.key, []byte(c.value))
	}
	h.Send(in, "k", []byte(`{"meta":{"dt":"`+now+`"},"stats":{"count":3}}`)) // meta.dt stands in for dt
	if st, ok := h.State("k"); !ok || len(st.Open) != 1 || st.Open[0] != 3 {
		t.Fatalf("state after the valid event: %+v", st)
	}
	errs := h.Errors()
	if len(errs) != len(cases) {
		t.Fatalf("%d error records, want %d: %+v", len(errs), len(cases), errs)
	}
	for i, c := range cases {
		e := errs[i]
		if !strings.Contains(e.Message, c.want) || e.Attempts != 1 || !strings.Contains(e.Message, "stream client_errors") {
			t.Errorf("%s: error record %q (%d attempts), want a first-attempt message with %q", c.name, e.Message, e.Attempts, c.want)
		}
	}

	// Config.Key errors.
	h = start(t, anomaly.Config{Key: anomaly.KeyField("signature")})
	for _, v := range []string{`{"dt":"` + now + `"}`, `{"dt":"` + now + `","signature":3}`, `{"dt":"` + now + `","signature":""}`} {
		h.Send(in, "k", []byte(v))
	}
	errs = h.Errors()
	if len(errs) != 3 || !strings.Contains(errs[0].Message, "no field signature") || !strings.Contains(errs[1].Message, "signature is 3, not a string") ||
		!strings.Contains(errs[2].Message, "Config.Key's key is empty") {
		t.Fatalf("key errors %+v", errs)
	}
}

func TestConfigValidate(t *testing.T) {
	base := anomaly.Config{Name: "an", Input: "a", Output: "b"}
	tests := []struct {
		name   string
		change func(*anomaly.Config)
		want   string
	}{
		{"ok", func(*anomaly.Config) {}, ""},
		{"no name", func(c *anomaly.Config) { c.Name = "" }, "all required"},
		{"loop", func(c *anomaly.Config) { c.Output = "a" }, "a loop"},
		{"detector", func(c *anomaly.Config) { c.Detector.History = 1 }, "job an: anomaly: invalid config: History 1"},
		{"key label", func(c *anomaly.Config) { c.KeyLabel = "alertname" }, "KeyLabel"},
		{"label name", func(c *anomaly.Config) { c.Labels = map[string]string{"bad-name": "x"} }, `label "bad-name"`},
		{"reserved label", func(c *anomaly.Config) { c.Labels = map[string]string{"__name__": "x"} }, `label "__name__"`},
		{"label is the key", func(c *anomaly.Config) { c.Labels = map[string]string{"key": "x"} }, `label "key"`},
		{"label value", func(c *anomaly.Config) { c.Labels = map[string]string{"team": "\xff"} }, "not UTF-8"},
		{"alertmanager", func(c *anomaly.Config) { c.AlertmanagerURL = "127.0.0.1:9093" }, "Alertmanager URL"},
		{"generator", func(c *anomaly.Config) { c.GeneratorURL = "/relative" }, "GeneratorURL"},
		{"own annotation", func(c *anomaly.Config) { c.Annotations = map[string]string{"summary": "x"} }, `annotation "summary"`},
		{"hold", func(c *anomaly.Config) { c.AlertHold = time.Second }, "AlertHold 1s is shorter"},
		{"size", func(c *anomaly.Config) { c.MaxEventBytes = -1 }, "MaxEventBytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := base
			tt.change(&c)
			_, err := anomaly.Job(c)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, anomaly.ErrInvalidConfig) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Job = %v, want ErrInvalidConfig with %q", err, tt.want)
			}
		})
	}
	c := base
	c = c.WithDefaults()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.AlertName != "RateAnomaly" || c.KeyLabel != "key" || c.AlertHold != 4*(time.Minute+6*time.Second) || c.PushPause != 30*time.Second ||
		c.MaxAhead != time.Minute || c.IdleAfter != 3*time.Minute+6*time.Second || c.MaxEventBytes != 1<<20 {
		t.Fatalf("defaults %+v", c)
	}
}
