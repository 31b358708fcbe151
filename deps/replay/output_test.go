package replay_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/ripplestream/ripple/deps"
	"github.com/ripplestream/ripple/deps/pebblestore"
	"github.com/ripplestream/ripple/deps/propagate"
	"github.com/ripplestream/ripple/deps/replay"
	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/schemas"
)

var start = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

// input is a page using Q42's English label and P31 statements, then a
// bot's burst of three edits of Q42 within 4 s, and one more edit a
// minute later.
func input(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	line := func(v any) {
		j, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(append(j, '\n'))
	}
	line(deps.PageDependencies{
		Envelope: event.Envelope{Schema: deps.DependenciesSchema, Meta: event.Meta{Stream: "deps", DT: start}, DT: start},
		WikiID:   "enwiki", Page: deps.EventPage{PageID: 1, PageTitle: "Douglas_Adams"}, RevID: 1,
		Templates: []string{}, Links: []string{}, Files: []string{},
		Entities: []deps.EventEntityUsage{{ID: "Q42", Aspects: []string{"L.en", "C.P31"}}},
	})
	for i, e := range []struct {
		after  time.Duration
		aspect string
	}{{time.Second, "L.en"}, {3 * time.Second, "C.P31"}, {5 * time.Second, "L.en"}, {time.Minute, "C.P31"}} {
		at := start.Add(e.after)
		line(deps.EntityChange{
			Envelope: event.Envelope{Schema: deps.EntityChangeSchema, Meta: event.Meta{Stream: "entity", DT: at}, DT: at},
			WikiID:   "wikidatawiki", EntityID: "Q42", RevID: int64(10 + i), Aspects: []string{e.aspect},
		})
	}
	return b.String()
}

type written struct {
	rc propagate.ResourceChange
	at time.Time
}

func replayWith(t *testing.T, window time.Duration) ([]written, replay.Summary, *bytes.Buffer) {
	t.Helper()
	store, err := pebblestore.Open(pebblestore.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	var got []written
	var out, errs bytes.Buffer
	cfg := replay.Config{Window: window, Rerender: true,
		Emitted: func(rc propagate.ResourceChange, at time.Time) { got = append(got, written{rc, at}) }}
	sum, err := replay.Run(context.Background(), store, strings.NewReader(input(t)), &out, &errs, cfg)
	if err != nil || sum.Bad > 0 {
		t.Fatalf("replay: %v, %v\n%s", err, sum, errs.String())
	}
	return got, sum, &out
}

// TestReplayWindow replays a burst of three edits 2 s apart and a fourth a
// minute later through the changeprop job's coalescing rules: the first
// edit's purge is written at once, the next two merged into one written
// when the window after it closes, the fourth at once again.
func TestReplayWindow(t *testing.T) {
	got, sum, out := replayWith(t, 10*time.Second)
	if len(got) != 3 || sum.Purges != 3 || sum.Coalesced != 1 || sum.Rerenders != 3 {
		t.Fatalf("wrote %d purges (%v); want the burst's first at once, the rest as one, and the later edit alone", len(got), sum)
	}
	for i, w := range []struct {
		coalesced int
		root, at  time.Duration
	}{{0, time.Second, time.Second}, {2, 5 * time.Second, 11 * time.Second}, {0, time.Minute, time.Minute}} {
		g := got[i]
		if g.rc.Coalesced != w.coalesced || !g.rc.RootEvent.DT.Equal(start.Add(w.root)) || !g.at.Equal(start.Add(w.at)) {
			t.Errorf("purge %d: coalesced %d, root at %v, written at %v; want %d, %v, %v", i,
				g.rc.Coalesced, g.rc.RootEvent.DT.Sub(start), g.at.Sub(start), w.coalesced, w.root, w.at)
		}
	}
	repo, err := event.OpenRepositoryFS(schemas.FS())
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		if err := repo.Validate([]byte(l)); err != nil {
			t.Errorf("output does not validate: %v\n%s", err, l)
		}
	}
}

func TestReplayWithoutWindow(t *testing.T) {
	for _, window := range []time.Duration{0, -1} {
		got, sum, _ := replayWith(t, window)
		if len(got) != 4 || sum.Coalesced != 0 {
			t.Errorf("window %v: wrote %d purges (%v), want one per edit", window, len(got), sum)
		}
		for i, w := range got {
			if !w.at.Equal(w.rc.RootEvent.DT) {
				t.Errorf("window %v: purge %d written at %v for a change at %v", window, i, w.at, w.rc.RootEvent.DT)
			}
		}
	}
}
