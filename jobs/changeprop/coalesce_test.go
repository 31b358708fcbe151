package changeprop_test

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/ripplestream/ripple/deps/pebblestore"
	"github.com/ripplestream/ripple/deps/propagate"
	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/jobs/changeprop"
	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/processor/processortest"
)

// sent is one purge as a test compares it: its URI, how many purges it
// stands for, the change it names and when it was sent.
type sent struct {
	uri       string
	coalesced int
	sig       string
	at        time.Time
}

func (s sent) String() string {
	return fmt.Sprintf("%s x%d %s @%s", s.uri, s.coalesced, s.sig, s.at.Format("15:04:05.000"))
}

// TestCoalesceJobAndWindowAgree feeds the same random candidate purges to
// the coalesce job, on its processing clock and timers, and to the
// propagate.Window that `ripple deps replay` and the workload's scoring
// coalesce with, on event time: they send the same purges at the same
// times, so the purge counts measured by replay are the job's.
func TestCoalesceJobAndWindowAgree(t *testing.T) {
	for seed := range uint64(4) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			store, err := pebblestore.Open(pebblestore.Config{Dir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			defer store.Close()
			start := time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)
			var co *processortest.Harness[changeprop.Coalesced]
			// A millisecond over whole seconds keeps a window's end off
			// the (whole-second) candidate times: at an equal time the
			// job's timer fires before the candidate and the Window takes
			// the candidate first, an order neither promises.
			window := 10*time.Second + time.Millisecond
			cfg := changeprop.Config{Store: store, Purges: "purges", CoalesceWindow: window, Now: func() time.Time { return co.Now() }}
			cfg = cfg.WithDefaults()
			if err := cfg.Validate(); err != nil {
				t.Fatal(err)
			}
			_, coalesce, err := changeprop.Jobs(cfg)
			if err != nil {
				t.Fatal(err)
			}
			co = processortest.New(t, coalesce, processor.Config{Now: func() time.Time { return start }})
			w, err := propagate.NewWindow(propagate.WindowConfig{Length: window})
			if err != nil {
				t.Fatal(err)
			}
			var want []sent
			expect := func(cs []propagate.Closed) {
				for _, c := range cs {
					if c.Reason == propagate.ClosedDue {
						co.Advance(c.At.Sub(co.Now())) // the job's timer fires at the window's end
					}
					want = append(want, sent{c.URI(), c.Count, c.Purge.RootEvent.Signature, c.At})
				}
			}
			rng := rand.New(rand.NewPCG(seed, 13))
			now := start
			for i := range 150 {
				now = now.Add(time.Duration(rng.IntN(6)) * time.Second)
				uri := fmt.Sprintf("https://en.wikipedia.org/wiki/P%d", rng.IntN(5))
				root := now.Add(-time.Duration(rng.IntN(3)) * time.Second)
				rc := propagate.ResourceChange{Tags: []string{"ripple"}, Envelope: event.Envelope{
					Schema: propagate.ResourceChangeSchema, Meta: event.Meta{URI: uri, Stream: string(cfg.Purges)},
					RootEvent: &event.RootEvent{Signature: fmt.Sprint("c", i), DT: root}}}
				expect(w.Advance(now))
				co.Advance(now.Sub(co.Now()))
				expect(w.Add(rc, nil, now))
				co.SendJSON(cfg.CandidatesStream(), uri, changeprop.Candidate{Purge: rc})
			}
			expect(w.Advance(now.Add(time.Hour)))
			var got []sent
			for _, m := range co.Output(cfg.Purges) {
				var rc propagate.ResourceChange
				if err := json.Unmarshal(m.Value, &rc); err != nil {
					t.Fatal(err)
				}
				got = append(got, sent{rc.Meta.URI, max(rc.Coalesced, 1), rc.RootEvent.Signature, rc.DT})
			}
			order := func(a, b sent) int { return cmp.Or(a.at.Compare(b.at), cmp.Compare(a.uri, b.uri)) }
			slices.SortFunc(got, order)
			slices.SortFunc(want, order)
			if !slices.Equal(got, want) {
				t.Fatalf("the job sent %d purges, the Window %d:\njob:    %v\nwindow: %v", len(got), len(want), got, want)
			}
			if len(want) >= 150 || len(want) < 10 {
				t.Fatalf("%d purges for 150 candidates: the sequence does not exercise coalescing", len(want))
			}
		})
	}
}
