package anomaly

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Defaults of the Alertmanager client.
const (
	DefaultPushTimeout    = 5 * time.Second
	DefaultPushAttempts   = 3
	DefaultPushBackoff    = 200 * time.Millisecond
	DefaultPushMaxBackoff = 5 * time.Second
)

// Alert is one alert as Alertmanager's v2 API takes it (POST
// /api/v2/alerts). Alertmanager identifies an alert by its labels: posting
// the same labels again updates it. An alert whose EndsAt has passed is
// resolved; one without EndsAt resolves after Alertmanager's
// resolve_timeout unless it is posted again.
type Alert struct {
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations,omitempty"`
	StartsAt     time.Time         `json:"startsAt,omitzero"`
	EndsAt       time.Time         `json:"endsAt,omitzero"`
	GeneratorURL string            `json:"generatorURL,omitempty"`
}

// Client posts alerts to one Alertmanager. It is safe for concurrent use.
type Client struct {
	url        string // the alerts endpoint
	http       *http.Client
	timeout    time.Duration
	attempts   int
	backoff    time.Duration
	maxBackoff time.Duration
}

// ClientOption changes a Client's defaults.
type ClientOption func(*Client)

// WithTimeout bounds each attempt of a push. Default DefaultPushTimeout.
func WithTimeout(d time.Duration) ClientOption { return func(c *Client) { c.timeout = d } }

// WithRetries sets how many attempts a push makes at most, and the wait
// after the first failed one, which doubles after each further failure up
// to maxBackoff. Defaults DefaultPushAttempts, DefaultPushBackoff and
// DefaultPushMaxBackoff.
func WithRetries(attempts int, backoff, maxBackoff time.Duration) ClientOption {
	return func(c *Client) { c.attempts, c.backoff, c.maxBackoff = attempts, backoff, maxBackoff }
}

// WithHTTPClient sets the HTTP client (for TLS or a proxy). Default: a
// client of its own on http.DefaultTransport.
func WithHTTPClient(h *http.Client) ClientOption { return func(c *Client) { c.http = h } }

// NewClient returns a client of the Alertmanager at base, such as
// http://127.0.0.1:9093 (or a URL with the path prefix it is served under).
func NewClient(base string, opts ...ClientOption) (*Client, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("%w: Alertmanager URL %q: want http(s)://host[:port][/prefix]", ErrInvalidConfig, base)
	}
	u.Path = strings.TrimSuffix(u.Path, "/") + "/api/v2/alerts"
	c := &Client{url: u.String(), http: &http.Client{}, timeout: DefaultPushTimeout, attempts: DefaultPushAttempts,
		backoff: DefaultPushBackoff, maxBackoff: DefaultPushMaxBackoff}
	for _, o := range opts {
		o(c)
	}
	if c.http == nil || c.timeout <= 0 || c.attempts < 1 || c.backoff < 0 || c.maxBackoff < c.backoff {
		return nil, fmt.Errorf("%w: Alertmanager client: timeout %v, attempts %d, backoff %v up to %v",
			ErrInvalidConfig, c.timeout, c.attempts, c.backoff, c.maxBackoff)
	}
	return c, nil
}

// URL returns the endpoint the client posts to.
func (c *Client) URL() string { return c.url }

// PushError is a push that failed: its last attempt's HTTP status (0 when
// no response came) and body, or the transport error.
type PushError struct {
	URL      string
	Alerts   int
	Attempts int
	Status   int
	Body     string
	Err      error
}

func (e *PushError) Error() string {
	s := fmt.Sprintf("anomaly: pushing %d alerts to %s failed after %d attempts", e.Alerts, e.URL, e.Attempts)
	if e.Status != 0 {
		s += fmt.Sprintf(": HTTP %d %s", e.Status, strings.TrimSpace(e.Body))
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *PushError) Unwrap() error { return e.Err }

// Retriable reports whether the push may succeed later: a transport error,
// a timeout, 429 or a 5xx, rather than alerts Alertmanager refused (4xx).
func (e *PushError) Retriable() bool {
	return e.Status == 0 || e.Status == http.StatusRequestTimeout || e.Status == http.StatusTooManyRequests || e.Status >= 500
}

// Push posts alerts, retrying transport errors, timeouts, 429 and 5xx with
// backoff until an attempt succeeds, the attempts are used up or ctx ends.
// Errors are *PushError.
func (c *Client) Push(ctx context.Context, alerts []Alert) error {
	body, err := json.Marshal(alerts)
	if err != nil {
		return &PushError{URL: c.url, Alerts: len(alerts), Err: err}
	}
	wait := c.backoff
	for attempt := 1; ; attempt++ {
		perr := c.post(ctx, body)
		if perr == nil {
			return nil
		}
		perr.URL, perr.Alerts, perr.Attempts = c.url, len(alerts), attempt
		if !perr.Retriable() || attempt >= c.attempts {
			return perr
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			perr.Err = errors.Join(perr.Err, ctx.Err())
			return perr
		case <-t.C:
		}
		wait = min(2*wait, c.maxBackoff)
	}
}

// post makes one attempt.
func (c *Client) post(ctx context.Context, body []byte) *PushError {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return &PushError{Err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return &PushError{Err: err}
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // let the connection be reused
	if resp.StatusCode/100 == 2 {
		return nil
	}
	return &PushError{Status: resp.StatusCode, Body: string(msg)}
}
