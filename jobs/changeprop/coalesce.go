package changeprop

import (
	"fmt"
	"time"

	"github.com/ripplestream/ripple/deps/propagate"
	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/processor"
)

// Coalesced is the coalesce job's state per URI: when it last emitted a
// purge of it, and the purges held since for the window's trailing edge.
type Coalesced struct {
	Last time.Time       `json:"last"`
	Held *propagate.Held `json:"held,omitempty"`
}

// release is the value of the coalesce job's timers.
const release = "release"

// coalesceJob drops the purges a later purge already covers and, with a
// CoalesceWindow, merges a URI's purges: the first is sent at once (the
// leading edge, so a lone edit is purged without delay); those arriving
// within the window after it are held and sent as one merged purge when
// the window closes (the trailing edge, after every change it covers, so no
// page stays stale). A burst of k purges of one page costs two.
func coalesceJob(cfg Config) processor.Job[Coalesced] {
	// A purge goes to the stream its meta.stream names (the fan-out set it
	// from Config.PurgeStreams).
	purges := map[string]processor.Output[propagate.ResourceChange]{}
	outputs := []processor.Declared{}
	for _, s := range cfg.PurgeStreams.Names() {
		purges[s] = processor.NewOutput[propagate.ResourceChange](processor.Stream(s), event.JSON[propagate.ResourceChange]{})
		outputs = append(outputs, purges[s])
	}
	rerenders := processor.NewOutput[propagate.PageRerender](cfg.Rerenders, event.JSON[propagate.PageRerender]{})
	outputs = append(outputs, rerenders)
	send := func(c *processor.Context[Coalesced], uri string, rc propagate.ResourceChange, rr *propagate.PageRerender) error {
		out, ok := purges[rc.Meta.Stream]
		if !ok {
			return processor.Permanent(fmt.Errorf("changeprop: purge of %s for stream %q, which Config.PurgeStreams does not name", uri, rc.Meta.Stream))
		}
		if err := out.Emit(c, uri, rc); err != nil {
			return err
		}
		if rr != nil {
			return rerenders.Emit(c, uri, *rr)
		}
		return nil
	}
	job := processor.Job[Coalesced]{
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
				if cfg.CoalesceWindow > 0 && (st.Held != nil || now.Sub(st.Last) < cfg.CoalesceWindow) {
					if st.Held == nil {
						st.Held = &propagate.Held{}
						if err := c.At(st.Last.Add(cfg.CoalesceWindow), uri, []byte(`"`+release+`"`)); err != nil {
							return err
						}
					}
					st.Held.Hold(cand.Purge, cand.Rerender, now)
					return c.SetState(st)
				}
				cand.Purge.Meta.DT, cand.Purge.DT = now, now
				if cand.Rerender != nil {
					cand.Rerender.Meta.DT, cand.Rerender.DT = now, now
				}
				if err := send(c, uri, cand.Purge, cand.Rerender); err != nil {
					return err
				}
				return c.SetState(Coalesced{Last: now})
			})},
		Outputs: outputs,
	}
	if cfg.CoalesceWindow > 0 {
		job.Timer = processor.OnTimer(event.JSON[string]{}, func(c *processor.Context[Coalesced], uri string, _ string) error {
			st, _, err := c.State()
			if err != nil || st.Held == nil {
				return err
			}
			now := cfg.Now().UTC()
			rc, rr := st.Held.Release(now)
			if err := send(c, uri, rc, rr); err != nil {
				return err
			}
			return c.SetState(Coalesced{Last: now})
		})
	}
	return job
}
