package state

import (
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
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

// Restored is what Restore found at the end of a changelog partition.
type Restored struct {
	// Torn lists the keys written by a batch whose marker (see
	// BatchHeader) never reached the changelog: the writer stopped in the
	// middle of it. They were not applied; the writer must write them
	// again, with their restored values, in a batch of its own, so that a
	// later restore and the log cleaner see the state as of the last
	// complete batch.
	Torn []string
	// LastBatch is the highest batch sequence read, marker or not, or the
	// one stored; a writer numbers its next batch above it.
	LastBatch int64
}

// Restore replays partition of the changelog topic into st, as goka's
// partition table does: from the offset st stored + 1 (or the oldest
// offset still in the topic) up to the topic's end as of the call, a nil
// value deleting its key. Then it marks st recovered. It writes in chunks,
// each with the offset of its last record, through Write (one Pebble batch
// per chunk for a Store), so a crash keeps a consistent prefix. left, if
// not nil, is told how many records remain after each chunk.
//
// A changelog written in marked batches (records with a BatchHeader, each
// batch ended by its InputsKey marker) is applied a whole batch at a time:
// a batch's records are held until its marker arrives. A batch's records
// may come before the marker of the batch before it, so the offset stored
// with a batch is its marker's only when no record of a later batch came
// before that marker; otherwise it is just before the first such record,
// so that a restore stopped there and started again misses none of them. Records left at the end without a marker
// are not applied; Restored.Torn names their keys. Records without a
// BatchHeader before the first marked batch (goka's, or ripple's before
// batches were marked) are applied record by record.
//
// Restore fetches from the partition's leader itself rather than through a
// sarama consumer: it takes whole record batches (8 MiB per fetch, the next
// fetch in flight while a chunk is written), which saves a channel send
// and an allocation per record, and it starts at once, where a consumer
// first waits 100 ms to batch new subscriptions.
func Restore(ctx context.Context, client sarama.Client, topic string, partition int32, st storage.Storage, left func(int64)) (Restored, error) {
	var out Restored
	stored, err := st.GetOffset(-1)
	if err != nil {
		return out, fmt.Errorf("state: reading the stored offset of %s/%d: %w", topic, partition, err)
	}
	marked, err := st.Get(InputsKey)
	if err != nil {
		return out, fmt.Errorf("state: reading the stored inputs of %s/%d: %w", topic, partition, err)
	}
	inputs, err := DecodeInputs(marked)
	if err != nil {
		return out, err
	}
	out.LastBatch = inputs.Batch
	oldest, err := client.GetOffset(topic, partition, sarama.OffsetOldest)
	if err != nil {
		return out, fmt.Errorf("state: oldest offset of %s/%d: %w", topic, partition, err)
	}
	// Committed records only: those of a transaction a crash left open
	// or that was aborted never count (processor.Config.ExactlyOnce).
	hwm, err := lastStable(client, topic, partition)
	if err != nil {
		return out, fmt.Errorf("state: last stable offset of %s/%d: %w", topic, partition, err)
	}
	start := max(stored+1, oldest)
	if start >= hwm { // up to date, or the topic was recreated: as goka, trust the store
		return out, st.MarkRecovered()
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
	a := applier{st: st, marked: marked != nil, last: out.LastBatch}
	for c := range chunks {
		if err := a.add(c); err != nil {
			return out, fmt.Errorf("state: restoring %s/%d up to offset %d: %w", topic, partition, c.last, err)
		}
		if left != nil {
			left(hwm - 1 - c.last)
		}
	}
	if err := <-readErr; err != nil {
		return out, err
	}
	out.LastBatch = a.last
	for _, p := range a.pending {
		out.Torn = append(out.Torn, p.Key)
	}
	return out, st.MarkRecovered()
}

// applier writes restored records to the store, holding those of a marked
// batch until its marker.
type applier struct {
	st      storage.Storage
	marked  bool       // a marked batch was seen (or stored): hold records for their marker
	last    int64      // highest batch sequence seen
	pending []Mutation // held records, in order
	batches []int64    // the batch of each held record
	offs    []int64    // the changelog offset of each held record
}

func (a *applier) add(c chunk) error {
	if !a.marked && !c.batched {
		return Write(a.st, c.muts, c.last)
	}
	for i, m := range c.muts {
		if !a.marked && c.batches[i] < 0 {
			// Before the first record of a marked batch: written by goka
			// or an earlier ripple; applied as it comes.
			if err := Write(a.st, []Mutation{m}, c.offs[i]); err != nil {
				return err
			}
			continue
		}
		a.marked = true
		seq := c.batches[i]
		a.last = max(a.last, seq)
		a.pending = append(a.pending, m)
		a.batches = append(a.batches, seq)
		a.offs = append(a.offs, c.offs[i])
		if m.Key != InputsKey || seq < 0 {
			continue
		}
		// A marker: its batch, and any earlier one, is complete.
		var apply, keep []Mutation
		var keepSeq, keepOffs []int64
		for j, p := range a.pending {
			if a.batches[j] <= seq {
				apply = append(apply, p)
			} else {
				keep, keepSeq, keepOffs = append(keep, p), append(keepSeq, a.batches[j]), append(keepOffs, a.offs[j])
			}
		}
		at := c.offs[i]
		if len(keepOffs) > 0 {
			at = keepOffs[0] - 1 // a later batch began before this marker
		}
		if err := Write(a.st, apply, at); err != nil {
			return err
		}
		a.pending, a.batches, a.offs = keep, keepSeq, keepOffs
	}
	return nil
}

// chunk is a run of changelog records to write as one batch, with the
// offset of the last record it covers, each record's offset and batch
// sequence (-1: none), and whether any record has one.
type chunk struct {
	muts    []Mutation
	offs    []int64
	batches []int64
	batched bool
	last    int64
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
	newChunk := func() chunk {
		return chunk{muts: make([]Mutation, 0, restoreChunk), offs: make([]int64, 0, restoreChunk),
			batches: make([]int64, 0, restoreChunk)}
	}
	c := newChunk()
	send := func() error {
		select {
		case out <- c:
			c = newChunk()
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
		aborted := abortedTransactions(block)
		for _, records := range block.RecordsSet {
			if records.MsgSet != nil {
				return fmt.Errorf("state: %s/%d at offset %d holds messages in the format before Kafka 0.11, which Restore does not read", f.topic, f.partition, f.next)
			}
			batch := records.RecordBatch
			if batch == nil || batch.PartialTrailingRecord || batch.LastOffset() < f.next {
				continue
			}
			progressed = true
			skip := aborted.skip(batch)
			if !batch.Control && !skip { // a control batch (transaction marker) applies nothing
				for _, r := range batch.Records {
					off := batch.FirstOffset + r.OffsetDelta
					if off < f.next || off >= f.end {
						continue
					}
					c.muts = append(c.muts, Mutation{Key: string(r.Key), Value: r.Value, Delete: r.Value == nil})
					c.offs = append(c.offs, off)
					seq := batchOf(r.Headers)
					c.batches = append(c.batches, seq)
					c.batched = c.batched || seq >= 0
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
		Isolation: sarama.ReadCommitted, SessionEpoch: -1}
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

// lastStable returns the partition's last stable offset: the end of what a
// read-committed consumer may read (the high watermark, unless a
// transaction is open).
func lastStable(client sarama.Client, topic string, partition int32) (int64, error) {
	broker, err := client.Leader(topic, partition)
	if err != nil {
		return -1, err
	}
	req := &sarama.OffsetRequest{Version: 4, IsolationLevel: sarama.ReadCommitted}
	req.AddBlock(topic, partition, sarama.OffsetNewest, 1)
	resp, err := broker.GetAvailableOffsets(req)
	if err != nil {
		_ = broker.Close()
		return -1, err
	}
	block := resp.GetBlock(topic, partition)
	if block == nil {
		return -1, sarama.ErrIncompleteResponse
	}
	if !errors.Is(block.Err, sarama.ErrNoError) {
		return -1, block.Err
	}
	return block.Offset, nil
}

// aborted tells the record batches of aborted transactions in one fetch
// response, as Kafka's read-committed consumers do: a producer's batches
// from the first offset of one of its aborted transactions up to that
// transaction's abort marker are skipped.
type aborted struct {
	txns      []*sarama.AbortedTransaction // by first offset, not yet reached
	producers map[int64]bool               // producers inside an aborted transaction
}

func abortedTransactions(block *sarama.FetchResponseBlock) *aborted {
	a := &aborted{txns: slices.Clone(block.AbortedTransactions), producers: map[int64]bool{}}
	slices.SortFunc(a.txns, func(x, y *sarama.AbortedTransaction) int { return cmp.Compare(x.FirstOffset, y.FirstOffset) })
	return a
}

// skip reports whether batch belongs to an aborted transaction; it reads
// batches in offset order.
func (a *aborted) skip(batch *sarama.RecordBatch) bool {
	for len(a.txns) > 0 && a.txns[0].FirstOffset <= batch.LastOffset() {
		a.producers[a.txns[0].ProducerID] = true
		a.txns = a.txns[1:]
	}
	if batch.Control {
		// The marker's key is its version (int16) and type (int16):
		// 0 aborts, 1 commits.
		if len(batch.Records) > 0 && len(batch.Records[0].Key) >= 4 && binary.BigEndian.Uint16(batch.Records[0].Key[2:4]) == 0 {
			delete(a.producers, batch.ProducerID)
		}
		return true
	}
	return batch.IsTransactional && a.producers[batch.ProducerID]
}
