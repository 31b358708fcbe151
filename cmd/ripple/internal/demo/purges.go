package demo

import (
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/IBM/sarama"

	"github.com/ripplestream/ripple/deps/propagate"
	"github.com/ripplestream/ripple/processor/embedded"
)

// receiver reads the purge stream as a CDN purger would, from the start
// of every partition, and notes when each purge arrives.
type receiver struct {
	consumer sarama.Consumer
	parts    []sarama.PartitionConsumer
	wg       sync.WaitGroup
	mu       struct {
		sync.Mutex
		purges  []propagate.ResourceChange
		latency []time.Duration // arrival minus root_event.dt, per purge
		err     error
	}
}

func receive(b *embedded.Broker, topic string) (*receiver, error) {
	c, err := sarama.NewConsumer(b.Addrs(), clientOf(b).Sarama())
	if err != nil {
		return nil, fmt.Errorf("demo: purge consumer: %w", err)
	}
	parts, err := c.Partitions(topic)
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("demo: partitions of %s: %w", topic, err)
	}
	r := &receiver{consumer: c}
	for _, p := range parts {
		pc, err := c.ConsumePartition(topic, p, sarama.OffsetOldest)
		if err != nil {
			r.Close()
			return nil, fmt.Errorf("demo: reading %s/%d: %w", topic, p, err)
		}
		r.parts = append(r.parts, pc)
		r.wg.Add(2) // until Close: AsyncClose closes both channels
		go func() {
			defer r.wg.Done()
			for m := range pc.Messages() {
				r.add(m.Value, time.Now())
			}
		}()
		go func() {
			defer r.wg.Done()
			for err := range pc.Errors() {
				r.fail(err)
			}
		}()
	}
	return r, nil
}

// Close stops reading and waits for the readers.
func (r *receiver) Close() {
	for _, pc := range r.parts {
		pc.AsyncClose()
	}
	r.wg.Wait()
	r.consumer.Close()
}

func (r *receiver) fail(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.mu.err == nil {
		r.mu.err = fmt.Errorf("demo: reading purges: %w", err)
	}
}

func (r *receiver) add(value []byte, at time.Time) {
	var rc propagate.ResourceChange
	err := json.Unmarshal(value, &rc)
	if err == nil && rc.RootEvent == nil {
		err = fmt.Errorf("purge of %s without root_event", rc.Meta.URI)
	}
	if err != nil {
		r.fail(err)
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.mu.purges = append(r.mu.purges, rc)
	r.mu.latency = append(r.mu.latency, at.Sub(rc.RootEvent.DT))
}

// received returns how many purges have arrived so far.
func (r *receiver) received() (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.mu.purges), r.mu.err
}

// result returns the purges received and their latencies.
func (r *receiver) result() ([]propagate.ResourceChange, []time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.mu.purges, r.mu.latency
}
