package ratelimit

import (
	"errors"
	"fmt"
	"time"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/processor"
)

// ErrNoEvent is returned for a DelayedEvent without an event.
var ErrNoEvent = errors.New("ratelimit: delayed record holds no event")

// Release returns the stateless job that completes the Delay policy of a
// stage with a Config.DelayOutput: it reads the DelayedEvents of that
// stream and emits each held event to cfg.Output, under its key, once its
// DueAt has come. A stage without DelayOutput needs no Release job: it
// releases delayed events itself, from timers.
//
// It waits in the handler, so a partition's records are released in order
// and one due later holds back those behind it; the stage bounds every wait
// by Limiter.MaxDelay, so a record waits at most about that long past its
// own due time. On shutdown a waiting record is released at once: a record may come
// early but is never lost (as with the processor's retry delays). Due times
// come from the stage's clock, the record timestamps by default: when the
// stage works through a backlog, they are in the past and records are
// released at once.
func Release(cfg ReleaseConfig) (processor.Job[struct{}], error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return processor.Job[struct{}]{}, err
	}
	out := processor.NewOutput[[]byte](cfg.Output, event.Raw{})
	handle := func(c *processor.Context[struct{}], key string, d DelayedEvent) error {
		if len(d.Event) == 0 || string(d.Event) == "null" {
			return processor.Permanent(fmt.Errorf("%w (stream %s, partition %d, offset %d, key %q)",
				ErrNoEvent, c.Stream(), c.Partition(), c.Offset(), key))
		}
		if wait := d.DueAt.Sub(cfg.Now()); wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-c.Context().Done():
				t.Stop()
			}
		}
		return out.Emit(c, key, d.Event)
	}
	return processor.Job[struct{}]{
		Name:    cfg.Name,
		Inputs:  []processor.Input[struct{}]{processor.On(cfg.Input, event.JSON[DelayedEvent]{}, handle)},
		Outputs: []processor.Declared{out},
	}, nil
}
