package parquet_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/jobs/sink"
	"github.com/ripplestream/ripple/jobs/sink/parquet"
)

// A Store writes a batch of events to a file under the hour of their event
// time, and reports the offsets it reached from the files' names. In a
// deployment, sink.Run hands it the batches read from Kafka.
func ExampleOpen() {
	repo, err := event.OpenRepository("testdata")
	if err != nil {
		panic(err)
	}
	dir, _ := os.MkdirTemp("", "parquet-example")
	defer os.RemoveAll(dir)
	store, err := parquet.Open(parquet.Config{Dir: dir, Repository: repo, Schema: "/resource_change/1.0.0"})
	if err != nil {
		panic(err)
	}
	defer store.Close()

	purge := `{"$schema":"/resource_change/1.0.0","meta":{"dt":"2026-12-06T07:15:00Z","stream":"resource_change","uri":"https://en.wikipedia.org/wiki/Foo"},"tags":["purge"]}`
	err = store.Write(context.Background(), sink.Batch{
		Topic:   "resource_change",
		Records: []sink.Record{{Topic: "resource_change", Partition: 0, Offset: 41, Value: []byte(purge)}},
		Next:    map[int32]int64{0: 42},
	})
	if err != nil {
		panic(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "resource_change", "*", "*.parquet"))
	for _, f := range files {
		rel, _ := filepath.Rel(dir, f)
		fmt.Println(rel)
	}
	offsets, _ := store.Offsets(context.Background(), "resource_change")
	fmt.Println(offsets)
	// Output:
	// resource_change/datehour=2026-12-06T07/part-0-41-41.parquet
	// map[0:42]
}
