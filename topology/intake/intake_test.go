package intake_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/internal/kafkaclient"
	"github.com/ripplestream/ripple/internal/testenv"
	"github.com/ripplestream/ripple/schemas"
	"github.com/ripplestream/ripple/topology/intake"
	"github.com/ripplestream/ripple/topology/streamconfig"
)

const (
	pageChanges = "mediawiki.page_change"
	purges      = "resource_change"
	sampled     = "purges.sampled"
	missing     = "declared.but.no.topic"
)

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// fixture is an intake on an in-process broker.
type fixture struct {
	t       *testing.T
	svc     *intake.Service
	cluster *kfake.Cluster
}

func newFixture(t *testing.T, edit func(*intake.Config)) *fixture {
	t.Helper()
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(2, pageChanges, purges, sampled))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cluster.Close)
	repo, err := event.OpenRepositoryFS(schemas.FS())
	if err != nil {
		t.Fatal(err)
	}
	cfg := intake.Config{
		Brokers: cluster.ListenAddrs(),
		Schemas: repo,
		Streams: map[string]streamconfig.Settings{
			pageChanges: {SchemaTitle: "mediawiki/page/change"},
			purges:      {SchemaTitle: "resource_change"},
			sampled:     {SchemaTitle: "resource_change", Sample: &streamconfig.Sample{Rate: 0.5, Unit: "session"}},
			missing:     {SchemaTitle: "resource_change"},
		},
		SampleFields: map[string]string{"session": "meta.request_id"},
		// A loaded machine may take seconds to produce to the in-process
		// broker too; tests that wait for a failure set a shorter one.
		ProduceTimeout: 30 * time.Second,
	}
	if edit != nil {
		edit(&cfg)
	}
	svc, err := intake.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close() })
	return &fixture{t: t, svc: svc, cluster: cluster}
}

