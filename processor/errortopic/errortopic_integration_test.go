//go:build integration

package errortopic_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/internal/jobtest"
	"github.com/ripplestream/ripple/internal/kafkaclient"
	"github.com/ripplestream/ripple/internal/testenv"
	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/processor/errortopic"
)

// Reasons the test job fails with.
const (
	storeDown = "deps: store unavailable: alpha 127.0.0.1:9180 did not answer"
	badTitle  = "invalid title"
)

// sent is an event as produced: where it went, its key and bytes, and the
// reason the job fails it with ("" for none).
type sent struct {
	stream    processor.Stream
	partition int32
	key       string
	value     []byte
	reason    string
}

// failingJob is a job over two streams whose handler fails events that
// need the store until fixed is set, and events with a bad title always.
// It records the events it handled.
type failingJob struct {
	name   processor.Group
	inputs []processor.Stream
	fixed  atomic.Bool

	mu      sync.Mutex
	handled [][]byte
}

func newFailingJob(t *testing.T, kc kafkaclient.Config) *failingJob {
	j := &failingJob{name: processor.Group(testenv.Name(t, "job"))}
	for _, s := range []string{"edits", "links"} {
		in := processor.Stream(testenv.Name(t, s))
		testenv.CreateTopic(t, kc, string(in), 2)
		j.inputs = append(j.inputs, in)
	}
	// Without state and retries, the error topic is the job's only topic.
	t.Cleanup(func() { testenv.DeleteTopics(t, kc, string(j.name)+".error") })
	return j
}

func (j *failingJob) handle(_ *processor.Context[struct{}], _ string, raw []byte) error {
	switch {
	case bytes.Contains(raw, []byte(`"needs":"store"`)) && !j.fixed.Load():
		return errors.New(storeDown)
	case bytes.Contains(raw, []byte(`"title":"<bad>"`)):
		return errors.New(badTitle)
	}
	j.mu.Lock()
	j.handled = append(j.handled, bytes.Clone(raw))
	j.mu.Unlock()
	return nil
}

func (j *failingJob) handledCopy() [][]byte {
	j.mu.Lock()
	defer j.mu.Unlock()
	return slices.Clone(j.handled)
}

func (j *failingJob) start(t *testing.T, kc kafkaclient.Config) {
	def := processor.Job[struct{}]{Name: j.name}
	for _, in := range j.inputs {
		def.Inputs = append(def.Inputs, processor.On(in, event.Raw{}, j.handle))
	}
	jobtest.StartReady(t, def, processor.Config{Brokers: kc.Brokers, StateDir: t.TempDir(), MaxRetries: -1})
}

// produce writes 40 events over both inputs: 8 that need the store, 8 with
// a bad title, the rest fine, in bytes that a re-encoding would change.
func (j *failingJob) produce(t *testing.T, kc kafkaclient.Config) []sent {
	var evs []sent
	for i := range 40 {
		s := sent{stream: j.inputs[i%2], key: fmt.Sprintf("page-%d", i%7)}
		needs, title := "nothing", "Zürich_東京"
		switch i % 5 {
		case 1:
			needs, s.reason = "store", storeDown
		case 3:
			title, s.reason = "<bad>", badTitle
		}
		s.value = fmt.Appendf(nil, "{ \"i\": %d,\t\"needs\":%q, \"title\":%q, \"esc\":\"\\u00e9 <&>\" }\n", i, needs, title)
		evs = append(evs, s)
	}
	for _, in := range j.inputs {
		var recs []testenv.Record
		for _, s := range evs {
			if s.stream == in {
				recs = append(recs, testenv.Record{Key: []byte(s.key), Value: s.value})
			}
		}
		testenv.Produce(t, kc, string(in), recs)
	}
	// Learn the partition of each event, which replay must send it to.
	for _, in := range j.inputs {
		for _, r := range testenv.ReadAll(t, kc, string(in)) {
			for i := range evs {
				if evs[i].stream == in && bytes.Equal(evs[i].value, r.Value) {
					evs[i].partition = r.Partition
				}
			}
		}
	}
	return evs
}

