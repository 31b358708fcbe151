package state

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/IBM/sarama"
	"github.com/lovoo/goka/storage"
)

const (
	// restoreChunk is how many changelog records Restore writes at once.
	restoreChunk = 4096
	// restoreFetchBytes is how much one fetch asks of a partition; a batch
	// larger than that is still returned whole (KIP-74).
	restoreFetchBytes = 8 << 20
	// restoreRetries bounds the retries of a fetch that failed with a
	// retriable error (a leader moving, a broker restarting).
	restoreRetries = 10
	// restoreBackoff is the pause before such a retry.
	restoreBackoff = 250 * time.Millisecond
)

// Restore replays partition of the changelog topic into st, as goka's
// partition table does: from the offset st stored + 1 (or the oldest
// offset still in the topic) up to the topic's end as of the call, a nil
// value deleting its key. Then it marks st recovered. It writes in chunks,
// each with the offset of its last record, through Write (one Pebble batch
// per chunk for a Store), so a crash keeps a consistent prefix. left, if
// not nil, is told how many records remain after each chunk.
//
// Restore fetches from the partition's leader itself rather than through a
// sarama consumer: it takes whole record batches (8 MiB per fetch, the next
// fetch in flight while a chunk is written), which saves a channel send
// and an allocation per record, and it starts at once, where a consumer
// first waits 100 ms to batch new subscriptions.
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
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	f := &fetcher{client: client, topic: topic, partition: partition, next: start, end: hwm, maxBytes: restoreFetchBytes}
	chunks := make(chan chunk, 2)
	readErr := make(chan error, 1)
	go func() {
		defer close(chunks)
		readErr <- f.run(ctx, chunks)
	}()
	for c := range chunks {
		if err := Write(st, c.muts, c.last); err != nil {
			return fmt.Errorf("state: restoring %s/%d up to offset %d: %w", topic, partition, c.last, err)
		}
		if left != nil {
			left(hwm - 1 - c.last)
		}
	}
	if err := <-readErr; err != nil {
		return err
	}
	return st.MarkRecovered()
}

// chunk is a run of changelog records to write as one batch, with the
// offset of the last record it covers.
type chunk struct {
	muts []Mutation
	last int64
}

// fetcher reads one partition from next up to end (exclusive) with fetch
// requests to the partition's leader.
type fetcher struct {
	client    sarama.Client
	topic     string
	partition int32
	next, end int64
	maxBytes  int32 // of the next fetch: restoreFetchBytes, doubled while a batch does not fit
}

