package main

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/IBM/sarama"

	"github.com/ripplestream/ripple/internal/kafkaclient"
)

// received is one output record and when the driver read it.
type received struct {
	key, value []byte
	at         time.Time
}

// outputReader reads every partition of a topic from the start.
type outputReader struct {
	consumer sarama.Consumer
	parts    []sarama.PartitionConsumer
	wg       sync.WaitGroup
	closed   bool
	mu       struct {
		sync.Mutex
		recs []received
	}
}

func readOutput(kc kafkaclient.Config, topic string, partitions int32) (*outputReader, error) {
	sc := kc.Sarama()
	sc.Consumer.MaxWaitTime = 5 * time.Millisecond
	c, err := withDeadline(adminDeadline, "connecting a consumer of "+topic, func() (sarama.Consumer, error) {
		return sarama.NewConsumer(kc.Brokers, sc)
	})
	if err != nil {
		return nil, err
	}
	r := &outputReader{consumer: c}
	for p := range partitions {
		pc, err := consumePartition(c, topic, p)
		if err != nil {
			r.close()
			return nil, err
		}
		r.parts = append(r.parts, pc)
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			for m := range pc.Messages() {
				now := time.Now()
				r.mu.Lock()
				r.mu.recs = append(r.mu.recs, received{m.Key, m.Value, now})
				r.mu.Unlock()
			}
		}()
	}
	return r, nil
}

// consumePartition starts reading partition p of topic from its start. A
// topic just created can still be unknown to the consumer's metadata, or
// led by another replica than it thinks ("not the leader"); that passes,
// so it retries for up to 30 s.
func consumePartition(c sarama.Consumer, topic string, p int32) (sarama.PartitionConsumer, error) {
	what := fmt.Sprintf("reading output %s/%d", topic, p)
	deadline := time.Now().Add(30 * time.Second)
	for {
		pc, err := withDeadline(adminDeadline, what, func() (sarama.PartitionConsumer, error) {
			return c.ConsumePartition(topic, p, sarama.OffsetOldest)
		})
		if err == nil {
			return pc, nil
		}
		var kerr sarama.KError
		if !errors.As(err, &kerr) || time.Now().After(deadline) {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// len returns how many records were read so far.
func (r *outputReader) len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.mu.recs)
}

// close stops reading and returns what was read. A partition consumer's
// Messages channel closes only when that partition consumer is closed
// (closing the consumer alone leaves its readers waiting forever).
func (r *outputReader) close() ([]received, error) {
	if r.closed {
		return r.mu.recs, nil
	}
	r.closed = true
	for _, pc := range r.parts {
		pc.AsyncClose()
	}
	done := make(chan struct{})
	go func() { r.wg.Wait(); close(done) }()
	var err error
	select {
	case <-done:
	case <-time.After(adminDeadline):
		err = fmt.Errorf("the output's partition consumers did not close within %v", adminDeadline)
	}
	r.consumer.Close()
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.mu.recs, err
}

// latencies returns, for each output record whose input was sent at or
// after from, the time from that send to the record's read. The input of a
// count record (key, n) is the key's n-th event; that of a dedupe record is
// the first event with its meta.id. Other jobs have none.
func latencies(job string, s *sent, recs []received, from time.Time) []time.Duration {
	var out []time.Duration
	for _, r := range recs {
		var at time.Time
		switch job {
		case "count":
			ts := s.byKey[string(r.key)]
			if len(r.value) == 8 {
				if n := int(binary.BigEndian.Uint64(r.value)); n >= 1 && n <= len(ts) {
					at = ts[n-1]
				}
			}
		case "dedupe":
			var p struct {
				Meta struct {
					ID string `json:"id"`
				} `json:"meta"`
			}
			if json.Unmarshal(r.value, &p) == nil {
				at = s.byID[p.Meta.ID]
			}
		}
		if !at.IsZero() && !at.Before(from) {
			out = append(out, r.at.Sub(at))
		}
	}
	return out
}

// percentile returns the q-quantile (0..1) of ds, which it sorts.
func percentile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return ds[min(len(ds)-1, int(q*float64(len(ds))))]
}
