package errortopic

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/IBM/sarama"

	"github.com/ripplestream/ripple/processor"
)

// Entry is one record of the error topic.
type Entry struct {
	Partition int32
	Offset    int64
	// Record is the decoded error record.
	Record processor.ErrorRecord
	// Event is the failed event, byte for byte; nil when Err is set.
	Event []byte
	// Err says why the record cannot be replayed: it wraps
	// processor.ErrNotReplayable, or the record could not be read.
	Err error
}

func decode(m *sarama.ConsumerMessage) Entry {
	rec, ev, err := processor.DecodeErrorRecord(m.Value)
	return Entry{Partition: m.Partition, Offset: m.Offset, Record: rec, Event: ev, Err: err}
}

// conn is a connection to the broker with the bounds, as of dial, of the
// error topic's partitions.
type conn struct {
	cfg      Config
	version  sarama.KafkaVersion
	client   sarama.Client
	consumer sarama.Consumer
	parts    []part
}

// part is one partition of the error topic.
type part struct {
	id          int32
	oldest, end int64 // the first offset still kept and the offset after the last record
	committed   int64 // the position of cfg.Group; -1 for none
}

// dial connects to cfg's brokers and reads the bounds and replay position
// of every partition of the error topic. edit may change the client's
// configuration (Replay's producer settings).
func dial(cfg Config, edit func(*sarama.Config)) (*conn, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	kc, _ := cfg.client() // Validate checked it
	sc := kc.Sarama()
	sc.Metadata.AllowAutoTopicCreation = false
	sc.Consumer.Return.Errors = true
	if edit != nil {
		edit(sc)
	}
	client, err := sarama.NewClient(kc.Brokers, sc)
	if err != nil {
		return nil, fmt.Errorf("errortopic: connecting to Kafka at %v: %w; check that the brokers run there and --brokers names them", kc.Brokers, err)
	}
	c := &conn{cfg: cfg, version: kc.Version, client: client}
	if err := c.load(); err != nil {
		client.Close()
		return nil, err
	}
	if c.consumer, err = sarama.NewConsumerFromClient(client); err != nil {
		client.Close()
		return nil, fmt.Errorf("errortopic: consumer: %w", err)
	}
	return c, nil
}

func (c *conn) Close() {
	if c.consumer != nil {
		c.consumer.Close()
	}
	c.client.Close()
}

// load reads the partitions of the error topic, their bounds and the
// group's positions.
func (c *conn) load() error {
	topic := c.cfg.Topic()
	ids, err := c.client.Partitions(topic)
	if errors.Is(err, sarama.ErrUnknownTopicOrPartition) || err == nil && len(ids) == 0 {
		return fmt.Errorf("errortopic: the error topic %s does not exist: check the job name (processor.Job.Name); "+
			"a job creates its error topic when it starts", topic)
	}
	if err != nil {
		return fmt.Errorf("errortopic: partitions of %s: %w", topic, err)
	}
	committed, err := c.fetchPositions(ids)
	if err != nil {
		return err
	}
	for _, id := range ids {
		p := part{id: id, committed: committed[id]}
		if p.oldest, err = c.client.GetOffset(topic, id, sarama.OffsetOldest); err != nil {
			return fmt.Errorf("errortopic: oldest offset of %s/%d: %w", topic, id, err)
		}
		if p.end, err = c.client.GetOffset(topic, id, sarama.OffsetNewest); err != nil {
			return fmt.Errorf("errortopic: end of %s/%d: %w", topic, id, err)
		}
		c.parts = append(c.parts, p)
	}
	return nil
}

