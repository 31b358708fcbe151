package dedupe

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

func at(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }

func TestWindowSeen(t *testing.T) {
	type step struct {
		id   string
		at   int // ms after t0
		seen bool
		len  int
	}
	tests := []struct {
		name  string
		w     Window
		steps []step
	}{
		{"first and repeat", Window{TTL: time.Second, Max: 10}, []step{
			{"a", 0, false, 1}, {"a", 10, true, 1}, {"b", 20, false, 2}, {"a", 999, true, 2}, {"b", 30, true, 2},
		}},
		{"expires TTL after first seen, not after repeats", Window{TTL: time.Second, Max: 10}, []step{
			{"a", 0, false, 1}, {"a", 900, true, 1}, {"a", 1000, false, 1}, {"a", 1999, true, 1},
		}},
		{"full window forgets the oldest", Window{TTL: time.Hour, Max: 2}, []step{
			{"a", 0, false, 1}, {"b", 1, false, 2}, {"c", 2, false, 2}, {"b", 3, true, 2}, {"a", 4, false, 2}, {"c", 5, true, 2},
		}},
		{"clock never runs backwards", Window{TTL: time.Second, Max: 10}, []step{
			{"a", 5000, false, 1}, {"b", 0, false, 2}, {"b", 5999, true, 2}, {"b", 6000, false, 1},
		}},
		{"zero window uses defaults", Window{}, []step{
			{"a", 0, false, 1}, {"a", int(DefaultTTL/time.Millisecond) - 1, true, 1}, {"a", int(DefaultTTL / time.Millisecond), false, 1},
		}},
		{"empty id is an id", Window{}, []step{{"", 0, false, 1}, {"", 1, true, 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := tt.w
			for i, s := range tt.steps {
				if got := w.Seen(s.id, at(s.at)); got != s.seen {
					t.Fatalf("step %d: Seen(%q, +%dms) = %v, want %v", i, s.id, s.at, got, s.seen)
				}
				if w.Len() != s.len {
					t.Fatalf("step %d: Len = %d, want %d", i, w.Len(), s.len)
				}
			}
		})
	}
}

func TestWindowTouchAndLastSeen(t *testing.T) {
	w := Window{TTL: time.Second, Max: 3}
	if _, ok := w.LastSeen("job", at(0)); ok {
		t.Fatal("LastSeen of an empty window is ok")
	}
	w.Touch("job", at(100))
	w.Touch("other", at(200))
	w.Touch("job", at(700)) // moves to the newest, with the new time
	if got, ok := w.LastSeen("job", at(800)); !ok || !got.Equal(at(700)) {
		t.Fatalf("LastSeen = %v %v, want %v", got, ok, at(700))
	}
	if _, ok := w.LastSeen("other", at(1200)); ok {
		t.Fatal("other is still seen after its TTL")
	}
	if got, ok := w.LastSeen("job", at(1699)); !ok || !got.Equal(at(700)) {
		t.Fatalf("touched job forgotten before its TTL: %v %v", got, ok)
	}
	if w.Len() != 2 {
		t.Fatalf("Len = %d, want 2 (Touch replaces, LastSeen does not prune)", w.Len())
	}
}

func TestWindowEncoding(t *testing.T) {
	w := Window{TTL: 90 * time.Second, Max: 50}
	for i := range 40 {
		w.Seen(fmt.Sprintf("id-%d", i), at(i*1000))
	}
	b, err := w.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var got Window
	if err := got.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	if got.TTL != w.TTL || got.Max != w.Max || got.Len() != w.Len() {
		t.Fatalf("decoded TTL %v Max %d Len %d, want %v %d %d", got.TTL, got.Max, got.Len(), w.TTL, w.Max, w.Len())
	}
	if per := float64(len(b)) / float64(w.Len()); per > 11 {
		t.Fatalf("%d bytes for %d ids: %.1f per id, want <= 11", len(b), w.Len(), per)
	}
	for i := range 40 {
		if !got.Seen(fmt.Sprintf("id-%d", i), at(40_000)) {
			t.Fatalf("decoded window forgot id-%d", i)
		}
	}

	type userState struct {
		Count int    `json:"count"`
		IDs   Window `json:"ids"`
	}
	j, err := json.Marshal(userState{Count: 3, IDs: w})
	if err != nil {
		t.Fatal(err)
	}
	var us userState
	if err := json.Unmarshal(j, &us); err != nil {
		t.Fatal(err)
	}
	if us.Count != 3 || us.IDs.Len() != w.Len() || !us.IDs.Seen("id-39", at(40_000)) {
		t.Fatalf("JSON round trip lost the window: %s", j)
	}
}

func TestDecodeCorrupt(t *testing.T) {
	good, _ := (&Window{TTL: time.Second}).MarshalBinary()
	w := Window{TTL: time.Second}
	w.Seen("a", t0)
	one, _ := w.MarshalBinary()
	for name, b := range map[string][]byte{
		"empty":            nil,
		"wrong format":     {formatRoots, 0, 0, 0},
		"truncated header": good[:2],
		"truncated entry":  one[:len(one)-3],
		"trailing bytes":   append(append([]byte{}, one...), 0),
		"huge count":       {formatWindow, 1, 1, 0xff, 0xff, 0xff, 0xff, 0x0f},
		"huge max":         {formatWindow, 1, 0xff, 0xff, 0xff, 0xff, 0x0f, 0},
	} {
		var w Window
		if err := w.UnmarshalBinary(b); !errors.Is(err, errCorrupt) {
			t.Errorf("%s: UnmarshalBinary(%x) = %v, want errCorrupt", name, b, err)
		}
	}
	if err := json.Unmarshal([]byte(`{"ids":"!!"}`), &struct{ IDs Window }{}); err == nil {
		t.Error("bad base64 decoded without error")
	}
}

// FuzzWindowDecode checks that no input makes decoding panic, and that
// whatever decodes survives an encode-decode round trip.
func FuzzWindowDecode(f *testing.F) {
	w := Window{TTL: time.Minute, Max: 4}
	for i := range 6 {
		w.Seen(fmt.Sprint(i), at(i*7))
	}
	b, _ := w.MarshalBinary()
	f.Add(b)
	s, _ := StateCodec{}.Encode(State{IDs: w})
	f.Add(s)
	s, _ = StateCodec{}.Encode(State{IDs: w, EventAt: 1, SeenAt: 2, TimerAt: 3})
	f.Add(s)
	f.Fuzz(func(t *testing.T, data []byte) {
		var w Window
		if w.UnmarshalBinary(data) == nil {
			once, _ := w.MarshalBinary()
			var w2 Window
			if err := w2.UnmarshalBinary(once); err != nil {
				t.Fatalf("re-decoding %x: %v", once, err)
			}
			if twice, _ := w2.MarshalBinary(); string(twice) != string(once) {
				t.Fatalf("round trip of %x gave %x", once, twice)
			}
			w.Seen("x", t0) // usable
		}
		if st, err := (StateCodec{}).Decode(data); err == nil {
			st.IDs.Seen("x", t0)
			st.Roots.Len()
		}
	})
}
