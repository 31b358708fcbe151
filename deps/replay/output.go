package replay

import (
	"encoding/json"
	"time"

	"github.com/ripplestream/ripple/deps/propagate"
)

// coalesceMemory is how long the Coalescer remembers a URI when the
// window is off (Config.Window == 0).
const coalesceMemory = time.Hour

// output is the coalescing and writing end of a replay: candidate purges
// go in, purge events come out. With a window (Config.Window > 0) purges
// are debounced by event time (propagate.Window); with none, a
// propagate.Coalescer drops the ones already covered; with a negative
// window every purge is written.
type output struct {
	cfg    Config
	enc    *json.Encoder
	sum    *Summary
	window *propagate.Window
	coal   *propagate.Coalescer
}

func newOutput(cfg Config, enc *json.Encoder, sum *Summary) (*output, error) {
	o := &output{cfg: cfg, enc: enc, sum: sum}
	switch {
	case cfg.Window > 0:
		w, err := propagate.NewWindow(propagate.WindowConfig{Length: cfg.Window, MaxOpen: cfg.MaxOpen})
		if err != nil {
			return nil, err
		}
		o.window = w
	case cfg.Window == 0:
		o.coal = propagate.NewCoalescer(coalesceMemory)
	}
	return o, nil
}

// advance moves event time to at (the event time of the input line about
// to be applied) and writes the purges whose windows closed.
func (o *output) advance(at time.Time) error {
	if o.window == nil || at.IsZero() {
		return nil
	}
	return o.writeClosed(o.window.Advance(at))
}

// purge takes one candidate purge of input line line, whose change
// happened at event time at.
func (o *output) purge(line int, p propagate.Purge, rc propagate.ResourceChange, rr *propagate.PageRerender, at time.Time) error {
	if o.cfg.Observe != nil {
		o.cfg.Observe(line, p, rc.Meta.URI)
	}
	if o.window != nil {
		if !o.cfg.Rerender {
			rr = nil
		}
		return o.writeClosed(o.window.Add(rc, rr, at))
	}
	// Replays have no processing time of their own: the input's event
	// time is the clock purges are emitted at.
	if o.coal != nil && !o.coal.Admit(rc.Meta.URI, rc.RootEvent.DT, at) {
		o.sum.Coalesced++
		return nil
	}
	if !o.cfg.Rerender {
		rr = nil
	}
	return o.write(rc, rr, at)
}

// flush writes every purge still held; the input ended.
func (o *output) flush() error {
	if o.window == nil {
		return nil
	}
	return o.writeClosed(o.window.Flush())
}

func (o *output) writeClosed(cs []propagate.Closed) error {
	for _, c := range cs {
		if c.Reason == propagate.ClosedFull {
			o.sum.Early++
		}
		o.sum.Coalesced += c.Count - 1
		rc, rr := c.Release(time.Now().UTC())
		if err := o.write(rc, rr, c.At); err != nil {
			return err
		}
	}
	return nil
}

func (o *output) write(rc propagate.ResourceChange, rr *propagate.PageRerender, at time.Time) error {
	if o.cfg.Emitted != nil {
		o.cfg.Emitted(rc, at)
	}
	o.sum.Purges++
	if err := o.enc.Encode(rc); err != nil {
		return err
	}
	if rr != nil {
		o.sum.Rerenders++
		return o.enc.Encode(rr)
	}
	return nil
}
