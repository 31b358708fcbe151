package main

import (
	"context"
	"encoding/binary"
	"fmt"
	"log/slog"
	"time"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/processor/dedupe"
	"github.com/ripplestream/ripple/processor/window"
)

// engineSpec is one engine process's job and where it reads and writes.
type engineSpec struct {
	Engine, Job          string
	Brokers              []string
	Input, Output, Group string
	StateDir             string
	Commit               time.Duration // ripple's CommitInterval; goka's offset auto-commit interval
	Logger               *slog.Logger
}

// Window job settings shared by every engine.
const (
	windowSize     = time.Minute
	windowLateness = 10 * time.Second
)

func runRippleEngine(ctx context.Context, s engineSpec) error {
	cfg := processor.Config{Brokers: s.Brokers, StateDir: s.StateDir, MaxRetries: -1, CommitInterval: s.Commit, Logger: s.Logger}
	in, out := processor.Stream(s.Input), processor.Stream(s.Output)
	switch s.Job {
	case "count":
		return runRipple(ctx, rippleCount(processor.Group(s.Group), in, out), cfg)
	case "dedupe":
		job, err := dedupe.Job(dedupe.Config{Name: processor.Group(s.Group), Input: in, Output: out})
		if err != nil {
			return err
		}
		return runRipple(ctx, job, cfg)
	case "window":
		job, err := window.Job(window.Config[int64, struct{}]{Name: processor.Group(s.Group), Input: in, Output: out,
			Windower: window.Windower[int64, struct{}]{Assigner: window.Tumbling(windowSize),
				Lateness: windowLateness, Aggregator: window.Count[struct{}]()}})
		if err != nil {
			return err
		}
		return runRipple(ctx, job, cfg)
	}
	return fmt.Errorf("unknown job %q", s.Job)
}

func runRipple[S any](ctx context.Context, job processor.Job[S], cfg processor.Config) error {
	r, err := processor.NewRunner(job, cfg)
	if err != nil {
		return err
	}
	return r.Run(ctx)
}

// rippleCount counts events per key (opaque bytes, the count a varint in
// state) and emits the key's count, 8 bytes big-endian, for each event.
func rippleCount(name processor.Group, in, out processor.Stream) processor.Job[int64] {
	o := processor.NewOutput(out, event.Raw{})
	return processor.Job[int64]{
		Name:    name,
		State:   varint{},
		Outputs: []processor.Declared{o},
		Inputs: []processor.Input[int64]{processor.On(in, event.Raw{},
			func(c *processor.Context[int64], key string, _ []byte) error {
				n, _, err := c.State()
				if err != nil {
					return err
				}
				if err := c.SetState(n + 1); err != nil {
					return err
				}
				return o.Emit(c, key, binary.BigEndian.AppendUint64(nil, uint64(n+1)))
			})},
	}
}

// varint is an int64 state codec.
type varint struct{}

func (varint) Encode(n int64) ([]byte, error) { return binary.AppendVarint(nil, n), nil }
func (varint) Decode(b []byte) (int64, error) {
	n, k := binary.Varint(b)
	if k <= 0 {
		return 0, fmt.Errorf("bad count %x", b)
	}
	return n, nil
}
