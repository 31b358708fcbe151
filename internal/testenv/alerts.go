package testenv

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"
)

// Alert is an alert as Alertmanager's v2 API lists it.
type Alert struct {
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations"`
	StartsAt     time.Time         `json:"startsAt"`
	EndsAt       time.Time         `json:"endsAt"`
	GeneratorURL string            `json:"generatorURL"`
	Status       struct {
		State string `json:"state"`
	} `json:"status"`
}

// Alerts returns the current alerts of the Alertmanager at base (see
// Alertmanager) whose label is value: a test labels its alerts with a value
// of its own, such as Name's, so it sees only them.
func Alerts(t testing.TB, base, label, value string) []Alert {
	t.Helper()
	q := url.Values{"filter": {fmt.Sprintf("%s=%q", label, value)}}
	client := http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get(base + "/api/v2/alerts?" + q.Encode())
	if err != nil {
		t.Fatalf("GET /api/v2/alerts: %v", err)
	}
	defer resp.Body.Close()
	var alerts []Alert
	if err := json.NewDecoder(resp.Body).Decode(&alerts); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/v2/alerts: %s: %v", resp.Status, err)
	}
	return alerts
}
