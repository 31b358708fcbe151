//go:build integration

package dedupe_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ripplestream/ripple/internal/jobtest"
	"github.com/ripplestream/ripple/internal/kafkaclient"
	"github.com/ripplestream/ripple/internal/testenv"
	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/processor/dedupe"
	"github.com/ripplestream/ripple/state"
)

// record is one event produced with an explicit record timestamp, which
// the stage uses as its clock.
type record struct {
	key, id string
	value   []byte
	at      time.Time
}

// TestIntegrationDedupeIsExact runs the stage on the real broker over 10,000
// events on 100 keys, a quarter of them redeliveries of earlier ids of the
// same key (some within the 30 s TTL, some after it), plus malformed events,
// and compares what it emits with a model of the rule: per key, an id passes
// when it was not passed within the TTL before, in record-timestamp order.
func TestIntegrationDedupeIsExact(t *testing.T) {
	kc := testenv.Kafka(t)
	name := processor.Group(testenv.Name(t, "dedupe"))
	input, output := testenv.Name(t, "in"), testenv.Name(t, "out")
	testenv.CreateTopic(t, kc, input, 4)
	t.Cleanup(func() { deleteTopics(t, kc, name, output) })

	const ttl = 30 * time.Second
	recs, bad := dedupeWorkload(time.Now().Add(-10 * time.Minute).Truncate(time.Millisecond)) // Kafka keeps ms
	produce(t, kc, input, recs)

	job, err := dedupe.Job(dedupe.Config{Name: name, Input: processor.Stream(input), Output: processor.Stream(output), TTL: ttl})
	if err != nil {
		t.Fatal(err)
	}
	done := jobtest.Counter{Stream: processor.Stream(input)}
	r := jobtest.Start(t, job, processor.Config{Brokers: kc.Brokers, StateDir: t.TempDir(), MaxRetries: -1,
		Hooks: []processor.Hook{&done}})
	testenv.Eventually(t, 2*time.Minute, func() error {
		if n := done.N.Load(); n < int64(len(recs)) {
			return fmt.Errorf("processed %d of %d events (job health: %v)", n, len(recs), r.Healthy())
		}
		return nil
	})
	if err := r.Stop(); err != nil { // flushes the producer: the topics are complete after this
		t.Fatal(err)
	}

	want := map[string][]string{}
	last := map[string]time.Time{} // key+id -> when it last passed
	var again int                  // redeliveries after the TTL, which pass again
	for _, rec := range recs {
		if rec.id == "" {
			continue // malformed
		}
		k := rec.key + "/" + rec.id
		first, ok := last[k]
		if ok && rec.at.Sub(first) < ttl {
			continue
		}
		if ok {
			again++
		}
		last[k] = rec.at
		want[rec.key] = append(want[rec.key], rec.id)
	}
	got := map[string][]string{}
	var emitted int
	for _, m := range readAll(t, kc, output) {
		id, err := dedupe.MetaID(m.Value)
		if err != nil {
			t.Fatalf("emitted an unidentifiable event %q: %v", m.Value, err)
		}
		got[string(m.Key)] = append(got[string(m.Key)], id)
		emitted++
	}
	for key, ids := range want {
		if !slices.Equal(got[key], ids) {
			t.Fatalf("key %s: emitted %v,\nwant %v", key, got[key], ids)
		}
	}
	if len(got) != len(want) {
		t.Fatalf("emitted for %d keys, want %d", len(got), len(want))
	}
	errs := readAll(t, kc, string(name)+".error")
	if len(errs) != bad {
		t.Fatalf("%d error records, want %d", len(errs), bad)
	}
	for _, m := range errs {
		var rec processor.ErrorRecord
		if err := json.Unmarshal(m.Value, &rec); err != nil || !strings.HasPrefix(rec.Message, "dedupe: ") || rec.RawEvent == "" {
			t.Fatalf("error record %s (%v): want a dedupe reason and the raw event", m.Value, err)
		}
	}
	if again == 0 {
		t.Fatal("the workload has no redelivery after the TTL")
	}
	t.Logf("%d events (%d malformed): %d emitted (%d of them redeliveries after the TTL), %d duplicates dropped",
		len(recs), bad, emitted, again, len(recs)-bad-emitted)
}

