package changeprop_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ripplestream/ripple/deps"
	"github.com/ripplestream/ripple/deps/pebblestore"
	"github.com/ripplestream/ripple/deps/propagate"
	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/internal/jobtest"
	"github.com/ripplestream/ripple/internal/testenv"
	"github.com/ripplestream/ripple/jobs/changeprop"
	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/processor/embedded"
	"github.com/ripplestream/ripple/schemas"
)

// flakyStore fails its first PutPage calls as a store outage would.
type flakyStore struct {
	deps.Store
	failures atomic.Int32
}

func (s *flakyStore) PutPage(ctx context.Context, p deps.PageDeps) (deps.PutResult, error) {
	if s.failures.Add(-1) >= 0 {
		return deps.PutResult{}, errors.New("flaky store: unavailable")
	}
	return s.Store.PutPage(ctx, p)
}

// TestEveryRecordValidates runs the fan-out job on the in-process broker
// and reads back what it wrote besides purges: the retry records of a
// store outage, the loopback records of a paged walk and the error record
// of a wrong-shape event. Each is valid against the schema its $schema
// names in ripple's repository.
func TestEveryRecordValidates(t *testing.T) {
	b, err := embedded.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	pebble, err := pebblestore.Open(pebblestore.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer pebble.Close()
	store := &flakyStore{Store: pebble}
	store.failures.Store(2)
	cfg := changeprop.Config{Name: "records", Store: store, Engine: propagate.Config{BatchSize: 1}, CoalesceWindow: -1}
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, s := range []processor.Stream{cfg.Dependencies, cfg.PageChanges, cfg.EntityChanges} {
		if err := b.CreateTopic(string(s), 1); err != nil {
			t.Fatal(err)
		}
	}
	fan, _, err := changeprop.Jobs(cfg)
	if err != nil {
		t.Fatal(err)
	}
	jobtest.Start(t, fan, processor.Config{Brokers: b.Addrs(), KafkaVersion: embedded.KafkaVersion,
		StateDir: t.TempDir(), RetryDelay: time.Millisecond, MaxRetryDelay: time.Millisecond})

	record := func(key string, v any) embedded.Record {
		data, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return embedded.Record{Key: key, Value: data}
	}
	sets := []embedded.Record{record("enwiki:Template:T", depsEvent("Template:T", 10, 1))}
	for i := range 3 {
		title := fmt.Sprintf("Page_%d", i)
		sets = append(sets, record("enwiki:"+title, depsEvent(title, 0, 1, "Template:T")))
	}
	if err := b.Produce(string(cfg.Dependencies), sets...); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, 60*time.Second, func() error {
		for _, title := range []string{"Template:T", "Page_0", "Page_1", "Page_2"} {
			if _, ok, err := pebble.Page(context.Background(), "enwiki", title); err != nil || !ok {
				return fmt.Errorf("%s not stored yet (%v)", title, err)
			}
		}
		return nil
	})
	noPage := pageChange("edit", "Template:T", 10, time.Now().UTC())
	delete(noPage, "page")
	if err := b.Produce(string(cfg.PageChanges),
		record("enwiki:Template:T", pageChange("edit", "Template:T", 10, time.Now().UTC())),
		record("enwiki:Template:T", noPage)); err != nil {
		t.Fatal(err)
	}

	repo, err := event.OpenRepositoryFS(schemas.FS())
	if err != nil {
		t.Fatal(err)
	}
	topics := []struct {
		topic, schema string
		min           int
	}{
		{string(cfg.Name) + ".retry." + string(cfg.Dependencies), "/ripple/retry/1.0.0", 2},
		{string(fan.LoopStream()), changeprop.ContinueSchema, 3},
		{string(cfg.Name) + ".error", "/ripple/error/1.1.0", 1},
		{string(cfg.CandidatesStream()), "", 4},
	}
	for _, tp := range topics {
		testenv.Eventually(t, 60*time.Second, func() error {
			if n, err := b.Count(tp.topic); err != nil || n < int64(tp.min) {
				return fmt.Errorf("%s: %d records (%v), want at least %d", tp.topic, n, err, tp.min)
			}
			return nil
		})
		if tp.schema == "" {
			continue
		}
		recs, err := b.Consume(tp.topic)
		if err != nil {
			t.Fatal(err)
		}
		for _, rec := range recs {
			env, err := event.PeekEnvelope(rec.Value)
			if err != nil || env.Schema != tp.schema {
				t.Errorf("%s: $schema %q (%v), want %s", tp.topic, env.Schema, err, tp.schema)
			}
			if err := repo.Validate(rec.Value); err != nil {
				t.Errorf("%s: %v\n%s", tp.topic, err, rec.Value)
			}
		}
		t.Logf("%s: %d records valid against %s", tp.topic, len(recs), tp.schema)
	}
}
