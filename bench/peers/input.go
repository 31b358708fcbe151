package main

import (
	"context"
	"fmt"
	"time"

	"github.com/IBM/sarama"

	"github.com/lovoo/goka"
	"github.com/lovoo/goka/codec"

	"github.com/ripplestream/ripple/internal/kafkaclient"
)

// inputSpec describes the input: N events on Keys keys, in turn; in each
// pass over the keys, one key in ten repeats its previous meta.id (a
// redelivery the dedupe job drops), a different tenth each pass.
type inputSpec struct {
	Events, Keys int
}

// generator makes the input's events in order.
type generator struct {
	spec inputSpec
	last map[int]int // key index -> its previous id
	i    int
}

func newGenerator(spec inputSpec) *generator {
	return &generator{spec: spec, last: make(map[int]int, spec.Keys)}
}

// next returns the next event's key, meta.id and value, its dt being t.
func (g *generator) next(t time.Time) (key, id string, value []byte) {
	i := g.i
	g.i++
	k := i % g.spec.Keys
	n := i
	if prev, ok := g.last[k]; ok && (k+i/g.spec.Keys)%10 == 3 {
		n = prev
	}
	g.last[k] = n
	key = fmt.Sprintf("K%d", k)
	id = fmt.Sprintf("00000000-0000-4000-8000-%012d", n)
	dt := t.UTC().Format(time.RFC3339Nano)
	value = fmt.Appendf(nil, `{"meta":{"stream":"peers.in","id":%q,"dt":%q},"dt":%q,"page":%q,"bytes":%d}`, id, dt, dt, key, i)
	return key, id, value
}

// produceAll writes spec.Events events to topic as fast as the emitter
// goes, their dt spread evenly over the ten minutes before start, so the
// window job sees its keys move through ten one-minute windows.
func produceAll(kc kafkaclient.Config, topic string, spec inputSpec) error {
	em, err := goka.NewEmitter(kc.Brokers, goka.Stream(topic), new(codec.Bytes), kc.EmitterOptions()...)
	if err != nil {
		return err
	}
	g := newGenerator(spec)
	start := time.Now().Add(-10 * time.Minute)
	step := 10 * time.Minute / time.Duration(spec.Events)
	for i := range spec.Events {
		key, _, v := g.next(start.Add(time.Duration(i) * step))
		if _, err := em.Emit(key, v); err != nil {
			em.Finish()
			return err
		}
	}
	return em.Finish()
}

// sent records when each event of a paced input was handed to the producer.
type sent struct {
	byID  map[string]time.Time   // first send of each meta.id
	byKey map[string][]time.Time // each key's sends, in order
}

// producePaced writes events to topic at rate a second until ctx ends or
// n events were written, and records their send times. Its producer
// sends every millisecond rather than batching for goka's 100 ms, which
// would add up to that to every engine's latency.
func producePaced(ctx context.Context, kc kafkaclient.Config, topic string, spec inputSpec, rate, n int) (*sent, error) {
	sc := kc.Sarama()
	sc.Producer.Flush.Frequency, sc.Producer.Flush.Bytes, sc.Producer.Flush.Messages = time.Millisecond, 0, 0
	sc.Producer.Return.Successes, sc.Producer.Return.Errors = false, true
	p, err := withDeadline(adminDeadline, "connecting a producer", func() (sarama.AsyncProducer, error) {
		return sarama.NewAsyncProducer(kc.Brokers, sc)
	})
	if err != nil {
		return nil, err
	}
	var errs []error
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		for e := range p.Errors() {
			errs = append(errs, e)
		}
	}()
	s := &sent{byID: map[string]time.Time{}, byKey: map[string][]time.Time{}}
	g := newGenerator(spec)
	start := time.Now()
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for i := 0; i < n && ctx.Err() == nil; {
		<-tick.C
		due := int(time.Since(start).Seconds() * float64(rate))
		for ; i < due && i < n; i++ {
			now := time.Now()
			key, id, v := g.next(now)
			if _, ok := s.byID[id]; !ok {
				s.byID[id] = now
			}
			s.byKey[key] = append(s.byKey[key], now)
			p.Input() <- &sarama.ProducerMessage{Topic: topic, Key: sarama.StringEncoder(key), Value: sarama.ByteEncoder(v)}
		}
	}
	p.AsyncClose()
	select {
	case <-drained:
	case <-time.After(adminDeadline):
		return nil, fmt.Errorf("the latency input's producer did not flush within %v", adminDeadline)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%d of %d sends failed, the first: %w", len(errs), n, errs[0])
	}
	return s, ctx.Err()
}
