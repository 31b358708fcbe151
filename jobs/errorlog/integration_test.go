//go:build integration

package errorlog_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/ripplestream/ripple/internal/jobtest"
	"github.com/ripplestream/ripple/internal/testenv"
	"github.com/ripplestream/ripple/jobs/errorlog"
	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/processor/ratelimit"
)

// TestIntegrationErrorLog runs the three jobs on the real broker over a
// flood of one error (40 reports from two deploys, whose stacks differ in
// line numbers and versions, plus 15 redelivered copies), a few reports of
// another and two events that are not client errors. Each error gets one
// fingerprint; no copy passes; each fingerprint passes what its limiter
// lets through and the summaries count the rest; the bad events are in the
// error topic with their reason.
func TestIntegrationErrorLog(t *testing.T) {
	kc := testenv.Kafka(t)
	name := processor.Group(testenv.Name(t, "errorlog"))
	in, out, sums := testenv.Name(t, "in"), testenv.Name(t, "out"), testenv.Name(t, "sums")
	cfg := errorlog.Config{Name: name, Input: processor.Stream(in), Output: processor.Stream(out), Summaries: processor.Stream(sums),
		// No refill during the test: what passes is the burst and every
		// SampleEvery-th event over it, whatever order they arrive in.
		Limit: ratelimit.Limit{Rate: 5, Per: time.Hour, Burst: 5}, SampleEvery: 10, SummaryInterval: time.Second}
	p, err := errorlog.Jobs(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{in, string(cfg.Fingerprinted()), string(cfg.Deduped())} {
		testenv.CreateTopic(t, kc, s, 4)
	}
	t.Cleanup(func() {
		topics := []string{out, sums, string(p.Fingerprint.Name) + ".error"} // CreateTopic deletes the others
		for _, j := range []processor.Group{p.Dedupe.Name, p.RateLimit.Name} {
			timers := string(processor.TimerStream(j))
			topics = append(topics, string(j)+"-table", string(j)+".error", timers, timers+".ready", string(j)+".timers-loop")
		}
		testenv.DeleteTopics(t, kc, topics...)
	})

	const flood = 40
	msg := "Uncaught TypeError: Cannot read properties of undefined (reading 'title')"
	stacks := []string{
		"TypeError: x\n    at Object.render (https://en.wikipedia.org/w/load.php?modules=ext.gadget.Navpopups&version=1a2b3:12:345)\n    at https://en.wikipedia.org/w/load.php?modules=startup&version=9f8e7:3:17",
		"TypeError: x\n    at Object.render (https://en.wikipedia.org/w/load.php?modules=ext.gadget.Navpopups&version=4c5d6:14:2)\n    at https://en.wikipedia.org/w/load.php?modules=startup&version=0a1b2:3:99",
	}
	var recs []testenv.Record
	add := func(id string, v []byte) { recs = append(recs, testenv.Record{Key: []byte(id), Value: v}) }
	for i := range flood {
		id := fmt.Sprintf("flood-%d", i)
		add(id, clientError(id, "TypeError", msg, stacks[i%2]))
		if i%8 < 3 { // 15 redelivered copies
			add(id, clientError(id, "TypeError", msg, stacks[i%2]))
		}
	}
	for i := range 3 {
		id := fmt.Sprintf("other-%d", i)
		add(id, clientError(id, "ReferenceError", "Uncaught ReferenceError: mw is not defined", "at init (https://x/a.js:1:1)"))
	}
	add("bad-1", []byte(`not json`))
	add("bad-2", []byte(`{"meta":{"id":"bad-2"}}`))
	testenv.Produce(t, kc, in, recs)

	floodFP := errorlog.Fingerprint("TypeError", msg, stacks[0])
	otherFP := errorlog.Fingerprint("ReferenceError", "Uncaught ReferenceError: mw is not defined", "at init (https://x/a.js:1:1)")
	want := map[string]int{floodFP: passes(t, cfg, flood), otherFP: passes(t, cfg, 3)}
	suppressed := map[string]int64{floodFP: int64(flood - want[floodFP]), otherFP: int64(3 - want[otherFP])}

	pc := processor.Config{Brokers: kc.Brokers, StateDir: t.TempDir()}
	jobtest.Start(t, p.Fingerprint, pc)
	pc.StateDir = t.TempDir()
	jobtest.Start(t, p.Dedupe, pc)
	pc.StateDir = t.TempDir()
	jobtest.Start(t, p.RateLimit, pc)

	// The summaries come last (by timer, once a fingerprint is quiet):
	// once they count every event held back, every output has been sent.
	testenv.Eventually(t, 2*time.Minute, func() error {
		got := map[string]int64{}
		for _, r := range testenv.ReadAll(t, kc, sums) {
			var s ratelimit.SummaryEvent
			if err := json.Unmarshal(r.Value, &s); err != nil {
				return fmt.Errorf("summary %s: %v", r.Value, err)
			}
			got[s.Key] += s.Suppressed
		}
		if got[floodFP] != suppressed[floodFP] || got[otherFP] != suppressed[otherFP] || len(got) > 2 {
			return fmt.Errorf("summaries count %v held back, want %v", got, suppressed)
		}
		return nil
	})
	got, ids := map[string]int{}, map[string]bool{}
	for _, r := range testenv.ReadAll(t, kc, out) {
		var e struct {
			Fingerprint string `json:"fingerprint"`
			Meta        struct {
				ID string `json:"id"`
			} `json:"meta"`
		}
		if err := json.Unmarshal(r.Value, &e); err != nil {
			t.Fatalf("output %s: %v", r.Value, err)
		}
		if e.Fingerprint != string(r.Key) {
			t.Errorf("output keyed %s has fingerprint %s", r.Key, e.Fingerprint)
		}
		if ids[e.Meta.ID] {
			t.Errorf("event %s passed twice", e.Meta.ID)
		}
		ids[e.Meta.ID] = true
		got[e.Fingerprint]++
	}
	if got[floodFP] != want[floodFP] || got[otherFP] != want[otherFP] || len(got) != 2 {
		t.Errorf("outputs per fingerprint %v, want %v", got, want)
	}
	bad := testenv.ReadTopic(t, kc, string(p.Fingerprint.Name)+".error", 2, time.Minute)
	for _, r := range bad {
		var e processor.ErrorRecord
		if err := json.Unmarshal(r.Value, &e); err != nil {
			t.Fatalf("error record %s: %v", r.Value, err)
		}
		if e.Message == "" {
			t.Errorf("error record without a reason: %s", r.Value)
		}
	}
	t.Logf("%d reports of one error from two deploys and 15 copies: fingerprint %s, %d passed, %d counted in summaries; 3 of another: %d passed; 2 bad events in the error topic",
		flood, floodFP, got[floodFP], suppressed[floodFP], got[otherFP])
}

// passes is how many of n events at one instant the limiter of cfg lets
// through.
func passes(t *testing.T, cfg errorlog.Config, n int) int {
	t.Helper()
	l := ratelimit.Limiter{Limit: cfg.Limit, Policy: ratelimit.Sample, SampleEvery: cfg.SampleEvery, SummaryInterval: cfg.SummaryInterval}
	l = l.WithDefaults()
	if err := l.Validate(); err != nil {
		t.Fatal(err)
	}
	var st ratelimit.State
	now, k := time.Now(), 0
	for range n {
		if o := l.Decide(&st, now).Outcome; o == ratelimit.Pass || o == ratelimit.Sampled {
			k++
		}
	}
	return k
}
