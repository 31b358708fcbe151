package state

import (
	"context"
	"fmt"

	"github.com/IBM/sarama"
	"github.com/lovoo/goka/storage"
)

// restoreChunk is how many changelog records Restore writes at once.
const restoreChunk = 4096

// Restore replays partition of the changelog topic into st, as goka's
// partition table does: from the offset st stored + 1 (or the oldest
// offset still in the topic) up to the topic's end as of the call, a nil
// value deleting its key. Then it marks st recovered. It writes in chunks,
// each with the offset of its last record, through Write (one Pebble batch
// per chunk for a Store), so a crash keeps a consistent prefix. left, if
// not nil, is told how many records remain after each chunk.
func Restore(ctx context.Context, client sarama.Client, topic string, partition int32, st storage.Storage, left func(int64)) error {
	stored, err := st.GetOffset(-1)
	if err != nil {
		return fmt.Errorf("state: reading the stored offset of %s/%d: %w", topic, partition, err)
	}
	oldest, err := client.GetOffset(topic, partition, sarama.OffsetOldest)
	if err != nil {
		return fmt.Errorf("state: oldest offset of %s/%d: %w", topic, partition, err)
	}
	hwm, err := client.GetOffset(topic, partition, sarama.OffsetNewest)
	if err != nil {
		return fmt.Errorf("state: newest offset of %s/%d: %w", topic, partition, err)
	}
	start := max(stored+1, oldest)
	if start >= hwm { // up to date, or the topic was recreated: as goka, trust the store
		return st.MarkRecovered()
	}
	consumer, err := sarama.NewConsumerFromClient(client)
	if err != nil {
		return fmt.Errorf("state: consumer for %s/%d: %w", topic, partition, err)
	}
	defer consumer.Close()
	pc, err := consumer.ConsumePartition(topic, partition, start)
	if err != nil {
		return fmt.Errorf("state: reading %s/%d from offset %d: %w", topic, partition, start, err)
	}
	defer pc.Close()
	muts := make([]Mutation, 0, restoreChunk)
	for {
		var last int64
		select {
		case m := <-pc.Messages():
			muts = append(muts, Mutation{Key: string(m.Key), Value: m.Value, Delete: m.Value == nil})
			last = m.Offset
			// Take what else has arrived, up to a chunk.
		more:
			for len(muts) < restoreChunk && last < hwm-1 {
				select {
				case m := <-pc.Messages():
					muts = append(muts, Mutation{Key: string(m.Key), Value: m.Value, Delete: m.Value == nil})
					last = m.Offset
				default:
					break more
				}
			}
		case cerr := <-pc.Errors():
			return fmt.Errorf("state: reading %s/%d: %w", topic, partition, cerr)
		case <-ctx.Done():
			return ctx.Err()
		}
		if err := Write(st, muts, last); err != nil {
			return fmt.Errorf("state: restoring %s/%d up to offset %d: %w", topic, partition, last, err)
		}
		muts = muts[:0]
		if left != nil {
			left(hwm - 1 - last)
		}
		if last >= hwm-1 {
			return st.MarkRecovered()
		}
	}
}
