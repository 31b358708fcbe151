//go:build integration

package redis_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ripplestream/ripple/internal/testenv"
	"github.com/ripplestream/ripple/jobs/sink"
	"github.com/ripplestream/ripple/jobs/sink/redis"
	"github.com/ripplestream/ripple/jobs/sink/sinktest"
	"github.com/ripplestream/ripple/processor"
)

// TestIntegrationLatestPageWithTTL sends real page_change events, several
// versions of each key, through a sink into a real Redis that keeps each
// key's latest page object with a TTL, stopping the sink once after a
// committed batch and once in the middle of one, and checks the values,
// their TTLs, the offsets, and the error topic.
func TestIntegrationLatestPageWithTTL(t *testing.T) {
	kc := testenv.Kafka(t)
	addr := testenv.Redis(t)
	topic := testenv.Name(t, "page-change")
	testenv.CreateTopic(t, kc, topic, 3)
	name := testenv.Name(t, "redissink")
	t.Cleanup(func() { testenv.DeleteTopics(t, kc, name+".error") })

	events := sinktest.PageChanges(t, "../testdata/page_change_events")
	recs := sinktest.Versions(t, events, 20, 3)
	bad := []sink.Record{
		{Key: []byte("bad:1"), Value: []byte("not json")},
		{Key: []byte("bad:2"), Value: []byte(`{"meta": {"stream": "no page"}}`)},
		{Key: []byte("bad:3"), Value: []byte(`{"page": {"page_id": 1}}}`)},
		{Key: []byte("bad:4"), Value: []byte(`[{"page": {"page_id": 1}}]`)},
	}
	recs = append(recs[:100:100], append(bad, recs[100:]...)...)
	var produce []testenv.Record
	for _, r := range recs {
		produce = append(produce, testenv.Record{Key: r.Key, Value: r.Value})
	}
	testenv.Produce(t, kc, topic, produce)

	ctx := context.Background()
	const ttl = 10 * time.Minute
	prefix := name + ":"
	offsetsKey := "offsets:" + name // not the default, and outside prefix
	store, err := redis.Open(ctx, redis.Config{Name: name, Addr: addr, KeyPrefix: prefix, ValuePointer: "/page", TTL: ttl, OffsetsKey: offsetsKey})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	rc := store.Client()
	t.Cleanup(func() {
		keys, _ := rc.Keys(context.Background(), prefix+"*").Result()
		rc.Del(context.Background(), append(keys, offsetsKey, redis.DefaultOffsetsKey(name))...)
	})

	scfg := sink.Config{Name: name, Input: processor.Stream(topic), Brokers: kc.Brokers, BatchSize: 30, BatchWait: 20 * time.Millisecond}
	// Stop after the second batch is committed, then in the middle of the
	// second batch of the next run, then run to the end.
	sinktest.RunWithStops(t, scfg, store, int64(len(recs)), &sinktest.Stopper{N: 2}, &sinktest.Stopper{N: 2, Before: true})

	var read []sink.Record
	for _, r := range testenv.ReadAll(t, kc, topic) {
		read = append(read, sink.Record{Partition: r.Partition, Offset: r.Offset, Key: r.Key, Value: r.Value})
	}
	want := sinktest.LatestByKey(read, func(k string) bool { return strings.HasPrefix(k, "bad:") })
	keys, err := rc.Keys(ctx, prefix+"*").Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != len(want) {
		t.Errorf("%d keys, want %d", len(keys), len(want))
	}
	for k, w := range want {
		got, err := rc.Get(ctx, prefix+k).Result()
		if err != nil {
			t.Errorf("key %s: %v", k, err)
			continue
		}
		var e struct {
			Page any `json:"page"`
		}
		var page any
		_ = json.Unmarshal(w.Value, &e)
		if err := json.Unmarshal([]byte(got), &page); err != nil || !reflect.DeepEqual(page, e.Page) {
			t.Errorf("key %s holds %s, want the page of the latest version, at %d/%d", k, got, w.Partition, w.Offset)
		}
		left, err := rc.PTTL(ctx, prefix+k).Result()
		if err != nil || left <= 0 || left > ttl {
			t.Errorf("key %s: TTL %v (%v), want in (0, %v]", k, left, err, ttl)
		}
	}

	if n, err := rc.HLen(ctx, offsetsKey).Result(); err != nil || n != 3 {
		t.Errorf("the offsets hash %s has %d fields (%v), want one per partition, 3", offsetsKey, n, err)
	}
	if n, _ := rc.Exists(ctx, redis.DefaultOffsetsKey(name)).Result(); n != 0 {
		t.Errorf("the sink wrote the default offsets key %s besides %s", redis.DefaultOffsetsKey(name), offsetsKey)
	}

	found := map[string]string{}
	testenv.Eventually(t, time.Minute, func() error {
		for _, r := range testenv.ReadAll(t, kc, name+".error") {
			rec, raw, err := processor.DecodeErrorRecord(r.Value)
			if err != nil {
				return err
			}
			for _, b := range bad {
				if string(b.Value) == string(raw) && rec.Key == string(b.Key) {
					found[rec.Key] = rec.Message
				}
			}
		}
		if len(found) != len(bad) {
			return fmt.Errorf("%d of %d invalid events in the error topic", len(found), len(bad))
		}
		return nil
	})
	if !strings.Contains(found["bad:1"], "not JSON") || !strings.Contains(found["bad:2"], "no value at /page") ||
		!strings.Contains(found["bad:3"], "not one JSON value") || !strings.Contains(found["bad:4"], "not a JSON object") {
		t.Errorf("reasons %q", found)
	}
}