// post posts body to path and returns the status and the body.
func (f *fixture) post(path, contentType string, body []byte) (int, string) {
	f.t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	rec := httptest.NewRecorder()
	f.svc.Handler().ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

// read returns the n events of topic, waiting for them up to 60 s.
func (f *fixture) read(topic string, n int) []map[string]any {
	f.t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(f.cluster.ListenAddrs()...), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		f.t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var out []map[string]any
	for len(out) < n && ctx.Err() == nil {
		cl.PollFetches(ctx).EachRecord(func(r *kgo.Record) {
			var ev map[string]any
			if err := json.Unmarshal(r.Value, &ev); err != nil {
				f.t.Fatalf("%s holds a record that is not JSON: %q", topic, r.Value)
			}
			out = append(out, ev)
		})
	}
	if len(out) != n {
		f.t.Fatalf("%s holds %d events after 60 s, want %d", topic, len(out), n)
	}
	return out
}

func testdata(t *testing.T, name string) []json.RawMessage {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var evs []json.RawMessage
	if err := json.Unmarshal(b, &evs); err != nil {
		t.Fatal(err)
	}
	return evs
}

// purge returns a resource_change event of stream; fields of extra are
// set in its meta.
func purge(stream, uri string, extra map[string]any) []byte {
	meta := map[string]any{"stream": stream, "uri": uri, "domain": "en.wikipedia.org"}
	for k, v := range extra {
		meta[k] = v
	}
	b, _ := json.Marshal(map[string]any{"$schema": "/resource_change/1.0.0", "meta": meta, "tags": []string{"test"}})
	return b
}

func TestAllAccepted(t *testing.T) {
	f := newFixture(t, nil)
	ex := testdata(t, "mediawiki.page.change.1.2.0.examples.json")[0]
	code, body := f.post(intake.EventsPath, "application/json", ex)
	if code != http.StatusCreated || body != "" {
		t.Fatalf("POST a page change example: %d %q, want 201 and no body", code, body)
	}
	got := f.read(pageChanges, 1)[0]
	meta := got["meta"].(map[string]any)
	if id, _ := meta["id"].(string); !uuidRE.MatchString(id) {
		t.Errorf("meta.id = %q, want a filled-in UUID", meta["id"])
	}
	if meta["dt"] != "2021-01-01T00:00:00.0Z" {
		t.Errorf("meta.dt = %v, want the event's own, kept", meta["dt"])
	}
	if got["page"].(map[string]any)["page_title"] != "example" {
		t.Errorf("produced event lost its fields: %v", got)
	}
}

func TestFillsMeta(t *testing.T) {
	f := newFixture(t, nil)
	before := time.Now().UTC()
	evs := []json.RawMessage{
		purge(purges, "https://en.wikipedia.org/wiki/A", nil),
		purge(purges, "https://en.wikipedia.org/wiki/B", map[string]any{"id": "kept-id", "dt": "2020-01-01T00:00:00Z"}),
	}
	body, _ := json.Marshal(evs)
	// sendBeacon posts a string as text/plain, as EventGate accepts.
	if code, resp := f.post(intake.EventsPath, "text/plain;charset=UTF-8", body); code != http.StatusCreated {
		t.Fatalf("POST two purges as text/plain: %d %s", code, resp)
	}
	byURI := map[string]map[string]any{}
	for _, ev := range f.read(purges, 2) {
		m := ev["meta"].(map[string]any)
		byURI[m["uri"].(string)] = m
	}
	a, b := byURI["https://en.wikipedia.org/wiki/A"], byURI["https://en.wikipedia.org/wiki/B"]
	if !uuidRE.MatchString(a["id"].(string)) {
		t.Errorf("meta.id of A = %v, want a UUID", a["id"])
	}
	dt, err := time.Parse(time.RFC3339Nano, a["dt"].(string))
	if err != nil || dt.Before(before.Add(-time.Second)) || dt.After(time.Now().Add(time.Second)) {
		t.Errorf("meta.dt of A = %v (%v), want the receive time", a["dt"], err)
	}
	if b["id"] != "kept-id" || b["dt"] != "2020-01-01T00:00:00Z" {
		t.Errorf("meta of B = %v, want its id and dt kept", b)
	}
}

func TestPartlyAccepted(t *testing.T) {
	f := newFixture(t, nil)
	bad := []byte(`{"$schema": "/resource_change/1.0.0", "meta": {"stream": "resource_change", "uri": "https://x.org/"}, "tags": "not-a-list"}`)
	body, _ := json.Marshal([]json.RawMessage{purge(purges, "https://en.wikipedia.org/wiki/A", nil), bad})
	code, resp := f.post(intake.EventsPath, "application/json", body)
	if code != http.StatusMultiStatus {
		t.Fatalf("POST one good, one bad: %d %s, want 207", code, resp)
	}
	var got struct {
		Invalid []struct {
			Status  string          `json:"status"`
			Event   json.RawMessage `json:"event"`
			Context struct {
				Message string `json:"message"`
				Errors  []struct {
					Keyword, InstancePath, Message string
				} `json:"errors"`
				ErrorsText string `json:"errorsText"`
			} `json:"context"`
		} `json:"invalid"`
		Error []json.RawMessage `json:"error"`
	}
	if err := json.Unmarshal([]byte(resp), &got); err != nil {
		t.Fatalf("207 body %s: %v", resp, err)
	}
	if len(got.Invalid) != 1 || got.Error == nil || len(got.Error) != 0 {
		t.Fatalf("207 body = %s, want one invalid and an empty error list", resp)
	}
	inv := got.Invalid[0]
	var posted bytes.Buffer
	_ = json.Compact(&posted, bad)
	if inv.Status != "invalid" || !bytes.Equal(inv.Event, posted.Bytes()) || len(inv.Context.Errors) == 0 ||
		inv.Context.Errors[0].InstancePath != "/tags" || inv.Context.Errors[0].Keyword != "type" ||
		!strings.Contains(inv.Context.ErrorsText, "'/tags'") {
		t.Errorf("invalid entry = %+v, want status invalid, the event as posted and a type error at /tags", inv)
	}
	f.read(purges, 1)
}

func TestNoneAccepted(t *testing.T) {
	f := newFixture(t, nil)
	for _, tc := range []struct {
		name, event, want string
	}{
		{"undeclared stream", string(purge("nope", "https://x.org/", nil)), `stream \"nope\" is not declared`},
		{"wrong title", string(purge(pageChanges, "https://x.org/", nil)), "stream mediawiki.page_change takes mediawiki/page/change events, not resource_change"},
		{"unknown schema", `{"$schema": "/no/such/1.0.0", "meta": {"stream": "resource_change"}}`, "schema not found"},
		{"no $schema", `{"meta": {"stream": "resource_change"}}`, "no $schema"},
		{"no stream", `{"$schema": "/resource_change/1.0.0", "meta": {}}`, "no meta.stream"},
		{"not an object", `[1]`, "must be a JSON object"},
		{"invalid", `{"$schema": "/resource_change/1.0.0", "meta": {"stream": "resource_change", "uri": 5}}`, "/meta/uri"},
	} {
		code, resp := f.post(intake.EventsPath, "application/json", []byte(tc.event))
		if code != http.StatusBadRequest || !strings.Contains(resp, tc.want) || !strings.Contains(resp, `{"invalid":[{"status":"invalid"`) {
			t.Errorf("%s: %d %s, want 400 with an invalid entry saying %q", tc.name, code, resp, tc.want)
		}
	}
	for _, body := range []string{"", "  ", "[]", "{not json", `[{"a":1},`} {
		if code, resp := f.post(intake.EventsPath, "application/json", []byte(body)); code != http.StatusBadRequest {
			t.Errorf("POST %q: %d %s, want 400", body, code, resp)
		}
	}
}

func TestTooLarge(t *testing.T) {
	f := newFixture(t, func(c *intake.Config) { c.MaxBodyBytes = 200 })
	small := purge(purges, "https://en.wikipedia.org/wiki/A", nil)
	if code, resp := f.post(intake.EventsPath, "application/json", small); code != http.StatusCreated {
		t.Fatalf("POST %d bytes under a 200-byte limit: %d %s", len(small), code, resp)
	}
	big, _ := json.Marshal([]json.RawMessage{small, small})
	if code, resp := f.post(intake.EventsPath, "application/json", big); code != http.StatusRequestEntityTooLarge {
		t.Errorf("POST %d bytes over a 200-byte limit: %d %s, want 413", len(big), code, resp)
	}
}

func TestProduceFailure(t *testing.T) {
	// An event of a stream without topic fails when the producer gives
	// up on it: soon, so that the test does not wait the default 30 s.
	f := newFixture(t, func(c *intake.Config) { c.ProduceTimeout = 3 * time.Second })
	code, resp := f.post(intake.EventsPath, "application/json", purge(missing, "https://x.org/", nil))
	if code != http.StatusInternalServerError || !strings.Contains(resp, `"error":[{"status":"error"`) ||
		!strings.Contains(resp, "producing to "+missing) {
		t.Errorf("POST to a stream without topic: %d %s, want 500 with an error entry", code, resp)
	}
	body, _ := json.Marshal([]json.RawMessage{purge(missing, "https://x.org/", nil), purge(purges, "https://x.org/", nil)})
	if code, resp := f.post(intake.EventsPath, "application/json", body); code != http.StatusMultiStatus || !strings.Contains(resp, `"invalid":[]`) {
		t.Errorf("POST one that fails and one that does not: %d %s, want 207", code, resp)
	}
}

func TestHasty(t *testing.T) {
	f := newFixture(t, nil)
	code, resp := f.post(intake.EventsPath+"?hasty=true", "text/plain", purge(purges, "https://x.org/hasty", nil))
	if code != http.StatusAccepted || resp != "" {
		t.Fatalf("POST ?hasty=true: %d %q, want 202 and no body", code, resp)
	}
	if got := f.read(purges, 1)[0]["meta"].(map[string]any)["uri"]; got != "https://x.org/hasty" {
		t.Errorf("hasty event produced as %v", got)
	}
}

func TestSampling(t *testing.T) {
	f := newFixture(t, nil)
	// Sampled at 0.5: unit "a" is out, "b" in (streamconfig's tests).
	body, _ := json.Marshal([]json.RawMessage{
		purge(sampled, "https://x.org/a", map[string]any{"request_id": "a"}),
		purge(sampled, "https://x.org/b", map[string]any{"request_id": "b"}),
	})
	if code, resp := f.post(intake.EventsPath, "application/json", body); code != http.StatusCreated {
		t.Fatalf("POST two sampled events: %d %s, want 201", code, resp)
	}
	if got := f.read(sampled, 1)[0]["meta"].(map[string]any)["uri"]; got != "https://x.org/b" {
		t.Errorf("sampled stream got %v, want only the event of unit b", got)
	}
	code, resp := f.post(intake.EventsPath, "application/json", purge(sampled, "https://x.org/c", nil))
	if code != http.StatusBadRequest || !strings.Contains(resp, "no field meta.request_id") {
		t.Errorf("POST a sampled event without its unit id: %d %s, want 400", code, resp)
	}
}

func TestOtherEndpoints(t *testing.T) {
	f := newFixture(t, nil)
	f.post(intake.EventsPath, "application/json", purge("nope", "https://x.org/", nil))
	for _, tc := range []struct{ path, want string }{
		{"/healthz", "ok"},
		{"/metrics", `ripple_intake_events_total{outcome="invalid",stream=""} 1`},
		{"/metrics", `ripple_intake_requests_total{code="400"} 1`},
		{streamconfig.Path + "?streams=resource_change&all_settings", `"schema_title":"resource_change"`},
		{intake.ClientPath, "navigator.sendBeacon"},
		{intake.ClientPath + "beacon.js", "navigator.sendBeacon(url"},
	} {
		rec := httptest.NewRecorder()
		f.svc.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tc.path, nil))
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), tc.want) {
			t.Errorf("GET %s: %d, want 200 with %q in:\n%s", tc.path, rec.Code, tc.want, rec.Body.String())
		}
	}
	rec := httptest.NewRecorder()
	f.svc.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, intake.EventsPath, nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("GET %s: %d, want 405", intake.EventsPath, rec.Code)
	}
}

