package window

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/ripplestream/ripple/internal/badinput"
)

// dtCases are events at the edges of reading dt: DT must give each the
// answer of decoding it whole, dt's string included.
var dtCases = []string{
	`{"dt":"2026-11-01T00:00:00Z"}`, `{"dt":"2026-11-01T00:00:00.123456789+02:00","meta":{"dt":"x"}}`,
	`{"meta":{"dt":"2026-11-01T00:00:00Z"}}`, `{"dt":null}`, `{"dt":1}`, `{"dt":{"a":1}}`, `{"dt":"yesterday"}`,
	`{"dt":"2026-11-01T00:00:00Z","dt":"2026-11-02T00:00:00Z"}`, `{"DT":"2026-11-01T00:00:00Z"}`,
	`{"Dt":"2026-11-01T00:00:00Z","dt":"2026-11-02T00:00:00Z"}`, `{"d\u0074":"2026-11-01T00:00:00Z"}`,
	`{"dt":"2026-11-01T00:00:00\u005a"}`, `{"dt":"2026-11-01T00:00:00Z"`, `{"dt":"2026-11-01T00:00:00Z"} x`,
	`["dt"]`, `"dt"`, ``, `  `, ` {"dt" : "2026-11-01T00:00:00Z" } `, `{"dt":"2026-11-01T00:00:00Z","x":tru}`,
	"{\"dt\":\"2026-11-01T00:00:00Z\xff\"}", "{\"dt\":\"2026-11-01\x01T00:00:00Z\"}", `{"dt":""}`, `{"dt":"\""}`,
}

func TestDTAgreesWithDecoding(t *testing.T) {
	for _, c := range dtCases {
		agree(t, []byte(c))
	}
	var valid []badinput.Event
	for i := range 200 {
		valid = append(valid, badinput.Event{Key: "k", Value: fmt.Appendf(nil,
			`{"$schema":"/resource_change/1.0.0","meta":{"stream":"s","id":"id-%d"},"dt":%q}`,
			i, time.Unix(int64(i), 0).UTC().Format(time.RFC3339Nano))})
	}
	events, err := badinput.Generate(badinput.Config{Seed: 3, Bad: 800, HugeBytes: 64 << 10}, valid)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range events {
		agree(t, e.Value)
	}
}

// decodeDT is DT decoding dt's string with encoding/json, as DT did
// before it read plain strings itself.
func decodeDT(raw []byte) (time.Time, error) {
	var p struct {
		DT json.RawMessage `json:"dt"`
	}
	if err := decodeObject(raw, &p); err != nil {
		return time.Time{}, err
	}
	if len(p.DT) == 0 || string(p.DT) == "null" {
		return time.Time{}, ErrNoEventTime
	}
	var s string
	if err := json.Unmarshal(p.DT, &s); err != nil {
		return time.Time{}, ErrBadEventTime
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, ErrBadEventTime
	}
	return t, nil
}

// agree asserts that DT reads raw as decoding it does: the same time, or
// an error of the same kind.
func agree(t *testing.T, raw []byte) {
	t.Helper()
	got, gotErr := DT(raw)
	want, wantErr := decodeDT(raw)
	if !got.Equal(want) || (gotErr == nil) != (wantErr == nil) || kind(gotErr) != kind(wantErr) {
		t.Errorf("DT(%.80q) = %v, %v; decoding it gives %v, %v", raw, got, gotErr, want, wantErr)
	}
}

func kind(err error) error {
	for _, k := range []error{ErrNotObject, ErrNoEventTime, ErrBadEventTime} {
		if errors.Is(err, k) {
			return k
		}
	}
	return err
}

func FuzzDT(f *testing.F) {
	for _, c := range dtCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, raw []byte) { agree(t, raw) })
}
