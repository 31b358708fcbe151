package errortopic

import (
	"cmp"
	"context"
	"slices"

	"github.com/IBM/sarama"
)

// Count is the number of error records of one input stream, failure type
// and reason.
type Count struct {
	Stream string `json:"stream"`
	// Type is the failure kind: handler, panic, decode or schema.
	Type   string `json:"error_type"`
	Reason string `json:"reason"`
	// Records counts the records in the topic, Pending those at or after
	// the replay position (never replayed).
	Records int `json:"records"`
	Pending int `json:"pending"`
	// NotReplayable counts the records that Replay would pass over (see
	// processor.DecodeErrorRecord).
	NotReplayable int `json:"not_replayable,omitempty"`
}

// Summary is what List found in an error topic.
type Summary struct {
	Topic string `json:"topic"`
	// Group keeps the replay position that Pending counts from.
	Group   string `json:"replay_group"`
	Records int    `json:"records"`
	Pending int    `json:"pending"`
	// Unreadable counts records that are not error records.
	Unreadable int `json:"unreadable,omitempty"`
	// Counts has one entry per stream, type and reason, the most records
	// first; Streams the totals of each stream, by name.
	Counts  []Count `json:"counts"`
	Streams []Count `json:"streams"`
}

// List reads cfg's error topic from its start to its end as of the call
// and counts its records.
func List(ctx context.Context, cfg Config) (Summary, error) {
	c, err := dial(cfg, nil)
	if err != nil {
		return Summary{}, err
	}
	defer c.Close()
	sum := Summary{Topic: c.cfg.Topic(), Group: c.cfg.Group}
	type key struct{ stream, kind, reason string }
	counts := map[key]*Count{}
	streams := map[string]*Count{}
	for _, p := range c.parts {
		err := c.read(ctx, p, p.oldest, func(m *sarama.ConsumerMessage) error {
			e := decode(m)
			sum.Records++
			pending := m.Offset >= p.committed
			if pending {
				sum.Pending++
			}
			if e.Record.ErroredStreamName == "" && e.Err != nil {
				sum.Unreadable++
				return nil
			}
			r := e.Record
			for _, n := range []*Count{
				entry(counts, key{r.ErroredStreamName, r.ErrorType, r.Message}, Count{Stream: r.ErroredStreamName, Type: r.ErrorType, Reason: r.Message}),
				entry(streams, r.ErroredStreamName, Count{Stream: r.ErroredStreamName}),
			} {
				n.Records++
				if pending {
					n.Pending++
				}
				if e.Err != nil {
					n.NotReplayable++
				}
			}
			return nil
		})
		if err != nil {
			return sum, err
		}
	}
	for _, n := range counts {
		sum.Counts = append(sum.Counts, *n)
	}
	slices.SortFunc(sum.Counts, func(a, b Count) int {
		return cmp.Or(cmp.Compare(b.Records, a.Records), cmp.Compare(a.Stream, b.Stream), cmp.Compare(a.Type, b.Type),
			cmp.Compare(a.Reason, b.Reason))
	})
	for _, n := range streams {
		sum.Streams = append(sum.Streams, *n)
	}
	slices.SortFunc(sum.Streams, func(a, b Count) int { return cmp.Compare(a.Stream, b.Stream) })
	return sum, nil
}

// entry returns m[k], set to v if it is new.
func entry[K comparable](m map[K]*Count, k K, v Count) *Count {
	n, ok := m[k]
	if !ok {
		n = &v
		m[k] = n
	}
	return n
}
