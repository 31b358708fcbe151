package postgres

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/ripplestream/ripple/jobs/sink"
)

// TestRow checks how an event becomes a row, and the reasons of the
// events that cannot.
func TestRow(t *testing.T) {
	s := &Store{cfg: Config{Name: "s", URL: "u", Table: "t", KeyPointer: "/meta/id", Columns: []Column{
		{Name: "page_id", Pointer: "/page/page_id", Type: BigInt, Required: true},
		{Name: "title", Pointer: "/page/page_title"},
		{Name: "dt", Pointer: "/meta/dt", Type: Timestamptz},
		{Name: "score", Pointer: "/score", Type: Double},
		{Name: "bot", Pointer: "/performer/user_is_bot", Type: Boolean},
		{Name: "tags", Pointer: "/tags", Type: JSONB},
	}}.WithDefaults()}
	ts := time.Date(2024, 10, 4, 15, 9, 55, 0, time.UTC)
	for _, c := range []struct {
		event string
		want  []any  // the typed columns, after key and event
		err   string // a part of the reason
	}{
		{event: `{"meta":{"id":"a","dt":"2024-10-04T15:09:55Z"},"page":{"page_id":330275,"page_title":"Q1"},"score":0.5,"performer":{"user_is_bot":true},"tags":["x"]}`,
			want: []any{int64(330275), "Q1", ts, 0.5, true, json.RawMessage(`["x"]`)}},
		{event: `{"meta":{"id":7},"page":{"page_id":"12"}}`, want: []any{int64(12), nil, nil, nil, nil, nil}},
		{event: `{"meta":{"id":"a"},"page":{"page_id":1.5}}`, err: "column page_id (bigint) at /page/page_id: want a 64-bit integer, got 1.5"},
		{event: `{"meta":{"id":"a"},"page":{}}`, err: "column page_id: no value at /page/page_id, which it requires"},
		{event: `{"meta":{},"page":{"page_id":1}}`, err: "no key at /meta/id"},
		{event: `{"meta":{"id":"a"},"page":{"page_id":1},"score":"high"}`, err: "column score (double precision) at /score: want a number, got a string"},
		{event: `{"meta":{"id":"a","dt":"yesterday"},"page":{"page_id":1}}`, err: `want an RFC 3339 time, got "yesterday"`},
		{event: `{"meta":{"id":"a"},"page":{"page_id":1,"page_title":"a\u0000b"}}`, err: "NUL"},
		{event: `[1]`, err: "not a JSON object"},
		{event: `{"a":1} {"b":2}`, err: "not one JSON value"},
		{event: `{"meta":{"id":"a"},"page":{"page_id":1}}}`, err: "not one JSON value"},
		{event: `{"meta":{"id":{}},"page":{"page_id":1}}`, err: "the key at /meta/id is an object, not a string or number"},
		{event: "{\"meta\":{\"id\":\"a\"},\"page\":{\"page_id\":1,\"page_title\":\"\xff\"}}", err: "not valid UTF-8"},
	} {
		row, inv := s.row(sink.Record{Value: []byte(c.event), Partition: 2, Offset: 9})
		if c.err != "" {
			if inv == nil || !strings.Contains(inv.Error(), c.err) {
				t.Errorf("%s: %v, want a rejection saying %q", c.event, inv, c.err)
			}
			continue
		}
		if inv != nil {
			t.Errorf("%s: %v", c.event, inv)
			continue
		}
		got, _ := json.Marshal(row[2 : len(row)-3])
		want, _ := json.Marshal(c.want)
		if string(got) != string(want) {
			t.Errorf("%s: columns %s, want %s", c.event, got, want)
		}
		if row[len(row)-3] != int32(2) || row[len(row)-2] != int64(9) {
			t.Errorf("%s: partition and offset %v", c.event, row[len(row)-3:])
		}
	}
}
