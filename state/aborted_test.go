package state

import (
	"testing"

	"github.com/IBM/sarama"
)

// TestAbortedSkipsAbortedTransactions reads a fetch as Kafka lays it out:
// producer 7 commits a transaction, producer 9 aborts one interleaved with
// it, then producer 9 commits another; only 9's aborted batches are
// skipped.
func TestAbortedSkipsAbortedTransactions(t *testing.T) {
	data := func(producer, first int64) *sarama.RecordBatch {
		return &sarama.RecordBatch{ProducerID: producer, FirstOffset: first, IsTransactional: true,
			Records: []*sarama.Record{{Key: []byte("k")}}}
	}
	marker := func(producer, offset int64, commit bool) *sarama.RecordBatch {
		kind := byte(0)
		if commit {
			kind = 1
		}
		return &sarama.RecordBatch{ProducerID: producer, FirstOffset: offset, IsTransactional: true, Control: true,
			Records: []*sarama.Record{{Key: []byte{0, 0, 0, kind}}}}
	}
	a := abortedTransactions(&sarama.FetchResponseBlock{AbortedTransactions: []*sarama.AbortedTransaction{
		{ProducerID: 9, FirstOffset: 1},
	}})
	for _, c := range []struct {
		batch *sarama.RecordBatch
		skip  bool
	}{
		{data(7, 0), false},
		{data(9, 1), true},
		{data(7, 2), false},
		{data(9, 3), true},
		{marker(9, 4, false), true},
		{marker(7, 5, true), true},
		{data(9, 6), false}, // after the abort marker: a new transaction
		{marker(9, 7, true), true},
		{&sarama.RecordBatch{ProducerID: 9, FirstOffset: 8, Records: []*sarama.Record{{Key: []byte("k")}}}, false},
	} {
		if got := a.skip(c.batch); got != c.skip {
			t.Errorf("batch of producer %d at %d (control %v): skip = %v, want %v",
				c.batch.ProducerID, c.batch.FirstOffset, c.batch.Control, got, c.skip)
		}
	}
}
