package anomaly_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ripplestream/ripple/processor/anomaly"
)

// amServer is a stand-in for Alertmanager's POST /api/v2/alerts that
// answers with the statuses in replies, in turn (then 200), and records
// what it got. The real Alertmanager is in the integration test.
type amServer struct {
	*httptest.Server
	replies []int
	delay   time.Duration
	done    chan struct{} // closed before the server: ends stalled replies
	calls   atomic.Int32
	got     chan []map[string]any
}

func newAMServer(t *testing.T, replies ...int) *amServer {
	s := &amServer{replies: replies, got: make(chan []map[string]any, 100), done: make(chan struct{})}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(s.calls.Add(1))
		if r.Method != http.MethodPost || r.URL.Path != "/prefix/api/v2/alerts" || r.Header.Get("Content-Type") != "application/json" {
			http.Error(w, "wrong request "+r.Method+" "+r.URL.Path, http.StatusNotFound)
			return
		}
		if s.delay > 0 {
			select {
			case <-time.After(s.delay):
			case <-r.Context().Done():
				return
			case <-s.done:
				return
			}
		}
		if n <= len(s.replies) && s.replies[n-1] != http.StatusOK {
			http.Error(w, "not now", s.replies[n-1])
			return
		}
		var alerts []map[string]any
		b, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(b, &alerts); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		s.got <- alerts
	}))
	t.Cleanup(s.Close)
	// Cleanups run last first: the stalled replies end, then the server
	// closes (a client that gave up does not always end a request whose
	// body the handler has not read).
	t.Cleanup(func() { close(s.done) })
	return s
}

func client(t *testing.T, s *amServer, opts ...anomaly.ClientOption) *anomaly.Client {
	t.Helper()
	opts = append([]anomaly.ClientOption{anomaly.WithRetries(3, time.Millisecond, 4*time.Millisecond)}, opts...)
	c, err := anomaly.NewClient(s.URL+"/prefix/", opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestClientPush(t *testing.T) {
	s := newAMServer(t)
	c := client(t, s)
	if c.URL() != s.URL+"/prefix/api/v2/alerts" {
		t.Fatalf("URL %s", c.URL())
	}
	start := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	err := c.Push(context.Background(), []anomaly.Alert{{
		Labels:      map[string]string{"alertname": "RateAnomaly", "key": "k"},
		Annotations: map[string]string{"summary": "s"},
		StartsAt:    start, EndsAt: start.Add(time.Hour), GeneratorURL: "https://grafana.example/d/1",
	}, {Labels: map[string]string{"alertname": "Other"}}})
	if err != nil {
		t.Fatal(err)
	}
	got := <-s.got
	b, _ := json.Marshal(got)
	want := `[{"annotations":{"summary":"s"},"endsAt":"2026-11-01T13:00:00Z","generatorURL":"https://grafana.example/d/1",` +
		`"labels":{"alertname":"RateAnomaly","key":"k"},"startsAt":"2026-11-01T12:00:00Z"},{"labels":{"alertname":"Other"}}]`
	if string(b) != want {
		t.Fatalf("posted %s,\nwant %s", b, want)
	}
}

func TestClientRetries(t *testing.T) {
	s := newAMServer(t, http.StatusServiceUnavailable, http.StatusTooManyRequests)
	if err := client(t, s).Push(context.Background(), []anomaly.Alert{{Labels: map[string]string{"a": "b"}}}); err != nil {
		t.Fatalf("push after a 503 and a 429: %v", err)
	}
	if n := s.calls.Load(); n != 3 {
		t.Fatalf("%d attempts, want 3", n)
	}

	s = newAMServer(t, 500, 502, 503, 504)
	err := client(t, s).Push(context.Background(), []anomaly.Alert{{Labels: map[string]string{"a": "b"}}})
	var pe *anomaly.PushError
	if !errors.As(err, &pe) || pe.Attempts != 3 || pe.Status != 503 || !pe.Retriable() || !strings.Contains(err.Error(), "HTTP 503 not now") {
		t.Fatalf("push against 5xx = %v, want a retriable PushError after 3 attempts ending in 503", err)
	}
}

func TestClientDoesNotRetryRefusedAlerts(t *testing.T) {
	s := newAMServer(t, http.StatusBadRequest)
	err := client(t, s).Push(context.Background(), []anomaly.Alert{{Labels: map[string]string{"bad name": "x"}}})
	var pe *anomaly.PushError
	if !errors.As(err, &pe) || pe.Attempts != 1 || pe.Status != 400 || pe.Retriable() || pe.Alerts != 1 {
		t.Fatalf("push refused with 400 = %#v", err)
	}
	if s.calls.Load() != 1 {
		t.Fatalf("%d attempts at a 400", s.calls.Load())
	}
}

func TestClientTimeoutAndCancel(t *testing.T) {
	s := newAMServer(t)
	// The server stalls for an hour: only the client's per-attempt
	// timeout ends each attempt (the outer bound only keeps a broken
	// timeout from hanging the test, and fails it: one attempt, not 3).
	s.delay = time.Hour
	bound, stop := context.WithTimeout(context.Background(), 2*time.Minute)
	defer stop()
	err := client(t, s, anomaly.WithTimeout(20*time.Millisecond)).Push(bound, []anomaly.Alert{{Labels: map[string]string{"a": "b"}}})
	var pe *anomaly.PushError
	if !errors.As(err, &pe) || pe.Attempts != 3 || pe.Status != 0 || !errors.Is(err, context.DeadlineExceeded) || bound.Err() != nil {
		t.Fatalf("push to a stalled server = %v, want 3 timed-out attempts", err)
	}

	s = newAMServer(t, 503, 503)
	c := client(t, s, anomaly.WithRetries(5, time.Hour, time.Hour))
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	err = c.Push(ctx, []anomaly.Alert{{Labels: map[string]string{"a": "b"}}})
	if !errors.Is(err, context.Canceled) || time.Since(start) > time.Minute {
		t.Fatalf("push cancelled during a backoff of an hour = %v after %v", err, time.Since(start))
	}
}

func TestNewClient(t *testing.T) {
	for _, u := range []string{"", "127.0.0.1:9093", "ftp://x", "http://", "http://h/?q=1", "http://h/#f", "http://a b"} {
		if _, err := anomaly.NewClient(u); !errors.Is(err, anomaly.ErrInvalidConfig) {
			t.Errorf("NewClient(%q) = %v, want ErrInvalidConfig", u, err)
		}
	}
	for _, o := range []anomaly.ClientOption{anomaly.WithTimeout(0), anomaly.WithRetries(0, 0, 0),
		anomaly.WithRetries(3, time.Second, time.Millisecond), anomaly.WithHTTPClient(nil)} {
		if _, err := anomaly.NewClient("http://127.0.0.1:9093", o); !errors.Is(err, anomaly.ErrInvalidConfig) {
			t.Errorf("NewClient with a bad option = %v", err)
		}
	}
	c, err := anomaly.NewClient("https://am.example:9093/alertmanager")
	if err != nil || c.URL() != "https://am.example:9093/alertmanager/api/v2/alerts" {
		t.Fatalf("NewClient with a prefix: %v %v", c, err)
	}
}