// TestRunShutsDownGracefully: Run serves on the listener given, and when
// its context ends it finishes the hasty events in flight before it
// returns: they are all in the topic.
func TestRunShutsDownGracefully(t *testing.T) {
	f := newFixture(t, nil) // for its broker; Run makes its own service
	repo, err := event.OpenRepositoryFS(schemas.FS())
	if err != nil {
		t.Fatal(err)
	}
	base, stop := serve(t, intake.Config{Brokers: f.cluster.ListenAddrs(), Schemas: repo,
		Streams: map[string]streamconfig.Settings{purges: {SchemaTitle: "resource_change"}}})
	var evs []json.RawMessage
	for i := range 20 {
		evs = append(evs, purge(purges, fmt.Sprintf("https://x.org/%d", i), nil))
	}
	body, _ := json.Marshal(evs)
	resp, err := http.Post(base+intake.EventsPath+"?hasty=1", "text/plain", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("POST hasty: %s", resp.Status)
	}
	if err := stop(); err != nil {
		t.Fatalf("Run after its context ended: %v", err)
	}
	f.read(purges, 20)
}

// serve runs intake.Run with cfg on a loopback port of its own and
// returns its base URL and stop, which ends Run's context and returns
// its error (or fails the test if Run is still running 30 s later).
func serve(t *testing.T, cfg intake.Config) (base string, stop func() error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- intake.Run(ctx, cfg, ln) }()
	return "http://" + ln.Addr().String(), func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(30 * time.Second):
			t.Fatal("intake.Run still running 30 s after its context ended")
			return nil
		}
	}
}

