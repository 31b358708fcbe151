//go:build integration

package state_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/ripplestream/ripple/internal/kafkaclient"
	"github.com/ripplestream/ripple/internal/testenv"
	"github.com/ripplestream/ripple/state"
)

// changelog is a single-partition topic with the model of what replaying
// it must give.
type changelog struct {
	kc    kafkaclient.Config
	topic string
	model map[string]string
}

func newChangelog(t *testing.T) *changelog {
	kc := testenv.Kafka(t)
	topic := testenv.Name(t, "restore")
	testenv.CreateTopic(t, kc, topic, 1)
	return &changelog{kc: kc, topic: topic, model: map[string]string{}}
}

// write produces n random sets and deletes over keys key-0 .. key-(keys-1)
// with codec, in produce batches of batch records, and updates the model.
func (c *changelog) write(t *testing.T, rng *rand.Rand, codec sarama.CompressionCodec, n, keys, batch int) {
	t.Helper()
	sc := c.kc.Sarama()
	sc.Producer.Compression = codec
	sc.Producer.Return.Successes = true
	p, err := sarama.NewSyncProducer(c.kc.Brokers, sc)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for sent := 0; sent < n; {
		var msgs []*sarama.ProducerMessage
		for ; sent < n && len(msgs) < batch; sent++ {
			key := fmt.Sprintf("key-%d", rng.IntN(keys))
			m := &sarama.ProducerMessage{Topic: c.topic, Key: sarama.StringEncoder(key)}
			if rng.IntN(5) == 0 {
				delete(c.model, key) // a tombstone: nil value
			} else {
				v := fmt.Sprintf("%s=%d/%x", key, sent, rng.Uint64())
				m.Value = sarama.StringEncoder(v)
				c.model[key] = v
			}
			msgs = append(msgs, m)
		}
		if err := p.SendMessages(msgs); err != nil {
			t.Fatal(err)
		}
	}
}

// restore replays the changelog into st and checks st against the model
// and the stored offset against the topic's end.
func (c *changelog) restore(t *testing.T, st *state.Store) {
	t.Helper()
	client, err := sarama.NewClient(c.kc.Brokers, c.kc.Sarama())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	hwm, err := client.GetOffset(c.topic, 0, sarama.OffsetNewest)
	if err != nil {
		t.Fatal(err)
	}
	var lastLeft int64 = -1
	if _, err := state.Restore(context.Background(), client, c.topic, 0, st, func(n int64) { lastLeft = n }); err != nil {
		t.Fatalf("Restore: %v", err)
	}
	if off, err := st.GetOffset(-1); err != nil || off != hwm-1 {
		t.Fatalf("stored offset = %d, %v; want %d (the topic's last offset)", off, err, hwm-1)
	}
	if lastLeft != 0 && lastLeft != -1 {
		t.Errorf("the last progress report said %d records left, want 0", lastLeft)
	}
	got := map[string]string{}
	it, err := st.Iterator()
	if err != nil {
		t.Fatal(err)
	}
	for it.Next() {
		v, err := it.Value()
		if err != nil {
			t.Fatal(err)
		}
		got[string(it.Key())] = string(v)
	}
	it.Release()
	if len(got) != len(c.model) {
		t.Errorf("restored %d keys, want %d", len(got), len(c.model))
	}
	for k, want := range c.model {
		if got[k] != want {
			t.Fatalf("key %s = %q, want %q", k, got[k], want)
		}
	}
}

// TestIntegrationRestore replays a changelog of sets and tombstones written
// with every compression codec, in batches of many sizes, into an empty
// store, then resumes a reopened store from its offset after more writes.
func TestIntegrationRestore(t *testing.T) {
	c := newChangelog(t)
	rng := rand.New(rand.NewPCG(1, 2))
	for _, codec := range []sarama.CompressionCodec{sarama.CompressionNone, sarama.CompressionLZ4,
		sarama.CompressionZSTD, sarama.CompressionGZIP, sarama.CompressionSnappy} {
		c.write(t, rng, codec, 6_000, 2_000, 1+rng.IntN(3_000))
	}
	dir := t.TempDir()
	st := openStore(t, state.Config{Dir: dir})
	c.restore(t, st)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	c.write(t, rng, sarama.CompressionLZ4, 5_000, 3_000, 700)
	st = openStore(t, state.Config{Dir: dir})
	defer st.Close()
	c.restore(t, st)
	c.restore(t, st) // up to date: nothing to do, and still right
}

// TestIntegrationRestoreTransactional ends the changelog with the commit
// marker of a transaction, an offset no record is delivered for: Restore
// must still finish and store the topic's last offset.
func TestIntegrationRestoreTransactional(t *testing.T) {
	c := newChangelog(t)
	rng := rand.New(rand.NewPCG(3, 4))
	c.write(t, rng, sarama.CompressionLZ4, 3_000, 500, 1_000)

	sc := c.kc.Sarama()
	sc.Producer.Idempotent = true
	sc.Producer.RequiredAcks = sarama.WaitForAll
	sc.Producer.Return.Successes = true
	sc.Producer.Transaction.ID = testenv.Name(t, "txn")
	sc.Net.MaxOpenRequests = 1
	p, err := sarama.NewSyncProducer(c.kc.Brokers, sc)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := p.BeginTxn(); err != nil {
		t.Fatal(err)
	}
	var msgs []*sarama.ProducerMessage
	for i := range 200 {
		key, v := fmt.Sprintf("key-%d", i), fmt.Sprintf("txn-%d", i)
		msgs = append(msgs, &sarama.ProducerMessage{Topic: c.topic, Key: sarama.StringEncoder(key), Value: sarama.StringEncoder(v)})
		c.model[key] = v
	}
	if err := p.SendMessages(msgs); err != nil {
		t.Fatal(err)
	}
	if err := p.CommitTxn(); err != nil {
		t.Fatal(err)
	}
	st := openStore(t, state.Config{Dir: t.TempDir()})
	defer st.Close()
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.restore(t, st)
	}()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatal("Restore did not finish on a changelog that ends with a transaction marker")
	}
}

// TestIntegrationRestoreCancel stops a restore when its context is
// cancelled, with an error that says so, and leaves the store usable.
func TestIntegrationRestoreCancel(t *testing.T) {
	c := newChangelog(t)
	c.write(t, rand.New(rand.NewPCG(5, 6)), sarama.CompressionLZ4, 20_000, 20_000, 5_000)
	client, err := sarama.NewClient(c.kc.Brokers, c.kc.Sarama())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	st := openStore(t, state.Config{Dir: t.TempDir()})
	defer st.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := state.Restore(ctx, client, c.topic, 0, st, nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("Restore with a cancelled context = %v, want context.Canceled", err)
	}
	c.restore(t, st) // a later restore completes it
}
