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
	pc, err := consumer.ConsumePartition(topic, partition, start)
	if err != nil {
		consumer.Close()
		return fmt.Errorf("state: reading %s/%d from offset %d: %w", topic, partition, start, err)
	}
	// A synchronous close waits for the fetch in flight, which the broker
	// holds for up to Consumer.MaxWaitTime at the end of the topic: close
	// in the background instead of adding that to every restore.
	defer func() {
		pc.AsyncClose()
		go consumer.Close()
	}()
	// Reading and writing overlap: one goroutine turns records into chunks
	// while this one writes the previous chunk.
	type chunk struct {
		muts []Mutation
		last int64
	}
	chunks := make(chan chunk, 2)
	readErr := make(chan error, 1)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		defer close(chunks)
		for {
			c := chunk{muts: make([]Mutation, 0, restoreChunk)}
			select {
			case m := <-pc.Messages():
				c.muts = append(c.muts, Mutation{Key: string(m.Key), Value: m.Value, Delete: m.Value == nil})
				c.last = m.Offset
			more:
				for len(c.muts) < restoreChunk && c.last < hwm-1 {
					select {
					case m := <-pc.Messages():
						c.muts = append(c.muts, Mutation{Key: string(m.Key), Value: m.Value, Delete: m.Value == nil})
						c.last = m.Offset
					default:
						break more
					}
				}
			case cerr := <-pc.Errors():
				readErr <- fmt.Errorf("state: reading %s/%d: %w", topic, partition, cerr)
				return
			case <-ctx.Done():
				readErr <- ctx.Err()
				return
			}
			select {
			case chunks <- c:
			case <-ctx.Done():
				readErr <- ctx.Err()
				return
			}
			if c.last >= hwm-1 {
				return
			}
		}
	}()
	for c := range chunks {
		if err := Write(st, c.muts, c.last); err != nil {
			return fmt.Errorf("state: restoring %s/%d up to offset %d: %w", topic, partition, c.last, err)
		}
		if left != nil {
			left(hwm - 1 - c.last)
		}
		if c.last >= hwm-1 {
			return st.MarkRecovered()
		}
	}
	return <-readErr
}
