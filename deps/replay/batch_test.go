package replay_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/ripplestream/ripple/deps"
	"github.com/ripplestream/ripple/deps/pebblestore"
	"github.com/ripplestream/ripple/deps/propagate"
	"github.com/ripplestream/ripple/deps/replay"
	"github.com/ripplestream/ripple/deps/workload"
	"github.com/ripplestream/ripple/event"
)

// TestBatchesMatchLineByLine replays a generated workload, with two invalid
// dependency sets among the valid ones, storing the sets one at a time and
// in batches of several sizes: the purges, the summary and the reported
// bad lines must be the same.
func TestBatchesMatchLineByLine(t *testing.T) {
	w, err := workload.Generate(workload.Config{Pages: 200, Templates: 20, Entities: 30, Changes: 400})
	if err != nil {
		t.Fatal(err)
	}
	bad := func(title string) []byte {
		j, err := json.Marshal(deps.PageDependencies{
			Envelope: event.Envelope{Schema: deps.DependenciesSchema, Meta: event.Meta{Stream: "deps", DT: start}, DT: start},
			WikiID:   "enwiki", Page: deps.EventPage{PageID: 1, PageTitle: title}, RevID: 1, Templates: []string{"Template:X"},
		})
		if err != nil {
			t.Fatal(err)
		}
		return j
	}
	lines := slices.Clone(w.Lines)
	lines = slices.Insert(lines, 5, bad("Bad|title"))
	lines = slices.Insert(lines, len(lines)-20, bad("Also<bad>"))
	input := bytes.Join(lines, []byte("\n"))

	type result struct {
		purges []string
		sum    replay.Summary
		errs   string
	}
	run := func(batch int) result {
		store, err := pebblestore.Open(pebblestore.Config{Dir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		defer store.Close()
		var res result
		var errs bytes.Buffer
		cfg := replay.Config{Batch: batch, Observe: func(line int, p propagate.Purge, uri string) {
			res.purges = append(res.purges, fmt.Sprintf("%d %s %s", line, uri, p.Rule))
		}}
		res.sum, err = replay.Run(context.Background(), store, bytes.NewReader(input), &bytes.Buffer{}, &errs, cfg)
		if err != nil {
			t.Fatalf("batch %d: %v", batch, err)
		}
		res.errs = errs.String()
		return res
	}
	want := run(1)
	if want.sum.Bad != 2 || want.sum.Dependencies == 0 || len(want.purges) == 0 {
		t.Fatalf("line by line: %v, %d purges; want 2 bad lines and some purges\n%s", want.sum, len(want.purges), want.errs)
	}
	for _, batch := range []int{2, 7, 0, 100000} {
		if got := run(batch); !reflect.DeepEqual(got, want) {
			t.Errorf("batch %d: %v, %d purges, bad lines:\n%s\nwant %v, %d purges, bad lines:\n%s",
				batch, got.sum, len(got.purges), got.errs, want.sum, len(want.purges), want.errs)
		}
	}
}
