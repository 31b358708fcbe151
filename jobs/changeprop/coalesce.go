package changeprop

import (
	"fmt"

	"github.com/ripplestream/ripple/deps/propagate"
	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/processor"
)

// Coalesced is the coalesce job's state per URI: the coalescing rules
// state, the same that `ripple deps replay` applies by event time.
type Coalesced = propagate.Coalesced

// release is the value of the coalesce job's timers.
const release = "release"

// coalesceJob applies the coalescing rules (propagate.Coalesced, kept as
// the state of each URI's key) with the job's processing clock: a purge a
// sent one covers is dropped; the first purge of a URI is sent at once
// (the leading edge); with a CoalesceWindow, those arriving within the
// window after a send are held and sent as one merged purge when it closes
// (the trailing edge, a timer). A burst of k purges of one page costs two.
func coalesceJob(cfg Config) processor.Job[propagate.Coalesced] {
	// A purge goes to the stream its meta.stream names (the fan-out set it
	// from Config.PurgeStreams).
	purges := map[string]processor.Output[propagate.ResourceChange]{}
	outputs := []processor.Declared{}
	for _, s := range cfg.PurgeStreams.Names() {
		purges[s] = processor.NewOutput[propagate.ResourceChange](processor.Stream(s), purgeCodec{})
		outputs = append(outputs, purges[s])
	}
	rerenders := processor.NewOutput[propagate.PageRerender](cfg.Rerenders, rerenderCodec{})
	outputs = append(outputs, rerenders)
	send := func(c *processor.Context[propagate.Coalesced], uri string, rc propagate.ResourceChange, rr *propagate.PageRerender) error {
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
	job := processor.Job[propagate.Coalesced]{
		Name:  processor.Group(string(cfg.Name) + "-coalesce"),
		State: event.JSON[propagate.Coalesced]{},
		Inputs: []processor.Input[propagate.Coalesced]{processor.On(cfg.CandidatesStream(), CandidateCodec{},
			func(c *processor.Context[propagate.Coalesced], uri string, cand Candidate) error {
				st, _, err := c.State()
				if err != nil {
					return err
				}
				now := cfg.Now().UTC()
				switch act, due := st.Offer(cand.Purge, cand.Rerender, now, cfg.CoalesceWindow); act {
				case propagate.Drop:
					return nil
				case propagate.Hold:
					if !due.IsZero() {
						if err := c.At(due, uri, []byte(`"`+release+`"`)); err != nil {
							return err
						}
					}
				case propagate.Send:
					propagate.Stamp(&cand.Purge, cand.Rerender, now)
					if err := send(c, uri, cand.Purge, cand.Rerender); err != nil {
						return err
					}
				}
				return c.SetState(st)
			})},
		Outputs: outputs,
	}
	if cfg.CoalesceWindow > 0 {
		job.Timer = processor.OnTimer(event.JSON[string]{}, func(c *processor.Context[propagate.Coalesced], uri string, _ string) error {
			st, _, err := c.State()
			if err != nil {
				return err
			}
			rc, rr, ok := st.Release(cfg.Now().UTC())
			if !ok {
				return nil
			}
			if err := send(c, uri, rc, rr); err != nil {
				return err
			}
			return c.SetState(st)
		})
	}
	return job
}
