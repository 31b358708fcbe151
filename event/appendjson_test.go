package event_test

import (
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/ripplestream/ripple/event"
)

// oddStrings need escaping in JSON, or look as if they might.
var oddStrings = []string{"", "x", "https://en.wikipedia.org/wiki/C%2B%2B", `q"uote`, `back\slash`, "a<b", "a>b", "a&b",
	"tab\t", "\x00\x1f\x7f", "é", "\u2028\u2029", "bad\xff", "\xc3", "🙂"}

// randomTime returns a time encoding/json may write or refuse, in UTC or
// not.
func randomTime(r *rand.Rand) time.Time {
	switch r.IntN(8) {
	case 0:
		return time.Time{}
	case 1:
		return time.Unix(r.Int64N(1<<35), r.Int64N(1e9)).In(time.FixedZone("", 60*(r.IntN(48*60)-24*60)))
	case 2:
		return time.Date(10000+r.IntN(3), 1, 1, 0, 0, 0, 0, time.UTC)
	case 3:
		return time.Date(-1-r.IntN(3), 1, 1, 0, 0, 0, 0, time.UTC)
	case 4:
		return time.Date(r.IntN(2), 1, 1, 0, 0, 0, r.IntN(1e9), time.UTC)
	}
	return time.Unix(r.Int64N(1<<35), r.Int64N(1e9)).UTC()
}

// withTags is an event type as jobs declare them: Envelope first.
type withTags struct {
	event.Envelope
	Tags []string `json:"tags"`
}

func TestAppendJSONIsEncodingJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(14, 4))
	str := func() string {
		if r.IntN(3) == 0 {
			return ""
		}
		return oddStrings[r.IntN(len(oddStrings))]
	}
	for range 20_000 {
		e := event.Envelope{Schema: str(), Meta: event.Meta{Stream: str(), ID: str(), DT: randomTime(r), URI: str(),
			Domain: str(), RequestID: str()}, DT: randomTime(r), TriggeredBy: str()}
		if r.IntN(2) == 0 {
			e.RootEvent = &event.RootEvent{Signature: str(), DT: randomTime(r)}
		}
		want, wantErr := json.Marshal(withTags{Envelope: e, Tags: []string{"t"}})
		got, ok := e.AppendJSON([]byte("{"))
		got = append(got, `,"tags":["t"]}`...)
		switch {
		case ok && wantErr != nil:
			t.Fatalf("%+v: appended %s; encoding/json refuses it: %v", e, got, wantErr)
		case ok && string(got) != string(want):
			t.Fatalf("%+v:\nappended %s\nencoding/json %s", e, got, want)
		case !ok && wantErr == nil && allUTC(e):
			t.Fatalf("%+v: not appended, though its times are UTC and encoding/json writes it", e)
		}
	}
}

// allUTC reports whether every time e writes is a UTC time of years 0-9999.
func allUTC(e event.Envelope) bool {
	ts := []time.Time{e.Meta.DT, e.DT}
	if e.RootEvent != nil {
		ts = append(ts, e.RootEvent.DT)
	}
	for _, t := range ts {
		if !t.IsZero() && (t.Location() != time.UTC || t.Year() < 0 || t.Year() > 9999) {
			return false
		}
	}
	return e.RootEvent == nil || e.RootEvent.DT.Location() == time.UTC
}

func FuzzAppendJSONString(f *testing.F) {
	for _, s := range oddStrings {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := event.AppendJSONString(nil, s); string(got) != string(want) {
			t.Fatalf("AppendJSONString(%q) = %s, encoding/json %s", s, got, want)
		}
	})
}
