// Sending a worker's records: its outputs, its changelog and its batch
// markers, each tracked until the broker acknowledges it.

package processor

import (
	"errors"
	"fmt"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/ripplestream/ripple/state"
)

// produced is the metadata of the records the engine sends for one batch
// (its outputs, or its changelog records, or its marker).
type produced struct {
	batch     *batch
	partition int32  // -1: by key hash
	seq       []byte // the batch's sequence, in a changelog record's header (see state.BatchHeader); nil: no header

	// Built at the first send, then shared by the records of the batch.
	kgoHeaders    []kgo.RecordHeader
	saramaHeaders []sarama.RecordHeader
	promise       func(*kgo.Record, error)
}

// send hands a record (a nil value: a tombstone) to the producer on behalf
// of meta's batch. It blocks while the producer is full, and gives up only
// if the run failed.
func (w *worker[S]) send(topic, key string, value []byte, meta *produced) {
	meta.batch.pending.Add(1)
	if out := w.e.out; out != nil {
		if meta.promise == nil {
			meta.promise = func(r *kgo.Record, err error) { w.e.acked(meta, r.Topic, r.Offset, err) }
			if meta.seq != nil {
				meta.kgoHeaders = []kgo.RecordHeader{{Key: state.BatchHeader, Value: meta.seq}}
			}
		}
		out.Produce(w.e.sending, &kgo.Record{Topic: topic, Key: []byte(key), Value: value, Headers: meta.kgoHeaders,
			Partition: meta.partition}, meta.promise)
		return
	}
	if meta.seq != nil && meta.saramaHeaders == nil {
		meta.saramaHeaders = []sarama.RecordHeader{{Key: []byte(state.BatchHeader), Value: meta.seq}}
	}
	m := &sarama.ProducerMessage{Topic: topic, Key: sarama.StringEncoder(key), Headers: meta.saramaHeaders, Metadata: meta}
	if value != nil {
		m.Value = sarama.ByteEncoder(value)
	}
	select {
	case w.e.producer.Input() <- m:
	case <-w.e.failed:
	}
}

// acked completes a record of meta's batch: acknowledged at offset of
// topic, or failed with err, which fails the run.
func (e *engine[S]) acked(meta *produced, topic string, offset int64, err error) {
	if err == nil {
		meta.batch.ack(topic == e.table, offset)
		return
	}
	err = fmt.Errorf("producing to %s: %w", topic, err)
	if produceTransient(err) {
		err = transient(err)
	} else {
		err = fmt.Errorf("%w (the broker refuses this record; it is not retried)", err)
	}
	meta.batch.failed(err)
	e.abort(err)
}

// acknowledge completes batches as sarama's producer (under ExactlyOnce)
// reports on their records.
func (e *engine[S]) acknowledge() {
	successes, errs := e.producer.Successes(), e.producer.Errors()
	for successes != nil || errs != nil {
		select {
		case m, ok := <-successes:
			if !ok {
				successes = nil
				continue
			}
			e.acked(m.Metadata.(*produced), m.Topic, m.Offset, nil)
		case pe, ok := <-errs:
			if !ok {
				errs = nil
				continue
			}
			e.acked(pe.Msg.Metadata.(*produced), pe.Msg.Topic, -1, pe.Err)
		}
	}
}

// newOut returns the producer of a run without ExactlyOnce: franz-go's,
// much cheaper per record than sarama's async producer, which hands each
// record through four goroutines (BENCHMARKS.md, peers run E). Like
// sarama's it is idempotent (so a batch's changelog records reach the log
// once each and in order, see worker.mark), waits for every in-sync
// replica and compresses with LZ4 (kafkaclient.Config.JobProducer); it
// retries a record until the broker takes it or the run fails, and places
// records as goka does (see keyPartition).
func (e *engine[S]) newOut() (*kgo.Client, error) {
	opts, err := e.r.kafka.JobProducer()
	if err != nil {
		return nil, err
	}
	out, err := kgo.NewClient(append(opts, kgo.RecordPartitioner(kgoPartitioner{}))...)
	if err != nil {
		return nil, fmt.Errorf("producer: %w", err)
	}
	return out, nil
}

// partitioner sends a record to the partition it names (the changelog of
// the worker's own partition) and every other record by keyPartition, as
// goka's emitters do; kgoPartitioner does the same for franz-go.
type partitioner struct{}

func newPartitioner(string) sarama.Partitioner { return partitioner{} }

func (partitioner) Partition(m *sarama.ProducerMessage, n int32) (int32, error) {
	if pm, ok := m.Metadata.(*produced); ok && pm.partition >= 0 {
		return pm.partition, nil
	}
	var key []byte
	if m.Key != nil {
		var err error
		if key, err = m.Key.Encode(); err != nil {
			return -1, err
		}
	}
	return keyPartition(key, n), nil
}

func (partitioner) RequiresConsistency() bool { return true }

type kgoPartitioner struct{}

func (p kgoPartitioner) ForTopic(string) kgo.TopicPartitioner { return p }

func (kgoPartitioner) RequiresConsistency(*kgo.Record) bool { return true }

func (kgoPartitioner) Partition(r *kgo.Record, n int) int {
	if r.Partition >= 0 {
		return int(r.Partition)
	}
	return int(keyPartition(r.Key, int32(n)))
}

// keyPartition is the partition of key among n as goka's emitters place
// it: sarama's hash partitioner over goka's default hasher, FNV-1a, taking
// the hash as signed (franz-go's SaramaHasher does not, on 64-bit).
func keyPartition(key []byte, n int32) int32 {
	h := uint32(2166136261)
	for _, c := range key {
		h ^= uint32(c)
		h *= 16777619
	}
	p := int32(h) % n
	if p < 0 {
		p = -p
	}
	return p
}

// kgoRefusal is the Kafka error a franz-go failure carries, if any, as
// sarama names it, so that one rule set (kafkaTransient) judges both.
func kgoRefusal(err error) (sarama.KError, bool) {
	var ke *kerr.Error
	if errors.As(err, &ke) {
		return sarama.KError(ke.Code), true
	}
	return 0, false
}
