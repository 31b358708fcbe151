package workload_test

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/ripplestream/ripple/deps/workload"
)

// burstStats measures a workload's entity edits: the share that follow an
// edit of the same item less than within ago, and the mean gap between
// two consecutive changes.
func burstStats(t *testing.T, w *workload.Workload, within time.Duration) (repeat float64, meanGap time.Duration) {
	t.Helper()
	last := map[string]time.Time{}
	var edits, repeats int
	var first, prev time.Time
	changes := 0
	for line := 1; line <= len(w.Lines); line++ {
		if _, ok := w.Truth[line]; !ok {
			continue
		}
		at := w.Times[line-1]
		if changes == 0 {
			first = at
		}
		changes++
		prev = at
		if w.Kinds[line] != workload.EntityEdit {
			continue
		}
		var ev struct {
			ID string `json:"entity_id"`
		}
		if err := json.Unmarshal(w.Lines[line-1], &ev); err != nil {
			t.Fatal(err)
		}
		edits++
		if l, ok := last[ev.ID]; ok && at.Sub(l) < within {
			repeats++
		}
		last[ev.ID] = at
	}
	return float64(repeats) / float64(edits), prev.Sub(first) / time.Duration(changes-1)
}

func TestSessions(t *testing.T) {
	cfg := workload.Config{Seed: 5, Pages: 500, Templates: 50, Entities: 300, Changes: 4000}
	w, err := workload.Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(w.Times); i++ {
		if w.Times[i].Before(w.Times[i-1]) {
			t.Fatalf("line %d happens before line %d", i+1, i)
		}
	}
	// Geometric sessions of 4 edits: 3 of 4 edits continue a session, and
	// nearly all of those within 10 s (gaps of 3 s on average).
	repeat, gap := burstStats(t, w, 10*time.Second)
	if repeat < 0.6 || repeat > 0.8 {
		t.Errorf("%.2f of entity edits follow an edit of the same item within 10 s; sessions of 4 edits make about 0.7", repeat)
	}
	if want := time.Second / 3 * 2; math.Abs(float64(gap-want)) > float64(want)/10 {
		t.Errorf("mean gap between changes %v, want about %v (1.5 changes/s)", gap, want)
	}
	shares := map[workload.Kind]float64{workload.EntityEdit: 0.62, workload.ArticleEdit: 0.25, workload.TemplateEdit: 0.03}
	for _, k := range w.ByKind() {
		if want, ok := shares[k.Kind]; ok && math.Abs(float64(k.Changes)/float64(cfg.Changes)-want) > 0.03 {
			t.Errorf("%s: %d of %d changes, want a share of about %.2f", k.Kind, k.Changes, cfg.Changes, want)
		}
	}

	cfg.Sessions.Off = true
	off, err := workload.Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if repeat, _ := burstStats(t, off, 10*time.Second); repeat > 0.1 {
		t.Errorf("without sessions %.2f of entity edits follow an edit of the same item within 10 s", repeat)
	}
}

func TestSessionsValidate(t *testing.T) {
	for _, bad := range []workload.Sessions{{Rate: -1}, {Entity: workload.Burst{Edits: 0.5}}, {Article: workload.Burst{Gap: -time.Second}}} {
		cfg := workload.Config{Sessions: bad}
		if err := cfg.Validate(); err == nil {
			t.Errorf("Validate(%+v) did not fail", bad)
		}
	}
}
