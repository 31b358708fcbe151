package sinktest

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/ripplestream/ripple/jobs/sink"
)

// PageChanges reads the mediawiki.page_change events (*.json) under dir
// and returns them in the order of their meta.dt, failing t when one
// cannot be read.
func PageChanges(t testing.TB, dir string) [][]byte {
	t.Helper()
	type ev struct {
		dt  string
		raw []byte
	}
	var evs []ev
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".json") {
			return err
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var e struct {
			Meta struct {
				DT string `json:"dt"`
			} `json:"meta"`
		}
		if err := json.Unmarshal(raw, &e); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		evs = append(evs, ev{e.Meta.DT, raw})
		return nil
	})
	if err != nil || len(evs) == 0 {
		t.Fatalf("reading the events under %s: %d events, %v", dir, len(evs), err)
	}
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].dt < evs[j].dt })
	out := make([][]byte, len(evs))
	for i, e := range evs {
		out[i] = e.raw
	}
	return out
}

// Versions returns rounds copies of events as records keyed
// <wiki_id>:<page_id>:<round mod keys>, so that each key gets several
// versions, in order: the events of one page are the versions of its
// keys.
func Versions(t testing.TB, events [][]byte, rounds, keys int) []sink.Record {
	t.Helper()
	var out []sink.Record
	for r := range rounds {
		for _, raw := range events {
			var e struct {
				WikiID string `json:"wiki_id"`
				Page   struct {
					PageID int64 `json:"page_id"`
				} `json:"page"`
			}
			if err := json.Unmarshal(raw, &e); err != nil {
				t.Fatal(err)
			}
			out = append(out, sink.Record{Key: fmt.Appendf(nil, "%s:%d:%d", e.WikiID, e.Page.PageID, r%keys), Value: raw})
		}
	}
	return out
}
