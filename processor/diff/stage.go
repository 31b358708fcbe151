package diff

import (
	"fmt"
	"strings"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/processor/tokens"
)

// EventSchema is the $schema of the events the stage emits.
const EventSchema = "/ripple/revision/diff/1.0.0"

// Event is what the stage emits for each new revision of a page, under the
// key of the page change it was derived from.
type Event struct {
	event.Envelope
	WikiID    string `json:"wiki_id"`
	PageID    int64  `json:"page_id"`
	PageTitle string `json:"page_title"`
	RevID     int64  `json:"rev_id"`
	// PrevRevID is the revision diffed against; 0 for a new page.
	PrevRevID int64 `json:"prev_rev_id"`
	// Unchanged says the text is the previous revision's.
	Unchanged bool `json:"unchanged,omitempty"`
	// Lines are the deleted and inserted lines, without their "\n".
	Lines LinesDelta `json:"lines"`
	// Words is the change of the words of the changed lines: at most
	// MaxOutputWords entries in each of Added and Removed, the largest
	// changes first (WordsTruncated says entries were left out).
	Words          tokens.Delta `json:"words"`
	WordsTruncated bool         `json:"words_truncated,omitempty"`
	// Approximate says a stretch of the text changed too much for an
	// exact line diff (Config.MaxEditCost) and is reported replaced whole.
	Approximate bool `json:"approximate,omitempty"`
	// Skipped says why Lines and Words are empty, when they were not
	// computed.
	Skipped string `json:"skipped,omitempty"`
	// Deps are the links, templates, files and categories added and
	// removed; DepsSkipped says why they are empty, when not computed.
	Deps        DepsDelta `json:"deps"`
	DepsSkipped string    `json:"deps_skipped,omitempty"`
	// StaleIgnored counts the revisions of the page ignored so far for
	// arriving after a newer one.
	StaleIgnored int64 `json:"stale_ignored"`
}

// MaxOutputWords caps the entries of Event.Words.Added and .Removed.
const MaxOutputWords = 10_000

// LinesDelta lists deleted and inserted lines in text order, at most
// Config.MaxOutputBytes of them together (Truncated says some were left
// out).
type LinesDelta struct {
	Added     []string `json:"added"`
	Removed   []string `json:"removed"`
	Truncated bool     `json:"truncated,omitempty"`
}

// Job returns the diff stage: it reads cfg.Input, keeps each page's latest
// revision as State, and emits an Event to cfg.Output for each new
// revision. Events it can never use (no text or ids, a key holding another
// page) go to the job's error topic; stale and repeated revisions are
// dropped and counted (cfg.Counters, State, Event.StaleIgnored); a page
// deletion drops the state.
func Job(cfg Config) (processor.Job[State], error) {
	d, err := New(cfg)
	if err != nil {
		return processor.Job[State]{}, err
	}
	out := processor.NewOutput(d.cfg.Output, event.JSON[Event]{})
	return processor.Job[State]{
		Name:    d.cfg.Name,
		State:   StateCodec{},
		Inputs:  []processor.Input[State]{processor.On(d.cfg.Input, event.JSON[PageChange]{}, d.handler(out))},
		Outputs: []processor.Declared{out},
	}, nil
}

func (d *Differ) handler(out processor.Output[Event]) processor.Handler[State, PageChange] {
	return func(c *processor.Context[State], key string, change PageChange) error {
		prev, _, err := c.State()
		if err != nil {
			return err
		}
		next, res, err := d.Revise(prev, change)
		if err != nil {
			return processor.Permanent(fmt.Errorf("%w (stream %s, key %q, offset %d)", err, c.Stream(), key, c.Offset()))
		}
		if counters := d.cfg.Counters; counters != nil {
			switch res.Outcome {
			case Stale:
				counters.Stale.Add(1)
			case Duplicate:
				counters.Duplicate.Add(1)
			case Baseline:
				counters.Baseline.Add(1)
			}
		}
		switch res.Outcome {
		case Deleted:
			return c.DeleteState()
		case Diffed:
			if err := out.Emit(c, key, d.Event(change, next, res)); err != nil {
				return err
			}
		}
		return c.SetState(next)
	}
}

// Event returns the event the stage emits for res, derived from change;
// next is the state after it.
func (d *Differ) Event(change PageChange, next State, res Result) Event {
	ev := Event{
		Envelope:  event.Derive(change.Envelope, EventSchema, string(d.cfg.Output), change.EventTime()),
		WikiID:    change.WikiID,
		PageID:    change.Page.PageID,
		PageTitle: change.Page.PageTitle,
		RevID:     change.Revision.RevID,
		PrevRevID: res.PrevRevID,
		Unchanged: res.Unchanged,
		Lines:     LinesDelta{Added: []string{}, Removed: []string{}},
		Words:     res.Words,

		Approximate:  !res.Exact,
		Skipped:      res.Skipped,
		Deps:         res.Deps,
		DepsSkipped:  res.DepsSkipped,
		StaleIgnored: next.Stale,
	}
	if ev.Words.Added == nil {
		ev.Words = tokens.Delta{Added: tokens.Counts{}, Removed: tokens.Counts{}}
	}
	for _, c := range []*tokens.Counts{&ev.Words.Added, &ev.Words.Removed} {
		if len(*c) > MaxOutputWords {
			kept := make(tokens.Counts, MaxOutputWords)
			for _, w := range c.Top(MaxOutputWords) {
				kept[w] = (*c)[w]
			}
			*c, ev.WordsTruncated = kept, true
		}
	}
	budget := d.cfg.MaxOutputBytes
	for _, c := range res.Chunks {
		if c.Op == Equal {
			continue
		}
		for _, l := range c.Lines {
			l = strings.TrimSuffix(l, "\n")
			if len(l) > budget {
				ev.Lines.Truncated = true
				break
			}
			budget -= len(l)
			if c.Op == Insert {
				ev.Lines.Added = append(ev.Lines.Added, l)
			} else {
				ev.Lines.Removed = append(ev.Lines.Removed, l)
			}
		}
	}
	for _, s := range []*SetDelta{&ev.Deps.Templates, &ev.Deps.Links, &ev.Deps.Files, &ev.Deps.Categories} {
		if s.Added == nil {
			*s = SetDelta{Added: []string{}, Removed: []string{}}
		}
	}
	return ev
}
