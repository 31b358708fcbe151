package workload

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"sort"
	"time"

	"github.com/ripplestream/ripple/deps"
	"github.com/ripplestream/ripple/deps/propagate"
	"github.com/ripplestream/ripple/deps/replay"
	"github.com/ripplestream/ripple/event"
)

// Score compares what the engine purged with the oracle, at two points:
// the candidate purges the engine yields for each change, and the purges
// written after coalescing.
type Score struct {
	// TruePositives, FalsePositives and FalseNegatives count distinct
	// (change, page) pairs the engine yielded, before coalescing.
	TruePositives, FalsePositives, FalseNegatives int
	// Covered counts the oracle's (change, page) pairs covered by a purge
	// of the page written at or after the change and at most Window +
	// Slack later; Missed, the pairs with none (a page left stale).
	Covered, Missed int
	// Useful counts written purges that cover at least one (change, page)
	// pair of the oracle that way; Useless, those covering none.
	Useful, Useless int
	// Exact is the number of (change, page) pairs the oracle calls for;
	// Broad the number of purges a broad approach sends (one per change
	// and page, no window); Emitted what the engine wrote.
	Exact, Broad, Emitted int
	// KindAware is what broad purging sends when it follows the kind of
	// change (see Workload.KindAware). For comparison only.
	KindAware int
	// BroadWindowed is what the broad approach would send if it
	// debounced its purges with the same window. For comparison only:
	// Reduction is against Broad.
	BroadWindowed int
	// BroadEntity is what the broad approach sends for entity edits
	// alone (every user of the entity); EmittedEntity counts the written
	// purges that cover at least one entity edit (tagged uses_entity),
	// merged with other changes or not.
	BroadEntity, EmittedEntity int
	// Window is the coalescing window; Slack the most a window's close
	// can lag its end (the largest gap between two input event times:
	// replay closes windows when event time passes them).
	Window, Slack time.Duration
}

// Precision is the share of written purges that were due, and 1 only if
// the engine's candidates were exact too: the lower of Useful / Emitted
// and TP / (TP + FP). It is 1 when nothing was purged.
func (s Score) Precision() float64 {
	return min(ratio(s.Useful, s.Useless), ratio(s.TruePositives, s.FalsePositives))
}

// Recall is the share of due (change, page) pairs covered by a written
// purge, and 1 only if the engine's candidates missed none: the lower of
// Covered / Exact and TP / (TP + FN). It is 1 when nothing was due.
func (s Score) Recall() float64 {
	return min(ratio(s.Covered, s.Missed), ratio(s.TruePositives, s.FalseNegatives))
}

func ratio(good, bad int) float64 {
	if good+bad == 0 {
		return 1
	}
	return float64(good) / float64(good+bad)
}

// Reduction is how many times fewer purges the engine wrote than the
// broad approach sends.
func (s Score) Reduction() float64 {
	if s.Emitted == 0 {
		return 0
	}
	return float64(s.Broad) / float64(s.Emitted)
}

// EntityReduction is how many times fewer purges the engine wrote for
// entity edits than broad usage purging sends for them.
func (s Score) EntityReduction() float64 {
	if s.EmittedEntity == 0 {
		return 0
	}
	return float64(s.BroadEntity) / float64(s.EmittedEntity)
}

func (s Score) String() string {
	return fmt.Sprintf("precision %.4f, recall %.4f\n"+
		"  written purges covering a due (change, page) pair: %d of %d\n"+
		"  due pairs covered by a purge of the page written at or after the change, within %v + %v slack: %d of %d\n"+
		"  candidates before coalescing: TP %d, FP %d, FN %d\n"+
		"  purges: broad %d, due pairs %d, written %d with a %v window: %.1fx fewer than broad\n"+
		"  broad purging debounced with the same window would send %d (%.1fx ripple's)\n"+
		"  kind-aware broad purging (transcluders for edits, backlinks for creations, deletions and moves, every entity user) would send %d (%.1fx ripple's)\n"+
		"  entity edits alone: broad usage purging %d, written purges covering one %d: %.1fx fewer",
		s.Precision(), s.Recall(), s.Useful, s.Useful+s.Useless,
		s.Window, s.Slack.Round(time.Millisecond), s.Covered, s.Covered+s.Missed,
		s.TruePositives, s.FalsePositives, s.FalseNegatives,
		s.Broad, s.Exact, s.Emitted, s.Window, s.Reduction(),
		s.BroadWindowed, float64(s.BroadWindowed)/float64(max(s.Emitted, 1)),
		s.KindAware, float64(s.KindAware)/float64(max(s.Emitted, 1)),
		s.BroadEntity, s.EmittedEntity, s.EntityReduction())
}

// Evaluate replays w against store (which must start empty) and scores the
// result. window is replay's Config.Window: W of the event-time window
// that debounces purges of one page, 0 for the old coalescer, negative
// for none.
func Evaluate(ctx context.Context, w *Workload, store deps.Store, window time.Duration) (Score, replay.Summary, error) {
	return EvaluateProgress(ctx, w, store, window, nil)
}

