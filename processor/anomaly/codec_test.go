package anomaly_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/processor/anomaly"
)

// keyStates returns states in every shape the job stores.
func keyStates(t testing.TB) []anomaly.KeyState {
	d := validated(t, anomaly.Detector{Seasonal: true, MinHistory: 5, History: 8})
	var live anomaly.KeyState
	for i := range 30 {
		n := float64(10 + i%3)
		if i == 26 {
			n = 500
		}
		for _, tr := range d.Observe(&live.State, minute(i), n) {
			if tr.Status == anomaly.Firing {
				live.Fired = &tr
			}
		}
	}
	live.LastEvent, live.Timer = minute(29).Add(123), minute(30).Add(6*time.Second)
	if !live.Firing || live.Fired == nil || len(live.Hourly) != 24 || len(live.Resid) != 8 {
		t.Fatalf("fixture is not firing with a full ring: %+v", live)
	}
	ancient := anomaly.KeyState{State: anomaly.State{Clock: time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC),
		Start: time.Date(9999, 12, 31, 23, 59, 0, 0, time.UTC), Late: -7, Open: []float64{1, 2}}}
	return []anomaly.KeyState{{}, live, ancient}
}

func TestStateCodec(t *testing.T) {
	var c anomaly.StateCodec
	for i, st := range keyStates(t) {
		b, err := c.Encode(st)
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.Decode(b)
		if err != nil {
			t.Fatalf("state %d: %v", i, err)
		}
		// Times come back in UTC; compare through JSON, which keeps instants.
		want, _ := json.Marshal(st)
		have, _ := json.Marshal(got)
		if string(want) != string(have) {
			t.Fatalf("state %d round trip:\n%s\n%s", i, want, have)
		}
		j, _ := json.Marshal(st)
		t.Logf("state %d: %d bytes, %d as JSON", i, len(b), len(j))
	}
	full, _ := c.Encode(keyStates(t)[1])
	for name, b := range map[string][]byte{
		"empty":     nil,
		"format":    {9},
		"truncated": full[:len(full)-1],
		"trailing":  append(append([]byte{}, full...), 0),
		"bool":      append([]byte{1, 2}, full[2:]...), // Clock's presence byte is 2
		"length":    {1, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x0f},
	} {
		_, err := c.Decode(b)
		var de *event.DecodeError
		if !errors.As(err, &de) || de.Codec != "anomaly" {
			t.Errorf("%s: Decode = %v, want an anomaly DecodeError", name, err)
		}
	}
}

func FuzzStateCodec(f *testing.F) {
	var c anomaly.StateCodec
	for _, st := range keyStates(f) {
		b, _ := c.Encode(st)
		f.Add(b)
	}
	nan := keyStates(f)[1]
	nan.Hourly[22] = math.NaN() // once failed the round trip check: NaN != NaN
	b, _ := c.Encode(nan)
	f.Add(b)
	d := validated(f, anomaly.Detector{Seasonal: true})
	f.Fuzz(func(t *testing.T, data []byte) {
		st, err := c.Decode(data)
		if err != nil {
			return
		}
		again, _ := c.Encode(st)
		st2, err := c.Decode(again)
		third, _ := c.Encode(st2)
		if err != nil || !bytes.Equal(again, third) { // not DeepEqual: a NaN is not equal to itself
			t.Fatalf("round trip of %x: %+v, %v", data, st2, err)
		}
		d.Observe(&st.State, st.Clock.Add(time.Minute), 1) // must not panic
		d.Advance(&st.State, st.Clock.Add(time.Hour))
	})
}
