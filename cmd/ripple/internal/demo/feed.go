package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"
	"time"

	"github.com/IBM/sarama"

	"github.com/ripplestream/ripple/deps"
	depsworkload "github.com/ripplestream/ripple/deps/workload"
	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/internal/kafkaclient"
	"github.com/ripplestream/ripple/jobs/changeprop"
	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/processor/embedded"
)

// line is a workload line on its way to the jobs.
type line struct {
	n      int // its number in the workload, from 1
	stream processor.Stream
	key    string
	value  []byte
	dt     []byte // the line's event time as its JSON holds it, quoted
	change bool
	// sig is the signature of the change's root_event ("wiki:title" or
	// "wiki:entity"), which its purges carry.
	sig string
}

// inputOf is what the demo reads of an input line to route and key it.
type inputOf struct {
	event.Envelope
	Wiki   string `json:"wiki_id"`
	Entity string `json:"entity_id"`
	Page   struct {
		Title string `json:"page_title"`
	} `json:"page"`
}

// routed returns the workload's lines [from, to) with their streams and
// keys, as producers key them for the job (changeprop.PageKey).
func routed(cp changeprop.Config, w *depsworkload.Workload, from, to int) ([]line, error) {
	out := make([]line, 0, to-from)
	for i := from; i < to; i++ {
		var in inputOf
		if err := json.Unmarshal(w.Lines[i], &in); err != nil {
			return nil, fmt.Errorf("demo: workload line %d: %w", i+1, err)
		}
		l := line{n: i + 1, stream: cp.PageChanges, key: changeprop.PageKey(in.Wiki, in.Page.Title), value: w.Lines[i], change: true}
		l.sig = l.key
		switch in.Schema {
		case deps.DependenciesSchema:
			l.stream, l.change = cp.Dependencies, false
		case deps.EntityChangeSchema:
			l.stream, l.key, l.sig = cp.EntityChanges, in.Entity, in.Wiki+":"+in.Entity
		}
		l.dt, _ = w.Times[i].MarshalJSON()
		if !bytes.Contains(l.value, l.dt) {
			return nil, fmt.Errorf("demo: workload line %d lacks its event time %s", i+1, l.dt)
		}
		out = append(out, l)
	}
	return out, nil
}

// tally is a job's EventHook: what it has handled, of it the changes (of
// changeStreams), and what that emitted.
type tally struct {
	changeStreams                     []processor.Stream
	handled, changes, emitted, failed atomic.Int64
}

func (t *tally) OnEvent(e processor.EventInfo) {
	t.handled.Add(1)
	t.emitted.Add(int64(e.Emitted))
	if slices.Contains(t.changeStreams, e.Stream) {
		t.changes.Add(1)
	}
	if e.Outcome == processor.OutcomeRetry || e.Outcome == processor.OutcomeError {
		t.failed.Add(1)
	}
}

// feeder produces lines to the jobs and waits for them to finish.
type feeder struct {
	producer sarama.SyncProducer
	fan, co  *tally
	produced int64
	stopped  [2]<-chan struct{} // closed when a job has stopped
}

func newFeeder(b *embedded.Broker, fan, co *tally, stopped [2]<-chan struct{}) (*feeder, error) {
	sc := clientOf(b).Sarama()
	sc.Producer.Partitioner = sarama.NewHashPartitioner // goka's: keys land where the jobs expect
	p, err := sarama.NewSyncProducer(b.Addrs(), sc)
	if err != nil {
		return nil, fmt.Errorf("demo: producer: %w", err)
	}
	return &feeder{producer: p, fan: fan, co: co, stopped: stopped}, nil
}

func (f *feeder) Close() error { return f.producer.Close() }

// send produces lines, each stamped with the time it is produced (its dt
// and meta.dt, a microsecond apart within one call so that two changes
// of a page never share a time). Its purges carry the stamp as their
// root_event.dt, which the latency is measured from. It returns the
// stamps, as JSON.
func (f *feeder) send(lines []line) ([]string, error) {
	now := time.Now().UTC()
	stamps := make([]string, len(lines))
	msgs := make([]*sarama.ProducerMessage, len(lines))
	for i, l := range lines {
		b, _ := now.Add(time.Duration(i) * time.Microsecond).MarshalJSON()
		stamps[i] = string(b)
		msgs[i] = &sarama.ProducerMessage{Topic: string(l.stream), Key: sarama.StringEncoder(l.key),
			Value: sarama.ByteEncoder(bytes.ReplaceAll(l.value, l.dt, b))}
	}
	if err := f.producer.SendMessages(msgs); err != nil {
		return nil, fmt.Errorf("demo: producing: %w", err)
	}
	f.produced += int64(len(msgs))
	return stamps, nil
}

// pace sends lines at rate changes per second (re-parses go with the
// changes they follow), calling sent after each send.
func (f *feeder) pace(ctx context.Context, lines []line, rate float64, sent func(lines []line, stamps []string)) error {
	const tick = 10 * time.Millisecond
	t := time.NewTicker(tick)
	defer t.Stop()
	start := time.Now()
	next, changes := 0, 0
	for next < len(lines) {
		due := int(time.Since(start).Seconds()*rate) + 1
		end := next
		for end < len(lines) && (changes < due || !lines[end].change) {
			if lines[end].change {
				changes++
			}
			end++
		}
		if end > next {
			stamps, err := f.send(lines[next:end])
			if err != nil {
				return err
			}
			sent(lines[next:end], stamps)
			next = end
		}
		if err := f.check(); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("demo: producing the changes: %w", ctx.Err())
		case <-t.C:
		}
	}
	return nil
}

// settle waits until every record produced, and every record the fan-out
// emitted (loopback steps and purge candidates), has been handled. A
// job's hook counts an event with what it emitted at once, before those
// records reach Kafka, so the two sides are equal only when nothing is in
// flight. tick is called while it waits.
func (f *feeder) settle(ctx context.Context, tick func()) error {
	t := time.NewTicker(time.Millisecond)
	defer t.Stop()
	for f.fan.handled.Load()+f.co.handled.Load() < f.produced+f.fan.emitted.Load() {
		if err := f.check(); err != nil {
			return err
		}
		tick()
		select {
		case <-ctx.Done():
			return fmt.Errorf("demo: waiting for the jobs, which have handled %d of the %d events produced and %d emitted: %w",
				f.fan.handled.Load()+f.co.handled.Load(), f.produced, f.fan.emitted.Load(), ctx.Err())
		case <-t.C:
		}
	}
	return f.check()
}

// check reports a failed event or a stopped job.
func (f *feeder) check() error {
	if n := f.fan.failed.Load() + f.co.failed.Load(); n > 0 {
		return fmt.Errorf("demo: %d events failed; see the jobs' error topics", n)
	}
	select {
	case <-f.stopped[0]:
		return errors.New("demo: the fan-out job stopped")
	case <-f.stopped[1]:
		return errors.New("demo: the coalesce job stopped")
	default:
		return nil
	}
}

// clientOf is the configuration of the demo's own clients of b (its
// producer and purge consumer), at the protocol version b speaks.
func clientOf(b *embedded.Broker) kafkaclient.Config {
	return processor.Config{Brokers: b.Addrs(), KafkaVersion: embedded.KafkaVersion}.KafkaClient("ripple-demo")
}
