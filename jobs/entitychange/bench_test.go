package entitychange_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/jobs/entitychange"
)

// BenchmarkApply measures the job's work per edit of a 21 KB item on one
// core, without Kafka: decode the page change and the state, diff the two
// revisions' JSON, encode the state. It reports events/s and the encoded
// state's bytes.
func BenchmarkApply(b *testing.B) {
	d, err := entitychange.NewDeriver(entitychange.Config{})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var events [2][]byte
	for i, edit := range []func(map[string]any){relabelEn, recountry} {
		events[i] = encode(b, withRevision(pageChange(b, "item-edit.json", "Q34987", entityJSON(b, "item", edit)), int64(686140+i), int64(686139+i)))
	}
	first, err := event.JSON[entitychange.PageChange]{}.Decode(encode(b, pageChange(b, "item-create.json", "Q34987", entityJSON(b, "item"))))
	if err != nil {
		b.Fatal(err)
	}
	st, _, err := d.Apply(ctx, entitychange.State{}, false, first)
	if err != nil {
		b.Fatal(err)
	}
	enc, _ := json.Marshal(st)
	b.SetBytes(int64(len(events[0])))
	b.ResetTimer()
	for i := range b.N {
		ch, err := event.JSON[entitychange.PageChange]{}.Decode(events[i%2])
		if err != nil {
			b.Fatal(err)
		}
		var prev entitychange.State
		if err := json.Unmarshal(enc, &prev); err != nil {
			b.Fatal(err)
		}
		prev.RevID = 686139 // each event is new
		next, res, err := d.Apply(ctx, prev, true, ch)
		if err != nil || res.Outcome != entitychange.Changed {
			b.Fatal(err, res.Outcome)
		}
		if enc, err = json.Marshal(next); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(len(enc)), "state-bytes/key")
}
