//go:build integration

package parquet

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ripplestream/ripple/internal/testenv"
	"github.com/ripplestream/ripple/jobs/sink"
)

// TestDuckDBReadsExamples writes every example of the real schemas with a
// Store and reads the files back with DuckDB: each value DuckDB reads is
// the event's (nested groups, lists, maps, timestamps, JSON text), and an
// absent optional field is null.
func TestDuckDBReadsExamples(t *testing.T) {
	repo := testRepository(t)
	for _, uri := range testSchemas {
		dir := t.TempDir()
		s, err := Open(Config{Dir: dir, Repository: repo, Schema: uri})
		if err != nil {
			t.Fatal(err)
		}
		examples, err := repo.Examples(uri)
		if err != nil {
			t.Fatal(err)
		}
		if uri == "/resource_change/1.0.0" { // an empty list, and a list in an hour of its own
			examples = append(examples,
				[]byte(`{"$schema":"/resource_change/1.0.0","meta":{"dt":"2026-12-06T07:00:00.123Z","stream":"s"},"tags":[]}`),
				[]byte(`{"$schema":"/resource_change/1.0.0","meta":{"dt":"2026-12-06T08:59:59Z","stream":"s"},"tags":["a","b"]}`))
		}
		b := sink.Batch{Topic: "t", Next: map[int32]int64{0: int64(len(examples))}}
		for i, ex := range examples {
			b.Records = append(b.Records, sink.Record{Topic: "t", Offset: int64(i), Value: ex})
		}
		if err := s.Write(context.Background(), b); err != nil {
			t.Fatalf("%s: %v", uri, err)
		}
		rows := testenv.DuckDB(t, dir, "SELECT * FROM read_parquet('t/**/*.parquet', hive_partitioning = true) ORDER BY datehour")
		if len(rows) != len(examples) {
			t.Fatalf("%s: DuckDB read %d rows, want %d", uri, len(rows), len(examples))
		}
		// One example per hour at most in these schemas, except where
		// several share one: match each row to the example it came from.
		used := make([]bool, len(examples))
	rows:
		for _, row := range rows {
			var diffs []string
			for i, ex := range examples {
				if used[i] {
					continue
				}
				doc, _ := decodeEvent(ex)
				var d []string
				compareGroup(s.schema.root, doc, row, "", &d)
				if len(d) == 0 {
					used[i] = true
					continue rows
				}
				diffs = append(diffs, fmt.Sprintf("example %d: %s", i, strings.Join(d, "; ")))
			}
			t.Errorf("%s: DuckDB row %v matches no example:\n%s", uri, row, strings.Join(diffs, "\n"))
		}
	}
}

// compareGroup compares the event's object want with DuckDB's row (or
// struct) got, field by field of f.
func compareGroup(f *field, want map[string]any, got map[string]any, at string, diffs *[]string) {
	for _, c := range f.fields {
		compareValue(c, want[c.name], got[c.name], at+"/"+c.name, diffs)
	}
}

func compareValue(f *field, want, got any, at string, diffs *[]string) {
	bad := func() { *diffs = append(*diffs, fmt.Sprintf("%s: DuckDB has %v, the event %v", at, got, want)) }
	if want == nil {
		if got != nil {
			bad()
		}
		return
	}
	switch f.kind {
	case kindGroup:
		g, ok := got.(map[string]any)
		if !ok {
			bad()
			return
		}
		compareGroup(f, want.(map[string]any), g, at, diffs)
	case kindList:
		w, g := want.([]any), asSlice(got)
		if got == nil || len(w) != len(g) {
			bad()
			return
		}
		for i := range w {
			compareValue(f.elem, w[i], g[i], at+"/"+strconv.Itoa(i), diffs)
		}
	case kindMap:
		w, g := want.(map[string]any), asMap(got)
		if got == nil || len(w) != len(g) {
			bad()
			return
		}
		for k := range w {
			compareValue(f.elem, w[k], g[k], at+"/"+k, diffs)
		}
	case kindTimestamp:
		wt, _ := time.Parse(time.RFC3339Nano, want.(string))
		gs, _ := got.(string)
		gt, err := time.Parse("2006-01-02 15:04:05.999999-07", gs)
		if err != nil || !gt.Equal(wt.Truncate(time.Millisecond)) {
			bad()
		}
	case kindInt64, kindDouble:
		wf, _ := want.(json.Number).Float64()
		gn, _ := got.(json.Number)
		gf, err := gn.Float64()
		if err != nil || gf != wf {
			bad()
		}
	case kindJSON:
		var g any
		gs, _ := got.(string)
		if err := json.Unmarshal([]byte(gs), &g); err != nil {
			bad()
			return
		}
		wb, _ := json.Marshal(want)
		var w any
		json.Unmarshal(wb, &w)
		if !reflect.DeepEqual(w, g) {
			bad()
		}
	default:
		if !reflect.DeepEqual(want, got) {
			bad()
		}
	}
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}

// asMap reads a DuckDB MAP as its JSON writes it: an object, or a list of
// {key, value} when the keys are not strings.
func asMap(v any) map[string]any {
	switch m := v.(type) {
	case map[string]any:
		return m
	case []any:
		out := map[string]any{}
		for _, e := range m {
			kv, _ := e.(map[string]any)
			k, _ := kv["key"].(string)
			out[k] = kv["value"]
		}
		return out
	}
	return nil
}
