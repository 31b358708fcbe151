package sink

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// inputPoll is how often Run asks for the input's metadata while it waits
// for the input to exist.
const inputPoll = 100 * time.Millisecond

// partitions returns the partitions of topic, or an error wrapping
// kerr.UnknownTopicOrPartition when it does not exist.
func partitions(ctx context.Context, cl *kgo.Client, topic string) ([]int32, error) {
	req := kmsg.NewPtrMetadataRequest()
	t := kmsg.NewMetadataRequestTopic()
	t.Topic = kmsg.StringPtr(topic)
	req.Topics = append(req.Topics, t)
	req.AllowAutoTopicCreation = false
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		return nil, err
	}
	if len(resp.Topics) != 1 {
		return nil, fmt.Errorf("metadata of %s: %d topics in the answer", topic, len(resp.Topics))
	}
	if err := kerr.ErrorForCode(resp.Topics[0].ErrorCode); err != nil {
		return nil, fmt.Errorf("metadata of %s: %w", topic, err)
	}
	var ps []int32
	for _, p := range resp.Topics[0].Partitions {
		ps = append(ps, p.Partition)
	}
	slices.Sort(ps)
	return ps, nil
}

// waitForInput returns the input's partitions once it exists, failing
// after InputWait; nil without error when ctx ends first.
func (r *Runner) waitForInput(ctx context.Context) ([]int32, error) {
	deadline := time.Now().Add(r.cfg.InputWait)
	for {
		ps, err := partitions(ctx, r.producer, string(r.cfg.Input))
		if err == nil && len(ps) > 0 {
			r.waited()
			return ps, nil
		}
		if err == nil {
			err = errors.New("no partitions")
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("sink %s: input stream %s not found after %v (create it, or check Brokers %v): %w",
				r.cfg.Name, r.cfg.Input, r.cfg.InputWait, r.cfg.Brokers, err)
		}
		r.wait(fmt.Sprintf("sink %s waits for its input stream %s: %v", r.cfg.Name, r.cfg.Input, err))
		if pause(ctx, inputPoll) != nil {
			return nil, nil
		}
	}
}

// createErrorTopic creates the error topic when it does not exist, with
// as many partitions as the input.
func (r *Runner) createErrorTopic(npar int) error {
	kc, _ := r.cfg.kafka() // checked by Validate
	tm, err := kc.TopicManager()
	if err != nil {
		return fmt.Errorf("sink %s: creating the error topic %s: %w", r.cfg.Name, r.cfg.Errors, err)
	}
	defer tm.Close()
	if err := tm.EnsureStreamExists(string(r.cfg.Errors), npar); err != nil {
		return fmt.Errorf("sink %s: creating the error topic %s: %w", r.cfg.Name, r.cfg.Errors, err)
	}
	return nil
}

// offsets returns where to start reading parts: the store's offsets,
// the beginning where it has none. It retries a failing store until ctx
// ends.
func (r *Runner) offsets(ctx context.Context, parts []int32) (map[int32]kgo.Offset, error) {
	var stored map[int32]int64
	for try := 1; ; try++ {
		var err error
		if stored, err = r.store.Offsets(ctx, string(r.cfg.Input)); err == nil {
			r.waited()
			break
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		d := r.cfg.retryDelay(try)
		r.wait(fmt.Sprintf("store of sink %s cannot tell its offsets, retrying in %v: %v", r.cfg.Name, d, err))
		r.cfg.Logger.Warn("sink store offsets failed", "sink", r.cfg.Name, "try", try, "retry_in", d, "err", err)
		if r.cfg.Hook != nil {
			r.cfg.Hook.StoreFailed(r.cfg.Name, string(r.cfg.Input), err)
		}
		if err := pause(ctx, d); err != nil {
			return nil, err
		}
	}
	if r.known == nil {
		r.known, r.next, r.hwm = map[int32]bool{}, map[int32]int64{}, map[int32]int64{}
	}
	start := make(map[int32]kgo.Offset, len(parts))
	for _, p := range parts {
		r.known[p] = true
		if o, ok := stored[p]; ok {
			start[p] = kgo.NewOffset().At(o)
			r.next[p] = o
		} else {
			start[p] = kgo.NewOffset().AtStart()
		}
	}
	return start, nil
}

// addPartitions starts reading the input's partitions added since Run
// started, at the store's offsets.
func (r *Runner) addPartitions(ctx context.Context) {
	ps, err := partitions(ctx, r.producer, string(r.cfg.Input))
	if err != nil {
		if ctx.Err() == nil {
			r.cfg.Logger.Warn("sink metadata", "sink", r.cfg.Name, "input", r.cfg.Input, "err", err)
		}
		return
	}
	var added []int32
	for _, p := range ps {
		if !r.known[p] {
			added = append(added, p)
		}
	}
	if len(added) == 0 {
		return
	}
	start, err := r.offsets(ctx, added)
	if err != nil {
		return
	}
	r.cfg.Logger.Info("sink reads new partitions", "sink", r.cfg.Name, "input", r.cfg.Input, "partitions", added)
	r.consumer.AddConsumePartitions(map[string]map[int32]kgo.Offset{string(r.cfg.Input): start})
}