// inputRecords returns every record of the job's inputs.
func (j *failingJob) inputRecords(t *testing.T, kc kafkaclient.Config) map[processor.Stream][]testenv.Record {
	out := map[processor.Stream][]testenv.Record{}
	for _, in := range j.inputs {
		out[in] = testenv.ReadAll(t, kc, string(in))
	}
	return out
}

func TestIntegrationListAndReplayAfterFix(t *testing.T) {
	kc := testenv.Kafka(t)
	j := newFailingJob(t, kc)
	evs := j.produce(t, kc)
	j.start(t, kc)
	cfg := errortopic.Config{Brokers: kc.Brokers, Job: j.name, Idle: 20 * time.Second}
	ctx := context.Background()

	// Every failed event reaches the error topic, and List counts them by
	// stream and reason.
	wantCounts := map[string]int{}
	var failed, store []sent
	for _, s := range evs {
		if s.reason != "" {
			failed = append(failed, s)
			wantCounts[string(s.stream)+"|"+s.reason]++
		}
		if s.reason == storeDown {
			store = append(store, s)
		}
	}
	var sum errortopic.Summary
	testenv.Eventually(t, time.Minute, func() error {
		var err error
		sum, err = errortopic.List(ctx, cfg)
		if err == nil && sum.Records != len(failed) {
			err = fmt.Errorf("%d error records, want %d", sum.Records, len(failed))
		}
		return err
	})
	checkCounts(t, sum, wantCounts, len(failed))
	if n := len(j.handledCopy()); n != len(evs)-len(failed) {
		t.Fatalf("the job handled %d events, want %d", n, len(evs)-len(failed))
	}
	before := j.inputRecords(t, kc)

	// The cause of the store failures is fixed. A dry run says what it
	// would send, byte for byte, and sends nothing.
	j.fixed.Store(true)
	storeOnly := errortopic.Filter{Reason: regexp.MustCompile(regexp.QuoteMeta("store unavailable"))}
	var would []errortopic.Entry
	res, err := errortopic.Replay(ctx, cfg, errortopic.ReplayOptions{Filter: storeOnly, DryRun: true,
		Sent: func(e errortopic.Entry) { would = append(would, e) }})
	if err != nil {
		t.Fatal(err)
	}
	if res.Sent != len(store) || res.Passed != len(failed)-len(store) || len(would) != len(store) {
		t.Fatalf("dry run: %v (%d entries), want %d to send", res, len(would), len(store))
	}
	for _, e := range would {
		if !slices.ContainsFunc(store, func(s sent) bool {
			return bytes.Equal(s.value, e.Event) && s.key == e.Record.Key && string(s.stream) == e.Record.ErroredStreamName &&
				s.partition == e.Record.Partition
		}) {
			t.Errorf("dry run would send %s/%d %q %q, not a store failure as produced", e.Record.ErroredStreamName, e.Record.Partition, e.Record.Key, e.Event)
		}
	}
	for in, recs := range j.inputRecords(t, kc) {
		if len(recs) != len(before[in]) {
			t.Fatalf("dry run: %s has %d records, had %d", in, len(recs), len(before[in]))
		}
	}
	if sum, err := errortopic.List(ctx, cfg); err != nil || sum.Pending != len(failed) {
		t.Fatalf("after the dry run, %d pending (%v), want all %d: a dry run keeps the position", sum.Pending, err, len(failed))
	}

	// The replay sends exactly the store failures, to their partitions,
	// with their key and bytes, and the fixed job handles them.
	res, err = errortopic.Replay(ctx, cfg, errortopic.ReplayOptions{Filter: storeOnly})
	if err != nil {
		t.Fatal(err)
	}
	if res.Sent != len(store) || res.Passed != len(failed)-len(store) || res.NotReplayable != 0 {
		t.Fatalf("replay: %v, want %d sent", res, len(store))
	}
	after := j.inputRecords(t, kc)
	var replayed []testenv.Record // the records after the inputs' ends before
	for in, recs := range after {
		end := map[int32]int64{}
		for _, r := range before[in] {
			end[r.Partition] = max(end[r.Partition], r.Offset+1)
		}
		for _, r := range recs {
			if r.Offset >= end[r.Partition] {
				replayed = append(replayed, r)
			}
		}
	}
	if len(replayed) != len(store) {
		t.Fatalf("the inputs got %d records, want %d", len(replayed), len(store))
	}
	for _, s := range store {
		if !slices.ContainsFunc(replayed, func(r testenv.Record) bool {
			return bytes.Equal(r.Value, s.value) && string(r.Key) == s.key && r.Partition == s.partition
		}) {
			t.Errorf("%s/%d %q %q was not sent back as it was", s.stream, s.partition, s.key, s.value)
		}
	}
	testenv.Eventually(t, time.Minute, func() error {
		h := j.handledCopy()
		for _, s := range store {
			if !slices.ContainsFunc(h, func(b []byte) bool { return bytes.Equal(b, s.value) }) {
				return fmt.Errorf("the fixed job has not handled %q", s.value)
			}
		}
		return nil
	})

	// A second replay sends nothing more: the position is past the records.
	res, err = errortopic.Replay(ctx, cfg, errortopic.ReplayOptions{Filter: storeOnly})
	if err != nil || res.Sent != 0 || res.Read != 0 {
		t.Fatalf("second replay: %v, %v; want nothing read or sent", res, err)
	}
	if sum, err := errortopic.List(ctx, cfg); err != nil || sum.Pending != 0 || sum.Records != len(failed) {
		t.Fatalf("after the replay: %+v, %v; want %d records, none pending", sum, err, len(failed))
	}

	// A replay from the beginning that stops midway leaves the position
	// where it was.
	stopped, stop := context.WithCancel(ctx)
	defer stop()
	one := cfg
	one.Batch = 1
	_, err = errortopic.Replay(stopped, one, errortopic.ReplayOptions{FromBeginning: true, Filter: errortopic.Filter{Stream: "none"},
		Progress: func(errortopic.Progress) { stop() }})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("replay stopped after its first batch: %v", err)
	}
	if sum, err := errortopic.List(ctx, cfg); err != nil || sum.Pending != 0 {
		t.Fatalf("after a stopped replay from the beginning, %d pending (%v), want none", sum.Pending, err)
	}

	// From the beginning, the bad titles of one stream go again (and fail
	// again: their cause is not fixed), and none of the store failures.
	links := j.inputs[1]
	var titles int
	for _, s := range failed {
		if s.reason == badTitle && s.stream == links {
			titles++
		}
	}
	res, err = errortopic.Replay(ctx, cfg, errortopic.ReplayOptions{FromBeginning: true,
		Filter: errortopic.Filter{Reason: regexp.MustCompile("^invalid"), Stream: links}})
	if err != nil || res.Sent != titles || res.ByStream[string(links)] != titles || res.Read != len(failed) {
		t.Fatalf("replay from the beginning: %v, %v; want %d sent to %s", res, err, titles, links)
	}
	testenv.Eventually(t, time.Minute, func() error {
		sum, err := errortopic.List(ctx, cfg)
		if err == nil && (sum.Records != len(failed)+titles || sum.Pending != titles) {
			err = fmt.Errorf("%d records, %d pending; want %d, %d", sum.Records, sum.Pending, len(failed)+titles, titles)
		}
		return err
	})

	// A replay whose context is done sends nothing and says so.
	done, cancel := context.WithCancel(ctx)
	cancel()
	if res, err := errortopic.Replay(done, cfg, errortopic.ReplayOptions{}); !errors.Is(err, context.Canceled) || res.Sent != 0 {
		t.Fatalf("cancelled replay: %v, %v", res, err)
	}
}

// checkCounts compares sum with want, keyed "stream|reason".
func checkCounts(t *testing.T, sum errortopic.Summary, want map[string]int, total int) {
	t.Helper()
	got := map[string]int{}
	for _, c := range sum.Counts {
		got[c.Stream+"|"+c.Reason] += c.Records
		if c.Pending != c.Records || c.Type != "handler" || c.NotReplayable != 0 {
			t.Errorf("count %+v: want every record pending, of type handler, replayable", c)
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("counts by stream and reason: %v, want %v", got, want)
	}
	streams := 0
	for _, c := range sum.Streams {
		streams += c.Records
	}
	if sum.Records != total || sum.Pending != total || streams != total || len(sum.Streams) != 2 {
		t.Errorf("summary %+v: want %d records, all pending, over 2 streams", sum, total)
	}
}