// TestIntegrationDedupeExpiresQuietKeys runs the stage on the real broker
// over 2,000 live events (record timestamps of now) on 500 keys with a 2 s
// TTL, and checks that expiry timers delete every key's state once its ids
// expire although no further event arrives: the last record of each key in
// the changelog is a tombstone.
func TestIntegrationDedupeExpiresQuietKeys(t *testing.T) {
	kc := testenv.Kafka(t)
	name := processor.Group(testenv.Name(t, "dedupe-expiry"))
	input, output := testenv.Name(t, "in"), testenv.Name(t, "out")
	testenv.CreateTopic(t, kc, input, 4)
	t.Cleanup(func() { deleteTopics(t, kc, name, output) })

	job, err := dedupe.Job(dedupe.Config{Name: name, Input: processor.Stream(input), Output: processor.Stream(output),
		TTL: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	done := jobtest.Counter{Stream: processor.Stream(input)}
	r := jobtest.Start(t, job, processor.Config{Brokers: kc.Brokers, StateDir: t.TempDir(), MaxRetries: -1,
		Hooks: []processor.Hook{&done}})

	const events, keys = 2000, 500
	recs := make([]testenv.Record, events)
	for i := range recs {
		recs[i] = testenv.Record{Key: fmt.Appendf(nil, "K%d", i%keys), Value: fmt.Appendf(nil, `{"meta":{"id":"id-%d"}}`, i%(2*keys))}
	}
	testenv.Produce(t, kc, input, recs)
	testenv.Eventually(t, 2*time.Minute, func() error {
		if n := done.N.Load(); n < events {
			return fmt.Errorf("processed %d of %d events (job health: %v)", n, events, r.Healthy())
		}
		return nil
	})
	start := time.Now()
	testenv.Eventually(t, 2*time.Minute, func() error {
		last := map[string][]byte{}
		for _, m := range readAll(t, kc, string(name)+"-table") {
			if string(m.Key) != state.InputsKey { // the input offsets, not a key's state
				last[string(m.Key)] = m.Value
			}
		}
		live := 0
		for _, v := range last {
			if v != nil {
				live++
			}
		}
		if len(last) != keys || live > 0 {
			return fmt.Errorf("changelog: %d keys, %d of them not deleted", len(last), live)
		}
		return nil
	})
	t.Logf("all %d keys deleted %v after the last event was processed (TTL 2 s)", keys, time.Since(start).Round(100*time.Millisecond))
	if got := len(readAll(t, kc, output)); got != events/2 {
		t.Fatalf("%d events emitted, want %d (each id twice under one key)", got, events/2)
	}
}

// dedupeWorkload returns 10,000 events 10 ms apart from base on keys K0..K99
// and how many of them are malformed.
func dedupeWorkload(base time.Time) (recs []record, bad int) {
	rng := rand.New(rand.NewPCG(7, 7))
	history := map[string][]record{}
	malformed := []string{`{"meta":`, `{"meta":{"stream":"x"}}`, "{\"meta\":{\"id\":\"\xff\"}}", `{"meta":{"id":7}}`}
	for i := range 10_000 {
		key := fmt.Sprintf("K%d", rng.IntN(100))
		at := base.Add(time.Duration(i) * 10 * time.Millisecond)
		if i%250 == 0 {
			recs = append(recs, record{key: key, value: []byte(malformed[bad%len(malformed)]), at: at})
			bad++
			continue
		}
		id := fmt.Sprintf("id-%d", i)
		if h := history[key]; len(h) > 0 && rng.IntN(4) == 0 {
			id = h[rng.IntN(len(h))].id // a redelivery, recent or old
		}
		rec := record{key: key, id: id, at: at,
			value: fmt.Appendf(nil, `{"$schema":"/test/1.0.0","meta":{"stream":"in","id":%q,"dt":%q},"n":%d}`, id, at.Format(time.RFC3339Nano), i)}
		history[key] = append(history[key], rec)
		recs = append(recs, rec)
	}
	return recs, bad
}

// deleteTopics deletes the topics of the dedupe job name and its output.
func deleteTopics(t *testing.T, kc kafkaclient.Config, name processor.Group, output string) {
	timers := string(processor.TimerStream(name))
	testenv.DeleteTopics(t, kc, string(name)+"-table", string(name)+".error", output,
		timers, timers+".ready", string(name)+".timers-loop")
}

// produce writes recs in order with their timestamps.
func produce(t *testing.T, kc kafkaclient.Config, topic string, recs []record) {
	t.Helper()
	out := make([]testenv.Record, len(recs))
	for i, r := range recs {
		out[i] = testenv.Record{Key: []byte(r.key), Value: r.value, Timestamp: r.at}
	}
	testenv.Produce(t, kc, topic, out)
}

func readAll(t *testing.T, kc kafkaclient.Config, topic string) []testenv.Record {
	return testenv.ReadAll(t, kc, topic)
}
