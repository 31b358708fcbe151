package changeprop

import (
	"time"

	"github.com/ripplestream/ripple/deps/propagate"
	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/processor"
)

// Coalesced is the coalesce job's state per URI: when it last emitted a
// purge of it.
type Coalesced struct {
	Last time.Time `json:"last"`
}

func coalesceJob(cfg Config) processor.Job[Coalesced] {
	purges := processor.NewOutput[propagate.ResourceChange](cfg.Purges, event.JSON[propagate.ResourceChange]{})
	rerenders := processor.NewOutput[propagate.PageRerender](cfg.Rerenders, event.JSON[propagate.PageRerender]{})
	return processor.Job[Coalesced]{
		Name:  processor.Group(string(cfg.Name) + "-coalesce"),
		State: event.JSON[Coalesced]{},
		Inputs: []processor.Input[Coalesced]{processor.On(cfg.CandidatesStream(), event.JSON[Candidate]{},
			func(c *processor.Context[Coalesced], uri string, cand Candidate) error {
				st, _, err := c.State()
				if err != nil {
					return err
				}
				var root time.Time
				if cand.Purge.RootEvent != nil {
					root = cand.Purge.RootEvent.DT
				}
				if propagate.Redundant(root, st.Last) {
					return nil
				}
				now := cfg.Now().UTC()
				cand.Purge.Meta.DT, cand.Purge.DT = now, now
				if err := purges.Emit(c, uri, cand.Purge); err != nil {
					return err
				}
				if cand.Rerender != nil {
					if err := rerenders.Emit(c, uri, *cand.Rerender); err != nil {
						return err
					}
				}
				return c.SetState(Coalesced{Last: now})
			})},
		Outputs: []processor.Declared{purges, rerenders},
	}
}