// run fetches until end and sends the records as chunks. It returns nil
// once every offset below end was covered.
func (f *fetcher) run(ctx context.Context, out chan<- chunk) error {
	c := chunk{muts: make([]Mutation, 0, restoreChunk)}
	send := func() error {
		select {
		case out <- c:
			c = chunk{muts: make([]Mutation, 0, restoreChunk)}
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	for f.next < f.end {
		if err := ctx.Err(); err != nil {
			return err
		}
		block, err := f.fetch(ctx)
		if err != nil {
			return err
		}
		progressed := false
		for _, records := range block.RecordsSet {
			if records.MsgSet != nil {
				return fmt.Errorf("state: %s/%d at offset %d holds messages in the format before Kafka 0.11, which Restore does not read", f.topic, f.partition, f.next)
			}
			batch := records.RecordBatch
			if batch == nil || batch.PartialTrailingRecord || batch.LastOffset() < f.next {
				continue
			}
			progressed = true
			if !batch.Control { // a transaction marker: no key, nothing to apply
				for _, r := range batch.Records {
					off := batch.FirstOffset + r.OffsetDelta
					if off < f.next || off >= f.end {
						continue
					}
					c.muts = append(c.muts, Mutation{Key: string(r.Key), Value: r.Value, Delete: r.Value == nil})
					c.last = off
					if len(c.muts) == restoreChunk {
						if err := send(); err != nil {
							return err
						}
					}
				}
			}
			f.next = batch.LastOffset() + 1
			c.last = min(f.next, f.end) - 1
		}
		switch {
		case progressed:
			f.maxBytes = restoreFetchBytes
		case block.HighWaterMarkOffset <= f.next:
			// The partition ends before end: records were removed (a
			// compaction racing the restore, or the topic truncated).
			f.next = f.end
			c.last = f.end - 1
		default: // only part of a batch larger than maxBytes came back
			if f.maxBytes > 1<<30 {
				return fmt.Errorf("state: %s/%d: a record batch at offset %d is larger than 1 GiB", f.topic, f.partition, f.next)
			}
			f.maxBytes *= 2
		}
	}
	// The last chunk also records the offset of trailing records that
	// wrote nothing (transaction markers), so they are not fetched again.
	c.last = f.end - 1
	return send()
}

// fetch asks the leader for records from f.next, retrying errors that a
// metadata refresh can cure.
func (f *fetcher) fetch(ctx context.Context) (*sarama.FetchResponseBlock, error) {
	var last error
	for attempt := range restoreRetries {
		if attempt > 0 {
			select {
			case <-time.After(restoreBackoff):
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			if err := f.client.RefreshMetadata(f.topic); err != nil {
				last = err
				continue
			}
		}
		block, err := f.fetchOnce()
		switch {
		case err == nil:
			return block, nil
		case errors.Is(err, sarama.ErrOffsetOutOfRange):
			// The log start moved past f.next (retention or compaction
			// deleted the head): continue from the new start.
			oldest, oerr := f.client.GetOffset(f.topic, f.partition, sarama.OffsetOldest)
			if oerr != nil || oldest <= f.next {
				return nil, fmt.Errorf("state: fetching %s/%d at offset %d: %w", f.topic, f.partition, f.next, err)
			}
			f.next = oldest
		case retriable(err):
		default:
			return nil, fmt.Errorf("state: fetching %s/%d at offset %d: %w", f.topic, f.partition, f.next, err)
		}
		last = err
	}
	return nil, fmt.Errorf("state: fetching %s/%d at offset %d: gave up after %d attempts: %w", f.topic, f.partition, f.next, restoreRetries, last)
}

func (f *fetcher) fetchOnce() (*sarama.FetchResponseBlock, error) {
	broker, err := f.client.Leader(f.topic, f.partition)
	if err != nil {
		return nil, err
	}
	// Kafka 2.1 (fetch v10) is the oldest version ripple's clients speak.
	req := &sarama.FetchRequest{Version: 10, MinBytes: 1, MaxWaitTime: 500, MaxBytes: f.maxBytes,
		Isolation: sarama.ReadUncommitted, SessionEpoch: -1}
	req.AddBlock(f.topic, f.partition, f.next, f.maxBytes, -1)
	resp, err := broker.Fetch(req)
	if err != nil {
		_ = broker.Close() // a broken connection: reopen on the next attempt
		return nil, err
	}
	block := resp.GetBlock(f.topic, f.partition)
	if block == nil {
		return nil, sarama.ErrIncompleteResponse
	}
	if !errors.Is(block.Err, sarama.ErrNoError) {
		return nil, block.Err
	}
	return block, nil
}

// retriable reports whether a fetch error may go away after a metadata
// refresh and a pause.
func retriable(err error) bool {
	var kerr sarama.KError
	if errors.As(err, &kerr) {
		switch kerr {
		case sarama.ErrNotLeaderForPartition, sarama.ErrLeaderNotAvailable, sarama.ErrUnknownTopicOrPartition,
			sarama.ErrReplicaNotAvailable, sarama.ErrFencedLeaderEpoch, sarama.ErrUnknownLeaderEpoch,
			sarama.ErrOffsetNotAvailable, sarama.ErrKafkaStorageError, sarama.ErrNotEnoughReplicas:
			return true
		}
		return false
	}
	return true // a network error: the connection is reopened
}
