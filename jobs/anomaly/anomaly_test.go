package anomaly

import (
	"errors"
	"strings"
	"testing"
)

func TestEveryAlertHasARunbook(t *testing.T) {
	for _, w := range (Config{}).watches() {
		text := runbook(w.alert) // panics without a section
		if !strings.Contains(text, "Above:") || !strings.Contains(text, "Below:") || strings.Contains(text, "##") {
			t.Errorf("runbook of %s: %q", w.alert, text)
		}
	}
}

func TestJobs(t *testing.T) {
	if _, err := Jobs(Config{Name: "sre"}); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("no Alerts: %v", err)
	}
	if _, err := Jobs(Config{Name: "sre", Alerts: "alerts"}); !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), "watches nothing") {
		t.Errorf("nothing watched: %v", err)
	}
	jobs, err := Jobs(Config{Name: "sre", Alerts: "alerts", PageChanges: "mediawiki.page_change.v1", Purges: "resource_change"})
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 2 || jobs[0].Name != "sre-edits" || jobs[1].Name != "sre-purges" {
		t.Errorf("jobs %v", jobs)
	}
	if _, err := Jobs(Config{Name: "sre", Alerts: "mediawiki.page_change.v1", PageChanges: "mediawiki.page_change.v1"}); err == nil {
		t.Error("alerts written to the watched stream: no error")
	}
}

func TestWikiNamespace(t *testing.T) {
	for raw, want := range map[string]string{
		`{"wiki_id":"enwiki","page":{"namespace_id":0,"page_title":"A"}}`:  "enwiki:0",
		`{"wiki_id":"dewiki","page":{"namespace_id":10,"page_title":"B"}}`: "dewiki:10",
	} {
		if got, err := WikiNamespace([]byte(raw)); err != nil || got != want {
			t.Errorf("WikiNamespace(%s) = %q, %v; want %q", raw, got, err, want)
		}
	}
	for _, raw := range []string{`{"wiki_id":"enwiki","page":{}}`, `{"page":{"namespace_id":0}}`, `[]`, `x`} {
		if _, err := WikiNamespace([]byte(raw)); err == nil {
			t.Errorf("WikiNamespace(%s): no error", raw)
		}
	}
}
