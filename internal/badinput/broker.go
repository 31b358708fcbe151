package badinput

import (
	"fmt"
	"testing"
	"time"

	"github.com/ripplestream/ripple/internal/jobtest"
	"github.com/ripplestream/ripple/internal/kafkaclient"
	"github.com/ripplestream/ripple/internal/testenv"
	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/processor/processortest"
)

// RunBroker is Run on the real broker of kc: it produces events to stream
// (a topic that exists), runs job with cfg until it has consumed them all,
// checks that it is still healthy, stops it, and checks its error topic
// with CheckErrorTopic against rejected. The caller checks the job's
// outputs. Events must fit the broker's message limit.
func RunBroker[S any](t testing.TB, kc kafkaclient.Config, job processor.Job[S], cfg processor.Config, stream processor.Stream, events []Event, rejected ...Kind) {
	t.Helper()
	recs := make([]testenv.Record, len(events))
	for i, e := range events {
		recs[i] = testenv.Record{Key: []byte(e.Key), Value: e.Value, Timestamp: time.Now()}
	}
	testenv.Produce(t, kc, string(stream), recs)

	done := jobtest.Counter{Stream: stream}
	cfg.Brokers = kc.Brokers
	cfg.Hooks = append(cfg.Hooks, &done)
	r := jobtest.Start(t, job, cfg)
	testenv.Eventually(t, 2*time.Minute, func() error {
		if n := done.N.Load(); n < int64(len(events)) {
			return fmt.Errorf("processed %d of %d events (job health: %v)", n, len(events), r.Healthy())
		}
		return nil
	})
	if err := r.Healthy(); err != nil {
		t.Fatalf("job unhealthy after the corpus: %v", err)
	}
	if err := r.Stop(); err != nil {
		t.Fatal(err)
	}
	var errs [][]byte
	for _, m := range testenv.ReadAll(t, kc, string(processortest.ErrorStream(job.Name))) {
		errs = append(errs, m.Value)
	}
	CheckErrorTopic(t, stream, events, errs, rejected...)
}
