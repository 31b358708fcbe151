package event_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/event/mediawiki"
)

// benchEdit is the event of the json counter job (BenchmarkCounterJob in
// package processor).
type benchEdit struct {
	Schema string     `json:"$schema,omitempty"`
	Meta   event.Meta `json:"meta"`
	Page   string     `json:"page"`
	Bytes  int        `json:"bytes"`
}

// benchPurge is a resource_change event as jobs declare it.
type benchPurge struct {
	event.Envelope
	Tags []string `json:"tags,omitempty"`
}

// BenchmarkJSONDecode measures JSON[T].Decode ("codec") against a plain
// encoding/json.Unmarshal into the same type ("encoding-json") on the
// counter job's event and on captured Wikimedia events from the fixtures,
// into the types the jobs use. Run:
//
//	go test -run '^$' -bench BenchmarkJSONDecode -benchtime 1s ./event/
func BenchmarkJSONDecode(b *testing.B) {
	pageChanges := filepath.Join("testdata", "wmf", "wikidata-query-rdf",
		"streaming-updater-producer", "src", "test", "resources", "page_change_events")
	purge := filepath.Join("testdata", "purges.ndjson")
	edit := []byte(`{"meta":{"stream":"edits","dt":"2026-11-01T00:00:00Z"},"page":"P1","bytes":123}`)
	itemEdit := readBench(b, filepath.Join(pageChanges, "wikibase", "item-edit.json"))

	benchDecode[benchEdit](b, "edit", edit)
	benchDecode[mediawiki.PageChange](b, "page-change/item-edit", itemEdit)
	benchDecode[mediawiki.PageChange](b, "page-change/item-create", readBench(b, filepath.Join(pageChanges, "wikibase", "item-create.json")))
	benchDecode[mediawiki.PageChange](b, "page-change/move-mediainfo", readBench(b, filepath.Join(pageChanges, "mediainfo", "move-mediainfo-item.json")))
	benchDecode[benchPurge](b, "resource-change/purge", firstLine(readBench(b, purge)))
	benchDecode[event.Envelope](b, "envelope/item-edit", itemEdit)
}

// benchDecode runs the codec and encoding/json on data into a T.
func benchDecode[T any](b *testing.B, name string, data []byte) {
	b.Run(name+"/codec", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for range b.N {
			if _, err := (event.JSON[T]{}).Decode(data); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run(name+"/encoding-json", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for range b.N {
			var v T
			if err := json.Unmarshal(data, &v); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func readBench(b *testing.B, p string) []byte {
	b.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		b.Fatalf("test data missing: %v", err)
	}
	return data
}

func firstLine(data []byte) []byte {
	for i, c := range data {
		if c == '\n' {
			return data[:i]
		}
	}
	return data
}
