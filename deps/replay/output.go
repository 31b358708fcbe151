package replay

import (
	"encoding/json"
	"time"

	"github.com/ripplestream/ripple/deps/propagate"
)

// output is the coalescing and writing end of a replay: candidate purges
// go in, purge events come out. Unless Config.Window is negative, purges
// are coalesced by the rules the changeprop job applies (see
// propagate.Coalesced), by event time (propagate.Window); with a negative
// window every purge is written.
type output struct {
	cfg    Config
	enc    *json.Encoder
	sum    *Summary
	window *propagate.Window
}

func newOutput(cfg Config, enc *json.Encoder, sum *Summary) (*output, error) {
	o := &output{cfg: cfg, enc: enc, sum: sum}
	if cfg.Window >= 0 {
		w, err := propagate.NewWindow(propagate.WindowConfig{Length: cfg.Window, MaxOpen: cfg.MaxOpen})
		if err != nil {
			return nil, err
		}
		o.window = w
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
	if !o.cfg.Rerender {
		rr = nil
	}
	if o.window == nil {
		return o.write(rc, rr, at)
	}
	dropped := o.window.Dropped()
	err := o.writeClosed(o.window.Add(rc, rr, at))
	o.sum.Coalesced += o.window.Dropped() - dropped
	return err
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
