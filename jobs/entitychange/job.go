package entitychange

import (
	"fmt"

	"github.com/ripplestream/ripple/deps/entity"
	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/processor"
)

// Job returns the job: it reads cfg.Input, keeps each entity page's latest
// revision as State, and emits to cfg.Output, keyed by entity id, one
// entity change for each revision that changed what pages can use.
func Job(cfg Config) (processor.Job[State], error) {
	d, err := NewDeriver(cfg)
	if err != nil {
		return processor.Job[State]{}, err
	}
	out := processor.NewOutput(d.cfg.Output, event.JSON[entity.Change]{})
	return processor.Job[State]{
		Name:    d.cfg.Name,
		State:   event.JSON[State]{},
		Inputs:  []processor.Input[State]{processor.On(d.cfg.Input, event.JSON[PageChange]{}, d.handler(out), d.cfg.InputOptions...)},
		Outputs: []processor.Declared{out},
	}, nil
}

func (d *Deriver) handler(out processor.Output[entity.Change]) processor.Handler[State, PageChange] {
	return func(c *processor.Context[State], key string, ch PageChange) error {
		prev, has, err := c.State()
		if err != nil {
			return err
		}
		next, res, err := d.Apply(c.Context(), prev, has, ch)
		if err != nil {
			err = fmt.Errorf("%w (stream %s, key %q, offset %d)", err, c.Stream(), key, c.Offset())
			if permanent(err) {
				return processor.Permanent(err)
			}
			return err
		}
		d.count(res)
		switch res.Outcome {
		case Deleted:
			if err := out.Emit(c, res.EntityID, d.Change(ch, prev, res)); err != nil {
				return err
			}
			if has {
				return c.DeleteState()
			}
			return nil
		case Changed:
			if err := out.Emit(c, res.EntityID, d.Change(ch, prev, res)); err != nil {
				return err
			}
			return c.SetState(next)
		case Unchanged:
			return c.SetState(next)
		}
		return nil
	}
}

func (d *Deriver) count(res Result) {
	n := d.cfg.Counters
	if n == nil {
		return
	}
	n.Fetched.Add(int64(res.Fetched))
	if res.UnknownPrior {
		n.UnknownPrior.Add(1)
	}
	switch res.Outcome {
	case Changed, Deleted:
		n.Changed.Add(1)
	case Unchanged:
		n.Unchanged.Add(1)
	case Stale:
		n.Stale.Add(1)
	case Duplicate:
		n.Duplicate.Add(1)
	case Ignored:
		n.Ignored.Add(1)
	}
}
