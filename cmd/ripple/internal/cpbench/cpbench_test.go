package cpbench

import (
	"fmt"
	"testing"
	"time"

	"github.com/IBM/sarama"
)

func TestPercentile(t *testing.T) {
	var ds []time.Duration
	for i := 1; i <= 100; i++ {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	if p50, p99 := percentile(ds, 0.5), percentile(ds, 0.99); p50 != 50*time.Millisecond || p99 != 99*time.Millisecond {
		t.Fatalf("p50 %v, p99 %v of 1..100 ms", p50, p99)
	}
	if p := percentile(ds[:1], 0.99); p != time.Millisecond {
		t.Fatalf("p99 of one: %v", p)
	}
}

// TestCoverage: a change is covered once every page it affects has a
// purge sent at or after it, whichever change that purge was for.
func TestCoverage(t *testing.T) {
	t0 := time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)
	r := &reader{sent: map[string]time.Time{}}
	purge := func(title string, sent, root time.Time) []byte {
		return fmt.Appendf(nil, `{"meta":{"uri":"https://en.wikipedia.org/wiki/%s","dt":%q},"root_event":{"dt":%q}}`,
			title, sent.Format(time.RFC3339Nano), root.Format(time.RFC3339Nano))
	}
	cs := []change{
		{at: t0, pages: []string{"Template:Bench_1", "Bench_1", "Bench_11"}},
		{at: t0.Add(time.Second), pages: []string{"Bench_1"}},
	}
	r.add(purge("Template:Bench_1", t0.Add(10*time.Millisecond), t0), t0.Add(20*time.Millisecond))
	r.add(purge("Bench_1", t0.Add(2*time.Second), t0), t0.Add(2*time.Second)) // sent after both changes
	if got := r.uncovered(cs); len(got) != 1 || len(got[0].pages) != 3 {
		t.Fatalf("uncovered %v, want the template edit (Bench_11 not purged)", got)
	}
	r.add(purge("Bench_11", t0.Add(time.Second), t0), t0.Add(time.Second))
	if got := r.uncovered(cs); len(got) != 0 {
		t.Fatalf("uncovered %v, want none", got)
	}
	if r.count() != 3 || len(r.latencies()) != 3 {
		t.Fatalf("%d purges, %d latencies", r.count(), len(r.latencies()))
	}
}

// TestCountsKeepNoPages: the reader of a huge fan-out counts purges and
// keeps nothing per page, so its memory is not in the peak RSS reported.
func TestCountsKeepNoPages(t *testing.T) {
	r := &reader{sent: map[string]time.Time{}, mode: counts}
	t0 := time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)
	for i := range 3 {
		v := fmt.Appendf(nil, `{"meta":{"uri":"https://en.wikipedia.org/wiki/Bench_%d","dt":%q},"root_event":{"dt":%q}}`,
			i, t0.Format(time.RFC3339Nano), t0.Format(time.RFC3339Nano))
		r.take(&sarama.ConsumerMessage{Value: v, Timestamp: t0}, t0.Add(time.Duration(i)*time.Second))
	}
	if r.count() != 3 || len(r.sent) != 0 || len(r.ts) != 0 || !r.lastRead().Equal(t0.Add(2*time.Second)) {
		t.Fatalf("count %d, %d pages kept, %d stamps, last read %v", r.count(), len(r.sent), len(r.ts), r.lastRead())
	}
}
