package intake

import (
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/schemas"
	"github.com/ripplestream/ripple/topology/streamconfig"
)

// BenchmarkCheck is the intake's per-event work without Kafka and HTTP:
// split a batch of 50 page change examples, validate each, fill its
// meta.id and encode it. make bench-intake measures the whole service.
func BenchmarkCheck(b *testing.B) {
	repo, err := event.OpenRepositoryFS(schemas.FS())
	if err != nil {
		b.Fatal(err)
	}
	s := &Service{cfg: Config{Schemas: repo, Streams: map[string]streamconfig.Settings{
		"mediawiki.page_change": {SchemaTitle: "mediawiki/page/change"}}}}
	raw, err := os.ReadFile("testdata/mediawiki.page.change.1.2.0.examples.json")
	if err != nil {
		b.Fatal(err)
	}
	var one []json.RawMessage
	if err := json.Unmarshal(raw, &one); err != nil {
		b.Fatal(err)
	}
	batch := make([]json.RawMessage, 50)
	for i := range batch {
		batch[i] = one[0]
	}
	body, _ := json.Marshal(batch)
	now := time.Now().UTC().Format(time.RFC3339Nano)
	b.SetBytes(int64(len(body)))
	b.ResetTimer()
	for range b.N {
		evs, err := splitBody(body)
		if err != nil {
			b.Fatal(err)
		}
		for _, ev := range evs {
			if c := s.check(ev, now); c.outcome != accepted {
				b.Fatal(c.err)
			}
		}
	}
	b.ReportMetric(float64(b.N*len(batch))/b.Elapsed().Seconds(), "events/s")
}