// TestProducerIsIdempotent: the intake's producer asks the broker for a
// producer id and sends its batches with acks from all in-sync replicas,
// so that a retried batch is written once and an acknowledged one is on
// every replica.
func TestProducerIsIdempotent(t *testing.T) {
	f := newFixture(t, nil)
	var mu sync.Mutex
	var producerIDs int
	var acks []int16
	f.cluster.ControlKey(int16(kmsg.InitProducerID), func(kmsg.Request) (kmsg.Response, error, bool) {
		f.cluster.KeepControl()
		mu.Lock()
		producerIDs++
		mu.Unlock()
		return nil, nil, false
	})
	f.cluster.ControlKey(int16(kmsg.Produce), func(req kmsg.Request) (kmsg.Response, error, bool) {
		f.cluster.KeepControl()
		mu.Lock()
		acks = append(acks, req.(*kmsg.ProduceRequest).Acks)
		mu.Unlock()
		return nil, nil, false
	})
	if code, resp := f.post(intake.EventsPath, "application/json", purge(purges, "https://x.org/", nil)); code != http.StatusCreated {
		t.Fatalf("POST: %d %s", code, resp)
	}
	mu.Lock()
	defer mu.Unlock()
	if producerIDs == 0 || len(acks) == 0 {
		t.Fatalf("the producer sent %d InitProducerID and %d Produce requests, want both", producerIDs, len(acks))
	}
	for _, a := range acks {
		if a != -1 {
			t.Errorf("a Produce request with acks %d, want -1 (all in-sync replicas)", a)
		}
	}
}

// get answers GET path.
func (f *fixture) get(path string) (int, string) {
	f.t.Helper()
	rec := httptest.NewRecorder()
	f.svc.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec.Code, rec.Body.String()
}