// EvaluateProgress is Evaluate that calls progress, if not nil, after
// every line of w it replays.
func EvaluateProgress(ctx context.Context, w *Workload, store deps.Store, window time.Duration, progress func(replay.Summary)) (Score, replay.Summary, error) {
	score := Score{Window: max(window, 0), Slack: w.maxGap()}
	got := map[int]map[string]bool{}
	pageOf := map[string]string{} // URI -> "wiki:title"
	written := map[string][]time.Time{}
	var unknown int
	cfg := replay.Config{Window: window, Progress: progress,
		Observe: func(line int, p propagate.Purge, uri string) {
			if got[line] == nil {
				got[line] = map[string]bool{}
			}
			got[line][p.Wiki+":"+p.Page.Title] = true
			pageOf[uri] = p.Wiki + ":" + p.Page.Title
		},
		Emitted: func(rc propagate.ResourceChange, at time.Time) {
			score.Emitted++
			if slices.Contains(rc.Tags, "wikidata") {
				score.EmittedEntity++
			}
			if page, ok := pageOf[rc.Meta.URI]; ok {
				written[page] = append(written[page], at)
			} else {
				unknown++
			}
		}}
	in := bytes.NewReader(bytes.Join(w.Lines, []byte("\n")))
	var errs bytes.Buffer
	sum, err := replay.Run(ctx, store, in, io.Discard, &errs, cfg)
	if err != nil {
		return score, sum, err
	}
	if sum.Bad > 0 {
		return score, sum, fmt.Errorf("workload: %d generated lines were rejected: %s", sum.Bad, errs.String())
	}
	score.Exact, score.Broad = w.Totals()
	score.KindAware = w.KindAwareTotal()
	for line, k := range w.Kinds {
		if k == EntityEdit {
			score.BroadEntity += w.Broad[line]
		}
	}
	score.scoreCandidates(w, got)
	score.scoreWritten(w, written)
	score.Useless += unknown
	score.BroadWindowed = w.broadWindowed(window)
	return score, sum, nil
}

func (s *Score) scoreCandidates(w *Workload, got map[int]map[string]bool) {
	for line, truth := range w.Truth {
		want := map[string]bool{}
		for _, t := range truth {
			want[t] = true
			if got[line][t] {
				s.TruePositives++
			} else {
				s.FalseNegatives++
			}
		}
		for t := range got[line] {
			if !want[t] {
				s.FalsePositives++
			}
		}
	}
}

// scoreWritten checks the purges written (times per page, in order)
// against the due pairs: a pair (change at t, page) is covered by a purge
// of the page written at e with t <= e <= t + Window + Slack, and a purge
// is useful when it covers at least one pair.
func (s *Score) scoreWritten(w *Workload, written map[string][]time.Time) {
	late := s.Window + s.Slack
	due := map[string][]time.Time{} // page -> times of the changes that must purge it
	lines := make([]int, 0, len(w.Truth))
	for line := range w.Truth {
		lines = append(lines, line)
	}
	sort.Ints(lines)
	for _, line := range lines {
		t := w.Times[line-1]
		for _, page := range w.Truth[line] {
			due[page] = append(due[page], t)
			es := written[page]
			i := sort.Search(len(es), func(i int) bool { return !es[i].Before(t) })
			if i < len(es) && !es[i].After(t.Add(late)) {
				s.Covered++
			} else {
				s.Missed++
			}
		}
	}
	for page, es := range written {
		ts := due[page]
		for _, e := range es {
			i := sort.Search(len(ts), func(i int) bool { return ts[i].After(e) }) - 1 // the last change at or before e
			if i >= 0 && !e.After(ts[i].Add(late)) {
				s.Useful++
			} else {
				s.Useless++
			}
		}
	}
}

// maxGap is the largest gap between the event times of two lines.
func (w *Workload) maxGap() time.Duration {
	var gap time.Duration
	for i := 1; i < len(w.Times); i++ {
		gap = max(gap, w.Times[i].Sub(w.Times[i-1]))
	}
	return gap
}

// broadWindowed counts the purges broad purging sends when it debounces
// them like ripple does, with the same Window over the same event times.
func (w *Workload) broadWindowed(window time.Duration) int {
	if window <= 0 {
		_, broad := w.Totals()
		return broad
	}
	win, err := propagate.NewWindow(propagate.WindowConfig{Length: window})
	if err != nil {
		panic(err) // a positive length and the default cap: valid
	}
	n := 0
	for i, t := range w.Times {
		n += len(win.Advance(t))
		for _, page := range w.BroadPages[i+1] {
			n += len(win.Add(propagate.ResourceChange{Envelope: event.Envelope{Meta: event.Meta{URI: page}, RootEvent: &event.RootEvent{DT: t}}}, nil, t))
		}
	}
	return n + len(win.Flush())
}
