package streamconfig_test

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"

	"github.com/ripplestream/ripple/topology/streamconfig"
)

// TestSampledRate: over 100,000 unit ids the share kept is the rate
// within four standard deviations (0.63 points at rate 0.5, 0.13 at
// 0.01), 0 keeps none
// and 1 all, and a larger rate keeps every unit a smaller one keeps.
func TestSampledRate(t *testing.T) {
	const n = 100_000
	for _, rate := range []float64{0, 0.01, 0.1, 0.5, 0.9, 1} {
		kept := 0
		for i := range n {
			id := fmt.Sprintf("session-%d", i)
			in := streamconfig.Sampled(streamconfig.Sample{Rate: rate, Unit: "session"}, id)
			if in {
				kept++
			}
			if in && !streamconfig.Sampled(streamconfig.Sample{Rate: math.Min(1, rate+0.05)}, id) {
				t.Fatalf("%s is in the sample at rate %v but not at %v", id, rate, rate+0.05)
			}
		}
		t.Logf("rate %v kept %d of %d", rate, kept, n)
		// Four standard deviations of a binomial share: the ids are
		// fixed, so this never flakes, yet a skewed hash fails it.
		if got, tol := float64(kept)/n, 4*math.Sqrt(rate*(1-rate)/n); math.Abs(got-rate) > tol {
			t.Errorf("rate %v kept %.4f of %d units", rate, got, n)
		}
		if (rate == 0 && kept != 0) || (rate == 1 && kept != n) {
			t.Errorf("rate %v kept %d of %d", rate, kept, n)
		}
	}
}

// TestSampledDeterministic: the decision is a function of the id and the
// rate alone, fixed by the hash the doc comment names (so another
// process, or another language, decides alike).
func TestSampledDeterministic(t *testing.T) {
	s := streamconfig.Sample{Rate: 0.5, Unit: "session"}
	// SHA-256("a") begins ca978112..., over half of 2^64: out at 0.5.
	// SHA-256("b") begins 3e23e816..., under a quarter: in at 0.25.
	if streamconfig.Sampled(s, "a") || !streamconfig.Sampled(s, "b") || !streamconfig.Sampled(streamconfig.Sample{Rate: 0.25}, "b") {
		t.Fatal("Sampled does not decide by the top bits of SHA-256 of the unit id")
	}
	for i := range 1000 {
		id := fmt.Sprint(i)
		if streamconfig.Sampled(s, id) != streamconfig.Sampled(s, id) {
			t.Fatalf("Sampled(%q) changed its mind", id)
		}
	}
}

func TestHandler(t *testing.T) {
	yes := true
	streams := map[string]streamconfig.Settings{
		"mediawiki.client.error": {SchemaTitle: "mediawiki/client/error", DestinationEventService: "eventgate-logging-external",
			CanaryEventsEnabled: &yes, Sample: &streamconfig.Sample{Rate: 0.1, Unit: "session"},
			Producers: map[string]any{"eventgate": map[string]any{"use_edge_uniques": true}}},
		"resource_change": {SchemaTitle: "resource_change"},
	}
	h := streamconfig.Handler(streams)
	for _, tc := range []struct{ query, want string }{
		{"", `{"streams":{"mediawiki.client.error":{"producers":{"eventgate":{"use_edge_uniques":true}},"sample":{"rate":0.1,"unit":"session"}},"resource_change":{}}}`},
		{"?streams=resource_change&all_settings", `{"streams":{"resource_change":{"schema_title":"resource_change","stream":"resource_change","topics":["resource_change"]}}}`},
		{"?streams=mediawiki.client.error%7Cnope&all_settings=1", `{"streams":{"mediawiki.client.error":{"canary_events_enabled":true,` +
			`"destination_event_service":"eventgate-logging-external","producers":{"eventgate":{"use_edge_uniques":true}},` +
			`"sample":{"rate":0.1,"unit":"session"},"schema_title":"mediawiki/client/error","stream":"mediawiki.client.error","topics":["mediawiki.client.error"]}}}`},
		{"?streams=nope", `{"streams":{}}`}, // as MediaWiki: an unknown stream is left out
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, streamconfig.Path+tc.query, nil))
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/json; charset=utf-8" {
			t.Errorf("%s: %d %s", tc.query, rec.Code, rec.Header().Get("Content-Type"))
		}
		var got, want any
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(tc.want), &want); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("GET %s\n got %s\nwant %s", tc.query, rec.Body.String(), tc.want)
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, streamconfig.Path, nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d, want 405", rec.Code)
	}
}

// BenchmarkSampled: the cost of one decision, paid per event by a
// producer of a sampled stream.
func BenchmarkSampled(b *testing.B) {
	s := streamconfig.Sample{Rate: 0.1, Unit: "session"}
	ids := make([]string, 1024)
	for i := range ids {
		ids[i] = fmt.Sprintf("a3f9c2e1b4d8%08x", i)
	}
	b.ResetTimer()
	for i := range b.N {
		streamconfig.Sampled(s, ids[i%len(ids)])
	}
}

func ExampleSampled() {
	s := streamconfig.Sample{Rate: 0.5, Unit: "session"}
	// The same session id gets the same answer in every process.
	fmt.Println(streamconfig.Sampled(s, "a"), streamconfig.Sampled(s, "b"))
	// Output: false true
}