// TestHastyAfterClose: a closed service refuses posts, hasty or not, with
// 503 rather than accepting events it can no longer produce, and is not
// ready.
func TestHastyAfterClose(t *testing.T) {
	f := newFixture(t, nil)
	if code, body := f.get("/readyz"); code != http.StatusOK {
		t.Fatalf("/readyz of an open service: %d %s, want 200", code, body)
	}
	if err := f.svc.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	for _, path := range []string{intake.EventsPath + "?hasty=true", intake.EventsPath} {
		if code, resp := f.post(path, "text/plain", purge(purges, "https://x.org/late", nil)); code != http.StatusServiceUnavailable {
			t.Errorf("POST %s after Close: %d %q, want 503", path, code, resp)
		}
	}
	if code, body := f.get("/readyz"); code != http.StatusServiceUnavailable {
		t.Errorf("/readyz after Close: %d %s, want 503", code, body)
	}
	if _, body := f.get("/metrics"); !strings.Contains(body, `ripple_intake_requests_total{code="503"} 2`) {
		t.Errorf("/metrics after Close does not count the two 503s: %q", regexp.MustCompile(`ripple_intake_requests_total.*`).FindAllString(body, -1))
	}
}

// TestHastyDuringClose: a hasty event accepted before Close is produced
// by Close, which waits for it; once Close has begun, /readyz fails and
// posts, hasty or not, get 503.
func TestHastyDuringClose(t *testing.T) {
	// Close waits longer than the test for the event it holds, so that
	// nothing but Close's beginning can make /readyz fail.
	f := newFixture(t, func(c *intake.Config) { c.ShutdownTimeout = 5 * time.Minute })
	// The broker holds the first Produce request until released, so that
	// the hasty event is still in flight when Close begins.
	held, release := make(chan struct{}), make(chan struct{})
	var once, released sync.Once
	t.Cleanup(func() { released.Do(func() { close(release) }) }) // should the test fail first
	f.cluster.ControlKey(int16(kmsg.Produce), func(kmsg.Request) (kmsg.Response, error, bool) {
		f.cluster.KeepControl()
		once.Do(func() {
			close(held)
			f.cluster.SleepControl(func() { <-release })
		})
		return nil, nil, false
	})
	if code, resp := f.post(intake.EventsPath+"?hasty=true", "text/plain", purge(purges, "https://x.org/early", nil)); code != http.StatusAccepted {
		t.Fatalf("POST ?hasty=true before Close: %d %q, want 202", code, resp)
	}
	select {
	case <-held:
	case <-time.After(30 * time.Second):
		t.Fatal("the hasty event did not reach the broker in 30 s")
	}
	closed := make(chan error, 1)
	go func() { closed <- f.svc.Close() }()
	testenv.Eventually(t, 30*time.Second, func() error {
		if code, _ := f.get("/readyz"); code != http.StatusServiceUnavailable {
			return fmt.Errorf("/readyz answers %d while Close waits for a hasty event, want 503", code)
		}
		return nil
	})
	for _, path := range []string{intake.EventsPath + "?hasty=true", intake.EventsPath} {
		if code, resp := f.post(path, "text/plain", purge(purges, "https://x.org/late", nil)); code != http.StatusServiceUnavailable {
			t.Errorf("POST %s while closing: %d %q, want 503", path, code, resp)
		}
	}
	select {
	case err := <-closed:
		t.Fatalf("Close returned (%v) before the hasty event in flight was acknowledged", err)
	default:
	}
	released.Do(func() { close(release) })
	select {
	case err := <-closed:
		if err != nil {
			t.Fatalf("Close: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Close still waiting 30 s after the broker took the hasty event")
	}
	evs := f.read(purges, 1)
	if got := evs[0]["meta"].(map[string]any)["uri"]; got != "https://x.org/early" {
		t.Errorf("the topic holds %v, want the hasty event posted before Close", got)
	}
}

// TestNewFailureRegistersNothing: a New that fails leaves no metric of
// its own on the registry it was given, so that a New with a corrected
// config can register them there.
func TestNewFailureRegistersNothing(t *testing.T) {
	repo, err := event.OpenRepositoryFS(schemas.FS())
	if err != nil {
		t.Fatal(err)
	}
	streams := map[string]streamconfig.Settings{purges: {SchemaTitle: "resource_change"}}
	for _, tc := range []struct {
		name string
		edit func(*intake.Config)
	}{
		{"broker address kgo refuses", func(c *intake.Config) { c.Brokers = []string{"127.0.0.1:notaport"} }},
		{"unreadable TLS file", func(c *intake.Config) {
			c.Security.TLS = kafkaclient.TLS{Enable: true, CAFile: filepath.Join(t.TempDir(), "ca.pem")}
		}},
		{"the last metric refused", func(c *intake.Config) {
			c.Registerer = refusing{c.Registerer, "ripple_intake_request_events"}
		}},
	} {
		reg := prometheus.NewRegistry()
		cfg := intake.Config{Brokers: []string{"127.0.0.1:1"}, Schemas: repo, Streams: streams, Registerer: reg, Gatherer: reg}
		tc.edit(&cfg)
		if svc, err := intake.New(cfg); err == nil {
			svc.Close()
			t.Errorf("%s: New succeeded", tc.name)
			continue
		}
		if mfs, err := reg.Gather(); err != nil || len(mfs) != 0 {
			t.Errorf("%s: the failed New left %d metric families (%v), want none", tc.name, len(mfs), err)
			continue
		}
		cfg.Brokers, cfg.Security, cfg.Registerer = []string{"127.0.0.1:1"}, kafkaclient.Security{}, reg
		svc, err := intake.New(cfg)
		if err != nil {
			t.Errorf("%s: New again with the config corrected: %v", tc.name, err)
			continue
		}
		svc.Close()
	}
}

// refusing is a registry that refuses the collectors of metric name.
type refusing struct {
	prometheus.Registerer
	name string
}

func (r refusing) Register(c prometheus.Collector) error {
	descs := make(chan *prometheus.Desc, 16)
	go func() { c.Describe(descs); close(descs) }()
	var refused bool
	for d := range descs {
		refused = refused || strings.Contains(d.String(), `"`+r.name+`"`)
	}
	if refused {
		return fmt.Errorf("%s refused", r.name)
	}
	return r.Registerer.Register(c)
}

// TestDrainDelay: once Serve's context ends, /readyz fails while events
// are still taken on the open port for DrainDelay (an hour here, so only
// Close can end it), and Close ends the drain: Serve returns.
func TestDrainDelay(t *testing.T) {
	f := newFixture(t, func(c *intake.Config) { c.DrainDelay = time.Hour })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	served := make(chan error, 1)
	go func() { served <- f.svc.Serve(ctx, ln) }()
	base := "http://" + ln.Addr().String()
	post := func(uri string) int {
		resp, err := http.Post(base+intake.EventsPath, "text/plain", bytes.NewReader(purge(purges, uri, nil)))
		if err != nil {
			t.Fatalf("POST during the drain: %v", err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post("https://x.org/before"); code != http.StatusCreated {
		t.Fatalf("POST while serving: %d, want 201", code)
	}

	cancel()
	testenv.Eventually(t, 60*time.Second, func() error {
		resp, err := http.Get(base + "/readyz")
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusServiceUnavailable {
			return fmt.Errorf("/readyz answers %d after Serve's context ended, want 503", resp.StatusCode)
		}
		return nil
	})
	if code := post("https://x.org/draining"); code != http.StatusCreated {
		t.Fatalf("POST during the drain: %d, want 201 (events are still taken)", code)
	}
	got := f.read(purges, 2)
	if uri := got[1]["meta"].(map[string]any)["uri"]; uri != "https://x.org/draining" {
		t.Fatalf("second event on the topic is %v, want the one posted during the drain", uri)
	}
	select {
	case err := <-served:
		t.Fatalf("Serve returned (%v) during a drain of an hour", err)
	default:
	}

	if err := f.svc.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-served:
		if err != nil {
			t.Fatalf("Serve after Close ended the drain: %v", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("Close did not end the drain: Serve still running a minute later")
	}

	repo, err := event.OpenRepositoryFS(schemas.FS())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := intake.New(intake.Config{Brokers: []string{"127.0.0.1:1"}, Schemas: repo, Streams: map[string]streamconfig.Settings{purges: {SchemaTitle: "resource_change"}},
		DrainDelay: -time.Second}); !errors.Is(err, intake.ErrInvalidConfig) || !strings.Contains(err.Error(), "DrainDelay -1s must not be negative") {
		t.Errorf("New with a negative DrainDelay: %v", err)
	}
}
