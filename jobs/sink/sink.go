package sink

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Record is one record of the input stream as Run hands it to a Store.
type Record struct {
	Topic     string
	Partition int32
	Offset    int64
	Key       []byte
	Value     []byte
	// Time is the record's Kafka timestamp.
	Time time.Time
}

// Batch is what Run hands to Store.Write: records of one topic and the
// offsets to store with them.
type Batch struct {
	// Topic is the input stream.
	Topic string
	// Records are in offset order per partition (partitions may
	// interleave). It may be empty when every record read was invalid.
	Records []Record
	// Next maps each partition the batch read to the offset after its last
	// record read, which the store must save with the records, in the same
	// transaction. It may cover records that are not in Records (the
	// invalid ones a previous Write rejected), so a store must take its
	// offsets from Next, never from Records.
	Next map[int32]int64
}

// Store is where a sink writes. It writes records and the offsets they
// reach atomically: after Write returns nil, Offsets reports Batch.Next
// for each partition of the batch; after Write fails, it reports what it
// reported before. That is what makes a sink exactly-once: it resumes from
// its own offsets, never from a consumer group's.
//
// Run calls a Store from one goroutine at a time. Run does not close it:
// whoever opened it does.
type Store interface {
	// Offsets returns the next offset to read of each partition of topic
	// that the store has written; a missing partition starts at the
	// beginning.
	Offsets(ctx context.Context, topic string) (map[int32]int64, error)
	// Write writes b. It returns *Invalid errors (one, or several joined
	// with errors.Join) for records it can never write, and then must have
	// written nothing: Run sends those to the error topic and calls Write
	// again without them. Any other error means the store is unavailable
	// and nothing was written: Run retries the same batch after a backoff.
	Write(ctx context.Context, b Batch) error
	// Close releases the store's connections.
	Close() error
}

// Invalid is the error a Store returns for a record it can never write;
// Run sends the record to the error topic with Err as the reason.
type Invalid struct {
	Record Record
	Err    error
}

// Reject returns the *Invalid error of rec, with a reason made by
// fmt.Errorf(format, args...).
func Reject(rec Record, format string, args ...any) *Invalid {
	return &Invalid{Record: rec, Err: fmt.Errorf(format, args...)}
}

func (e *Invalid) Error() string {
	return fmt.Sprintf("sink: record at offset %d of partition %d of %s (key %q): %v",
		e.Record.Offset, e.Record.Partition, e.Record.Topic, e.Record.Key, e.Err)
}

func (e *Invalid) Unwrap() error { return e.Err }

// Rejected returns the *Invalid errors in err's tree (through %w and
// errors.Join), in order.
func Rejected(err error) []*Invalid {
	var out []*Invalid
	var walk func(error)
	walk = func(err error) {
		if inv, ok := err.(*Invalid); ok {
			out = append(out, inv)
			return
		}
		switch u := err.(type) {
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				walk(e)
			}
		case interface{ Unwrap() error }:
			if e := u.Unwrap(); e != nil {
				walk(e)
			}
		}
	}
	if err != nil {
		walk(err)
	}
	return out
}

// ErrStopped is returned by Run of a Runner that ran already.
var ErrStopped = errors.New("sink: runner ran already: make a new one with New")

// Hook observes a sink for metrics (package sinkprom adapts it to
// Prometheus). Its methods are called from Run's goroutine and must not
// block.
type Hook interface {
	// Wrote is called after each batch the store took, with the records
	// written, those sent to the error topic, and how long Write took.
	Wrote(sink, topic string, written, rejected int, took time.Duration)
	// StoreFailed is called for each failed store call that Run retries.
	StoreFailed(sink, topic string, err error)
	// Lag reports the records of a partition after the store's offset, as
	// of the last fetch.
	Lag(sink, topic string, partition int32, records int64)
}
