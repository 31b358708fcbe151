package workload

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"time"

	"github.com/ripplestream/ripple/deps"
	"github.com/ripplestream/ripple/deps/propagate"
	"github.com/ripplestream/ripple/deps/replay"
)

// Score compares what the engine purged with the oracle.
type Score struct {
	// TruePositives, FalsePositives and FalseNegatives count distinct
	// (change, page) pairs before coalescing.
	TruePositives, FalsePositives, FalseNegatives int
	// Exact is the number of purges the oracle calls for; Broad the
	// number a broad approach sends; Emitted what the engine emitted after
	// coalescing purges of one page within the window.
	Exact, Broad, Emitted int
}

// Precision is TP / (TP + FP), 1 when nothing was purged.
func (s Score) Precision() float64 {
	if s.TruePositives+s.FalsePositives == 0 {
		return 1
	}
	return float64(s.TruePositives) / float64(s.TruePositives+s.FalsePositives)
}

// Recall is TP / (TP + FN), 1 when nothing was due.
func (s Score) Recall() float64 {
	if s.TruePositives+s.FalseNegatives == 0 {
		return 1
	}
	return float64(s.TruePositives) / float64(s.TruePositives+s.FalseNegatives)
}

// Reduction is how many times fewer purges the engine emitted than the
// broad approach.
func (s Score) Reduction() float64 {
	if s.Emitted == 0 {
		return 0
	}
	return float64(s.Broad) / float64(s.Emitted)
}

func (s Score) String() string {
	return fmt.Sprintf("precision %.4f, recall %.4f (TP %d, FP %d, FN %d); purges: exact %d, emitted %d after coalescing, broad %d: %.1fx fewer",
		s.Precision(), s.Recall(), s.TruePositives, s.FalsePositives, s.FalseNegatives, s.Exact, s.Emitted, s.Broad, s.Reduction())
}

// Evaluate replays w against store (which must start empty) and scores the
// result. window coalesces purges of one page (0: replay's default).
func Evaluate(ctx context.Context, w *Workload, store deps.Store, window time.Duration) (Score, replay.Summary, error) {
	got := map[int]map[string]bool{}
	var score Score
	cfg := replay.Config{Window: window, Observe: func(line int, p propagate.Purge, _ string, admitted bool) {
		if got[line] == nil {
			got[line] = map[string]bool{}
		}
		got[line][p.Wiki+":"+p.Page.Title] = true
		if admitted {
			score.Emitted++
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
	for line, truth := range w.Truth {
		want := map[string]bool{}
		for _, t := range truth {
			want[t] = true
			if got[line][t] {
				score.TruePositives++
			} else {
				score.FalseNegatives++
			}
		}
		for t := range got[line] {
			if !want[t] {
				score.FalsePositives++
			}
		}
	}
	return score, sum, nil
}