// fetchPositions returns the offsets cfg.Group committed for the error
// topic's partitions, -1 where it committed none.
func (c *conn) fetchPositions(ids []int32) (map[int32]int64, error) {
	topic := c.cfg.Topic()
	req := sarama.NewOffsetFetchRequest(c.version, c.cfg.Group, map[string][]int32{topic: ids})
	var resp *sarama.OffsetFetchResponse
	err := c.withCoordinator(func(b *sarama.Broker) (err error) {
		resp, err = b.FetchOffset(req)
		if err == nil && resp.Err != sarama.ErrNoError {
			err = resp.Err
		}
		return err
	})
	out := make(map[int32]int64, len(ids))
	for _, id := range ids {
		out[id] = -1
	}
	if errors.Is(err, sarama.ErrGroupIDNotFound) { // no position yet (Kafka says so with -1 offsets)
		return out, nil
	}
	if err != nil {
		return nil, fmt.Errorf("errortopic: reading the position of group %s: %w", c.cfg.Group, err)
	}
	for _, id := range ids {
		if b := resp.GetBlock(topic, id); b != nil {
			if b.Err != sarama.ErrNoError {
				return nil, fmt.Errorf("errortopic: position of group %s on %s/%d: %w", c.cfg.Group, topic, id, b.Err)
			}
			out[id] = b.Offset
		}
	}
	return out, nil
}

// commit makes offset, the first record not yet dealt with, the group's
// position on partition id.
func (c *conn) commit(id int32, offset int64) error {
	req := &sarama.OffsetCommitRequest{Version: 6, ConsumerGroup: c.cfg.Group, ConsumerGroupGeneration: -1}
	if c.version.IsAtLeast(sarama.V2_3_0_0) {
		req.Version = 7
	}
	req.AddBlock(c.cfg.Topic(), id, offset, 0, "")
	err := c.withCoordinator(func(b *sarama.Broker) error {
		resp, err := b.CommitOffset(req)
		if err != nil {
			return err
		}
		if kerr := resp.Errors[c.cfg.Topic()][id]; kerr != sarama.ErrNoError {
			return kerr
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("errortopic: committing offset %d of %s/%d for group %s: %w; "+
			"the records before it were sent: if this persists, stop the jobs of group %s (a replay position takes an idle group)",
			offset, c.cfg.Topic(), id, c.cfg.Group, err, c.cfg.Group)
	}
	return nil
}

// withCoordinator calls fn with the group's coordinator, once more with a
// fresh one when the first says it is not (or not yet) the coordinator.
func (c *conn) withCoordinator(fn func(*sarama.Broker) error) error {
	var err error
	for attempt := range 3 {
		if attempt > 0 {
			time.Sleep(time.Duration(attempt) * 200 * time.Millisecond)
			if rerr := c.client.RefreshCoordinator(c.cfg.Group); rerr != nil {
				err = rerr
				continue
			}
		}
		var b *sarama.Broker
		if b, err = c.client.Coordinator(c.cfg.Group); err != nil {
			continue
		}
		err = fn(b)
		if !errors.Is(err, sarama.ErrNotCoordinatorForConsumer) && !errors.Is(err, sarama.ErrConsumerCoordinatorNotAvailable) &&
			!errors.Is(err, sarama.ErrOffsetsLoadInProgress) {
			return err
		}
	}
	return err
}

// read calls fn with each record of partition p from offset from up to the
// partition's end as of dial, in order, and stops at fn's first error.
func (c *conn) read(ctx context.Context, p part, from int64, fn func(*sarama.ConsumerMessage) error) error {
	from = max(from, p.oldest)
	if from >= p.end {
		return nil
	}
	topic := c.cfg.Topic()
	pc, err := c.consumer.ConsumePartition(topic, p.id, from)
	if err != nil {
		return fmt.Errorf("errortopic: reading %s/%d from offset %d: %w", topic, p.id, from, err)
	}
	defer pc.AsyncClose()
	idle := time.NewTimer(c.cfg.Idle)
	defer idle.Stop()
	for next := from; next < p.end; {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case m := <-pc.Messages():
			if err := fn(m); err != nil {
				return err
			}
			next = m.Offset + 1
			idle.Reset(c.cfg.Idle)
		case err := <-pc.Errors():
			return fmt.Errorf("errortopic: reading %s/%d at offset %d: %w", topic, p.id, next, err)
		case <-idle.C:
			return fmt.Errorf("errortopic: reading %s/%d: no record at offset %d (the end is %d) within %v; "+
				"check the broker, or rerun: the partition may end with transaction markers", topic, p.id, next, p.end, c.cfg.Idle)
		}
	}
	return nil
}
