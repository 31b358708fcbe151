package tokens

import (
	"fmt"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/processor"
)

// EventSchema is the $schema of the events the stage emits.
const EventSchema = "/ripple/revision/tokens/1.0.0"

// Event is what the stage emits for each new revision of a page, under the
// key of the page change it was derived from.
type Event struct {
	event.Envelope
	WikiID    string `json:"wiki_id"`
	PageID    int64  `json:"page_id"`
	PageTitle string `json:"page_title"`
	RevID     int64  `json:"rev_id"`
	// PrevRevID is the revision the delta is relative to; 0 for a page's
	// first revision seen.
	PrevRevID int64 `json:"prev_rev_id"`
	// TokenCount is the number of tokens; Tokens lists them in order, at
	// most Config.MaxOutputTokens of them (TokensTruncated says so).
	TokenCount      int      `json:"token_count"`
	Tokens          []string `json:"tokens"`
	TokensTruncated bool     `json:"tokens_truncated,omitempty"`
	// Added and Removed are the token delta; each holds at most
	// Config.MaxOutputTokens entries, the largest changes first
	// (DeltaTruncated says entries were left out).
	Added          Counts `json:"added"`
	Removed        Counts `json:"removed"`
	DeltaTruncated bool   `json:"delta_truncated,omitempty"`
	// Approximate says the previous revision's counts were truncated.
	Approximate bool `json:"approximate,omitempty"`
}

// Job returns the tokens stage: it reads cfg.Input, keeps each page's token
// counts as State, and emits an Event to cfg.Output for each new revision.
// Events it can never use (no text, no ids, text over MaxTextBytes, a key
// holding another page) go to the job's error topic; stale and repeated
// revisions are dropped and counted; a page deletion drops the state.
func Job(cfg Config) (processor.Job[State], error) {
	t, err := New(cfg)
	if err != nil {
		return processor.Job[State]{}, err
	}
	out := processor.NewOutput(t.cfg.Output, event.JSON[Event]{})
	return processor.Job[State]{
		Name:    t.cfg.Name,
		State:   StateCodec{},
		Inputs:  []processor.Input[State]{processor.On(t.cfg.Input, event.JSON[PageChange]{}, t.handler(out))},
		Outputs: []processor.Declared{out},
	}, nil
}

// handler is the stage's handler: Revise between State and SetState.
func (t *Tokenizer) handler(out processor.Output[Event]) processor.Handler[State, PageChange] {
	return func(c *processor.Context[State], key string, change PageChange) error {
		prev, _, err := c.State()
		if err != nil {
			return err
		}
		next, res, err := t.Revise(prev, change)
		if err != nil {
			return processor.Permanent(fmt.Errorf("%w (stream %s, key %q, offset %d)", err, c.Stream(), key, c.Offset()))
		}
		switch res.Outcome {
		case Deleted:
			return c.DeleteState()
		case Stale, Duplicate:
			t.count(res.Outcome)
			return c.SetState(next)
		}
		if err := out.Emit(c, key, t.Event(change, res)); err != nil {
			return err
		}
		return c.SetState(next)
	}
}

func (t *Tokenizer) count(o Outcome) {
	if t.cfg.Counters == nil {
		return
	}
	if o == Stale {
		t.cfg.Counters.Stale.Add(1)
	} else {
		t.cfg.Counters.Duplicate.Add(1)
	}
}

// Event returns the event the stage emits for res, derived from change.
func (t *Tokenizer) Event(change PageChange, res Result) Event {
	ev := Event{
		Envelope:  event.Derive(change.Envelope, EventSchema, string(t.cfg.Output), change.EventTime()),
		WikiID:    change.WikiID,
		PageID:    change.Page.PageID,
		PageTitle: change.Page.PageTitle,
		RevID:     change.Revision.RevID,
		PrevRevID: res.PrevRevID,

		TokenCount:      res.TokenCount,
		Tokens:          res.Tokens,
		TokensTruncated: len(res.Tokens) < res.TokenCount,
		Approximate:     res.Approximate,
	}
	var cutA, cutR bool
	ev.Added, cutA = largest(res.Delta.Added, t.cfg.MaxOutputTokens)
	ev.Removed, cutR = largest(res.Delta.Removed, t.cfg.MaxOutputTokens)
	ev.DeltaTruncated = cutA || cutR
	if ev.Tokens == nil {
		ev.Tokens = []string{}
	}
	return ev
}

// largest returns c cut to its n largest entries, and whether it was cut.
func largest(c Counts, n int) (Counts, bool) {
	if len(c) <= n {
		return c, false
	}
	out := make(Counts, n)
	for _, tok := range c.Top(n) {
		out[tok] = c[tok]
	}
	return out, true
}
