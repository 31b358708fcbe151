package anomaly_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/processor/anomaly"
	"github.com/ripplestream/ripple/schemas"
)

// TestAlertSchema checks ripple/alert in the project's schema repository:
// 1.0.0 and current.yaml (which $refs the envelope) accept the example and
// the events the job emits, and agree on what they refuse, so 1.0.0 is
// current.yaml materialized as far as validation can tell.
func TestAlertSchema(t *testing.T) {
	repo, err := event.OpenRepositoryFS(schemas.FS())
	if err != nil {
		t.Fatal(err)
	}
	if v := repo.Versions("ripple/alert"); fmt.Sprint(v) != "[1.0.0]" || !repo.HasCurrent("ripple/alert") {
		t.Fatalf("ripple/alert versions %v, current %v", v, repo.HasCurrent("ripple/alert"))
	}
	examples, err := repo.Examples("/ripple/alert/1.0.0")
	if err != nil || len(examples) != 1 {
		t.Fatalf("examples %d, %v", len(examples), err)
	}
	// The job's own events, from the harness.
	h := start(t, anomaly.Config{Labels: map[string]string{"severity": "warning"}})
	traffic(h, "sig", 20, 10)
	traffic(h, "sig", 1, 100)
	h.Advance(6 * time.Minute) // one jump: both transitions at once
	emitted := h.Output(out)
	if len(emitted) != 2 {
		t.Fatalf("%d alerts emitted, want a firing and a resolution", len(emitted))
	}
	valid := [][]byte{examples[0], emitted[0].Value, emitted[1].Value}

	mutate := func(change func(map[string]any)) []byte {
		var m map[string]any
		_ = json.Unmarshal(examples[0], &m)
		change(m)
		b, _ := json.Marshal(m)
		return b
	}
	invalid := map[string][]byte{
		"no key":           mutate(func(m map[string]any) { delete(m, "key") }),
		"empty key":        mutate(func(m map[string]any) { m["key"] = "" }),
		"pending":          mutate(func(m map[string]any) { m["status"] = "pending" }),
		"sideways":         mutate(func(m map[string]any) { m["direction"] = "sideways" }),
		"negative value":   mutate(func(m map[string]any) { m["value"] = -1 }),
		"negative score":   mutate(func(m map[string]any) { m["score"] = -1 }),
		"zero threshold":   mutate(func(m map[string]any) { m["score_threshold"] = 0 }),
		"window no end":    mutate(func(m map[string]any) { delete(m["window"].(map[string]any), "end") }),
		"window extra":     mutate(func(m map[string]any) { m["window"].(map[string]any)["size"] = 60 }),
		"bad label name":   mutate(func(m map[string]any) { m["labels"] = map[string]any{"bad-name": "x"} }),
		"label not string": mutate(func(m map[string]any) { m["labels"] = map[string]any{"n": 1} }),
		"extra field":      mutate(func(m map[string]any) { m["extra"] = true }),
		"dt not a time":    mutate(func(m map[string]any) { m["dt"] = "yesterday" }),
		"no meta.stream":   mutate(func(m map[string]any) { delete(m["meta"].(map[string]any), "stream") }),
		"no started_at":    mutate(func(m map[string]any) { delete(m, "started_at") }),
	}
	for _, uri := range []string{"/ripple/alert/1.0.0", "/ripple/alert/current"} {
		s, err := repo.Schema(uri)
		if err != nil {
			t.Fatal(err)
		}
		for i, b := range valid {
			if err := s.Validate(b); err != nil {
				t.Errorf("%s: valid event %d: %v\n%s", uri, i, err, b)
			}
		}
		for name, b := range invalid {
			if err := s.Validate(b); err == nil {
				t.Errorf("%s accepts an event with %s", uri, name)
			}
		}
	}
}
