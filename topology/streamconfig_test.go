package topology_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/topology"
	"github.com/ripplestream/ripple/topology/streamconfig"
)

// withSettings is a topology with one client-side stream that has every
// EventStreamConfig setting.
const withSettings = `streams:
  mediawiki.client.error:
    partitions: 2
    schema_title: mediawiki/client/error
    destination_event_service: eventgate-logging-external
    canary_events_enabled: true
    sample:
      rate: 0.25
      unit: session
    producers:
      eventgate:
        enrich_fields_from_http_headers: {http.request_headers.user-agent: user-agent}
        use_edge_uniques: true
  resource_change: {partitions: 2}
`

func TestStreamSettings(t *testing.T) {
	top, err := topology.Parse("t.yaml", []byte(withSettings))
	if err != nil {
		t.Fatal(err)
	}
	if err := top.Validate(nil); err != nil {
		t.Fatal(err)
	}
	yes := true
	want := map[string]streamconfig.Settings{
		"mediawiki.client.error": {SchemaTitle: "mediawiki/client/error", DestinationEventService: "eventgate-logging-external",
			CanaryEventsEnabled: &yes, Sample: &streamconfig.Sample{Rate: 0.25, Unit: "session"},
			Producers: map[string]any{"eventgate": map[string]any{
				"enrich_fields_from_http_headers": map[string]any{"http.request_headers.user-agent": "user-agent"},
				"use_edge_uniques":                true}}},
		"resource_change": {},
	}
	if got := top.StreamConfigs(); !reflect.DeepEqual(got, want) {
		t.Errorf("StreamConfigs:\n got %#v\nwant %#v", got, want)
	}
	if top.Stream("mediawiki.client.error").Schema != "mediawiki/client/error" {
		t.Error("schema_title is not the stream's Schema")
	}
}

func TestStreamSettingsErrorsWithPositions(t *testing.T) {
	for _, tc := range []struct {
		name, old, new string
		want           string
	}{
		{"rate above 1", "rate: 0.25", "rate: 1.5", "t.yaml:8:13: stream mediawiki.client.error: sample rate 1.5 is outside 0..1"},
		{"rate below 0", "rate: 0.25", "rate: -0.1", "t.yaml:8:13: stream mediawiki.client.error: sample rate -0.1 is outside 0..1"},
		{"rate not a number", "rate: 0.25", "rate: NaN", "t.yaml:8:13: stream mediawiki.client.error: sample rate NaN is outside 0..1"},
		{"unknown unit", "unit: session", "unit: sesion", `t.yaml:9:13: stream mediawiki.client.error: unknown sample unit "sesion"; known: session, pageview, device`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(withSettings, tc.old, tc.new, 1)
			top, err := topology.Parse("t.yaml", []byte(src))
			if err != nil {
				t.Fatal(err)
			}
			err = top.Validate(nil)
			var errs topology.Errors
			if !errors.As(err, &errs) || len(errs) != 1 || !strings.HasPrefix(errs[0].Error(), tc.want) {
				t.Fatalf("Validate = %v, want %s", err, tc.want)
			}
		})
	}
	for _, tc := range []struct{ old, new, want string }{
		{"canary_events_enabled: true", "canary_events_enable: true", `t.yaml:6:5: stream mediawiki.client.error: unknown key "canary_events_enable"`},
		{"rate: 0.25", "rate: all", `t.yaml:8:13: stream mediawiki.client.error: sample rate: want a number from 0 to 1, not "all"`},
		{"unit: session", "units: session", `t.yaml:9:7: stream mediawiki.client.error: sample: unknown setting "units"`},
		{"      rate: 0.25\n", "", "t.yaml:7:5: stream mediawiki.client.error: sample: rate is missing"},
		{"canary_events_enabled: true", "canary_events_enabled: sometimes", "t.yaml:6:28: stream mediawiki.client.error: canary_events_enabled: want true or false"},
		{"partitions: 2\n    schema_title", "partitions: 2\n    schema: x\n    schema_title", "t.yaml:5:5: stream mediawiki.client.error: schema given twice"},
		{"    producers:\n", "    producers:\n      mwext_eventlogging: yes\n", "t.yaml:11:27: stream mediawiki.client.error: producers mwext_eventlogging: want a mapping"},
	} {
		src := strings.Replace(withSettings, tc.old, tc.new, 1)
		if src == withSettings {
			t.Fatalf("%q not in the topology", tc.old)
		}
		_, err := topology.Parse("t.yaml", []byte(src))
		if !errors.Is(err, topology.ErrSyntax) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse with %q = %v, want ErrSyntax with %q", tc.new, err, tc.want)
		}
	}
}

// TestRunningServesStreamConfigs: the handler ripple run serves holds
// the streams' settings beside /metrics.
func TestRunningServesStreamConfigs(t *testing.T) {
	top, err := topology.Parse("t.yaml", []byte(withSettings))
	if err != nil {
		t.Fatal(err)
	}
	rn, err := topology.Start(context.Background(), top, topology.RunConfig{Kinds: kinds(),
		Processor: processor.Config{Brokers: []string{"127.0.0.1:1"}, StateDir: t.TempDir()}})
	if err != nil {
		t.Fatal(err)
	}
	defer rn.Stop()
	for path, want := range map[string]string{
		"/v1/streams?streams=mediawiki.client.error": `"sample":{"rate":0.25,"unit":"session"}`,
		"/metrics": "go_goroutines",
	} {
		rec := httptest.NewRecorder()
		rn.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), want) {
			t.Errorf("GET %s: %d, want %s in\n%s", path, rec.Code, want, rec.Body.String())
		}
		if strings.HasPrefix(path, "/v1/") && !json.Valid(rec.Body.Bytes()) {
			t.Errorf("GET %s: not JSON", path)
		}
	}
}
