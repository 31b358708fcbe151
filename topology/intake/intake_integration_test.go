//go:build integration

package intake_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/internal/kafkaclient"
	"github.com/ripplestream/ripple/internal/testenv"
	"github.com/ripplestream/ripple/schemas"
	"github.com/ripplestream/ripple/topology/intake"
	"github.com/ripplestream/ripple/topology/streamconfig"
)

// saslPort is the port of this package's own broker when the shared one
// has no SASL_SSL listener (see testenv.KafkaSASL).
const saslPort = 19792

// startIntake runs an intake on the real broker, on a loopback port, for
// the streams given (each a topic created for the test), and returns its
// base URL. The intake stops (and must stop cleanly) when the test ends.
func startIntake(t *testing.T, streams map[string]streamconfig.Settings) string {
	t.Helper()
	kafka := testenv.Kafka(t)
	return startIntakeOn(t, kafka, kafka, streams)
}

// startIntakeOn is startIntake with the intake's client configuration
// (kafka) apart from the one that creates the topics (admin).
func startIntakeOn(t *testing.T, admin, kafka kafkaclient.Config, streams map[string]streamconfig.Settings) string {
	t.Helper()
	for s := range streams {
		testenv.CreateTopic(t, admin, s, 2)
	}
	repo, err := event.OpenRepositoryFS(schemas.FS())
	if err != nil {
		t.Fatal(err)
	}
	base, stop := serve(t, intake.Config{Brokers: kafka.Brokers, Security: kafka.Security, Schemas: repo, Streams: streams})
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("intake stopped with %v", err)
		}
	})
	return base
}

// TestEventsLandInTheTopic posts Wikimedia's page change example as a
// batch to an intake on the real broker and reads the events back from
// the stream's topic.
func TestEventsLandInTheTopic(t *testing.T) {
	stream := testenv.Name(t, "intake")
	base := startIntake(t, map[string]streamconfig.Settings{stream: {SchemaTitle: "mediawiki/page/change"}})
	ex := testdata(t, "mediawiki.page.change.1.2.0.examples.json")[0]
	var evs []json.RawMessage
	for i := range 50 {
		var ev map[string]any
		if err := json.Unmarshal(ex, &ev); err != nil {
			t.Fatal(err)
		}
		ev["meta"].(map[string]any)["stream"] = stream
		ev["page"].(map[string]any)["page_id"] = i + 1
		b, _ := json.Marshal(ev)
		evs = append(evs, b)
	}
	body, _ := json.Marshal(evs)
	resp, err := http.Post(base+intake.EventsPath, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST 50 page changes: %s, want 201", resp.Status)
	}
	// 201 comes after the acknowledgement: the events are in the topic.
	recs := testenv.ReadTopic(t, testenv.Kafka(t), stream, 50, 30*time.Second)
	ids := map[float64]bool{}
	for _, r := range recs {
		var ev struct {
			Meta struct{ ID, Stream string }
			Page struct {
				PageID float64 `json:"page_id"`
			}
		}
		if err := json.Unmarshal(r.Value, &ev); err != nil || ev.Meta.Stream != stream || !uuidRE.MatchString(ev.Meta.ID) {
			t.Fatalf("record %s (%v): want a page change of %s with a meta.id", r.Value, err, stream)
		}
		ids[ev.Page.PageID] = true
	}
	if len(ids) != 50 {
		t.Errorf("read %d distinct pages of 50", len(ids))
	}
}

// TestOverSASLSSL: the intake's producer (franz-go, configured by
// kafkaclient.Config.Kgo) reaches the broker over its SASL_SSL listener
// (SCRAM-SHA-512, TLS with a client certificate) with nothing but
// Config.Security, as --kafka-user and the other flags set it.
func TestOverSASLSSL(t *testing.T) {
	secure, plain := testenv.KafkaSASL(t, saslPort)
	stream := testenv.Name(t, "intake.sasl")
	base := startIntakeOn(t, plain, secure, map[string]streamconfig.Settings{stream: {SchemaTitle: "resource_change"}})
	resp, err := http.Post(base+intake.EventsPath, "application/json", bytes.NewReader(purge(stream, "https://x.org/sasl", nil)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST over SASL_SSL: %s, want 201", resp.Status)
	}
	if recs := testenv.ReadTopic(t, plain, stream, 1, 30*time.Second); !bytes.Contains(recs[0].Value, []byte("https://x.org/sasl")) {
		t.Errorf("read %s", recs[0].Value)
	}
}

// TestBeaconFromChromium opens the intake's client page in a real
// headless Chromium, which posts events with navigator.sendBeacon
// (text/plain), and waits until they are in the topic.
func TestBeaconFromChromium(t *testing.T) {
	stream := testenv.Name(t, "intake.beacon")
	base := startIntake(t, map[string]streamconfig.Settings{stream: {SchemaTitle: "resource_change"}})
	run := fmt.Sprint(time.Now().UnixNano())
	page := base + intake.ClientPath + "?" + url.Values{"stream": {stream}, "n": {"3"}, "run": {run}}.Encode()
	// Chromium stays up with the page open; it is stopped, with the
	// processes it forked, when the test ends.
	browser := testenv.Chromium(t, page)
	recs := readUntil(t, stream, 3, browser)
	for _, r := range recs {
		var ev struct {
			Meta struct{ URI, ID, Stream string }
		}
		if err := json.Unmarshal(r.Value, &ev); err != nil || !strings.Contains(ev.Meta.URI, "/beacon/"+run+"/") || !uuidRE.MatchString(ev.Meta.ID) {
			t.Errorf("record %s (%v): want a beaconed event of run %s with a filled meta.id", r.Value, err, run)
		}
	}
}

// readUntil reads n records of stream, waiting up to 90 s, and fails at
// once if Chromium exits first.
func readUntil(t *testing.T, stream string, n int, browser *testenv.Browser) []testenv.Record {
	t.Helper()
	kafka := testenv.Kafka(t)
	var recs []testenv.Record
	testenv.Eventually(t, 90*time.Second, func() error {
		if exited, err := browser.Exited(); exited {
			t.Fatalf("Chromium exited (%v) before the events arrived:\n%s", err, browser.Out)
		}
		if recs = testenv.ReadAll(t, kafka, stream); len(recs) < n {
			return fmt.Errorf("%s holds %d of the %d beaconed events; Chromium said:\n%s", stream, len(recs), n, browser.Out)
		}
		return nil
	})
	return recs
}
