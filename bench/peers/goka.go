package main

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/IBM/sarama"
	"github.com/lovoo/goka"
	"github.com/lovoo/goka/codec"
	"github.com/lovoo/goka/storage"

	"github.com/ripplestream/ripple/internal/kafkaclient"
)

// dedupeTTL is how long the dedupe job remembers an id (ripple's default).
const dedupeTTL = time.Hour

// runGokaEngine runs the job as a plain goka processor on LevelDB. Offsets
// are committed every s.Commit (ripple's CommitInterval) instead of
// sarama's 1 s, so the driver sees progress at the same grain.
func runGokaEngine(ctx context.Context, s engineSpec) error {
	kc := kafkaclient.Config{Brokers: s.Brokers}
	if err := kc.Validate(); err != nil {
		return err
	}
	var handle func(goka.Context, []byte) error
	switch s.Job {
	case "count":
		handle = gokaCount(s.Output)
	case "dedupe":
		handle = gokaDedupe(s.Output)
	case "window":
		handle = gokaWindow(s.Output)
	default:
		return fmt.Errorf("unknown job %q", s.Job)
	}
	cb := func(ctx goka.Context, msg any) {
		if err := handle(ctx, msg.([]byte)); err != nil {
			ctx.Fail(err)
		}
	}
	g := goka.DefineGroup(goka.Group(s.Group), goka.Input(goka.Stream(s.Input), new(codec.Bytes), cb),
		goka.Output(goka.Stream(s.Output), new(codec.Bytes)), goka.Persist(new(codec.Bytes)))
	opts := append(kc.ProcessorOptions(), goka.WithStorageBuilder(storage.DefaultBuilder(s.StateDir)),
		goka.WithLogger(kafkaclient.GokaLogger(s.Logger)),
		goka.WithConsumerGroupBuilder(func(brokers []string, group, clientID string) (sarama.ConsumerGroup, error) {
			sc := kc.Sarama()
			sc.ClientID = clientID
			sc.Consumer.Offsets.AutoCommit.Interval = s.Commit
			return sarama.NewConsumerGroup(brokers, group, sc)
		}))
	p, err := goka.NewProcessor(s.Brokers, g, opts...)
	if err != nil {
		return err
	}
	return p.Run(ctx)
}

func gokaCount(out string) func(goka.Context, []byte) error {
	return func(ctx goka.Context, _ []byte) error {
		var n int64
		if v, _ := ctx.Value().([]byte); v != nil {
			n, _ = binary.Varint(v)
		}
		n++
		ctx.SetValue(binary.AppendVarint(nil, n))
		ctx.Emit(goka.Stream(out), ctx.Key(), binary.BigEndian.AppendUint64(nil, uint64(n)))
		return nil
	}
}

// gokaDedupe keeps, per key, the hashes and times of the ids seen within
// dedupeTTL of the event's record timestamp: 16 bytes an id.
func gokaDedupe(out string) func(goka.Context, []byte) error {
	return func(ctx goka.Context, raw []byte) error {
		var p struct {
			Meta struct {
				ID string `json:"id"`
			} `json:"meta"`
		}
		if err := json.Unmarshal(raw, &p); err != nil || p.Meta.ID == "" {
			return errors.Join(errors.New("no meta.id"), err)
		}
		h := fnv.New64a()
		h.Write([]byte(p.Meta.ID))
		id, now := h.Sum64(), ctx.Timestamp().UnixMilli()
		old, _ := ctx.Value().([]byte)
		kept := make([]byte, 0, len(old)+16)
		seen := false
		for i := 0; i+16 <= len(old); i += 16 {
			eid, at := binary.BigEndian.Uint64(old[i:]), int64(binary.BigEndian.Uint64(old[i+8:]))
			if now-at > dedupeTTL.Milliseconds() {
				continue
			}
			seen = seen || eid == id
			kept = append(kept, old[i:i+16]...)
		}
		if !seen {
			kept = binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64(kept, id), uint64(now))
			ctx.Emit(goka.Stream(out), ctx.Key(), raw)
		}
		ctx.SetValue(kept)
		return nil
	}
}

// gokaWindow counts a key's events per one-minute tumbling window of their
// dt, with windowLateness; goka has no timers, so a window closes (and its
// count is emitted under key@start) when the key's next events move its
// watermark past the window's end plus the lateness. The state is the
// watermark and the open windows' (start, count), 8 bytes each.
func gokaWindow(out string) func(goka.Context, []byte) error {
	return func(ctx goka.Context, raw []byte) error {
		var p struct {
			DT time.Time `json:"dt"`
		}
		if err := json.Unmarshal(raw, &p); err != nil || p.DT.IsZero() {
			return errors.Join(errors.New("no dt"), err)
		}
		t := p.DT.UnixMilli()
		old, _ := ctx.Value().([]byte)
		var mark int64
		if len(old) >= 8 {
			mark = int64(binary.BigEndian.Uint64(old))
		}
		mark = max(mark, t)
		size, late := windowSize.Milliseconds(), windowLateness.Milliseconds()
		start := t - t%size
		kept := binary.BigEndian.AppendUint64(make([]byte, 0, len(old)+16), uint64(mark))
		added := start+size+late <= mark // too late: dropped
		for i := 8; i+16 <= len(old); i += 16 {
			ws, n := int64(binary.BigEndian.Uint64(old[i:])), binary.BigEndian.Uint64(old[i+8:])
			if ws == start && !added {
				n++
				added = true
			}
			if ws+size+late <= mark {
				ctx.Emit(goka.Stream(out), fmt.Sprintf("%s@%d", ctx.Key(), ws), binary.BigEndian.AppendUint64(nil, n))
				continue
			}
			kept = binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64(kept, uint64(ws)), n)
		}
		if !added {
			kept = binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64(kept, uint64(start)), 1)
		}
		ctx.SetValue(kept)
		return nil
	}
}
