package dedupe

import (
	"errors"
	"testing"
	"time"

	"github.com/ripplestream/ripple/event"
)

func TestStateCodec(t *testing.T) {
	var st State
	st.IDs.TTL = time.Minute
	st.IDs.Seen("a", t0)
	st.Roots.Admit(event.RootEvent{Signature: "T", DT: t0}, t0)
	untimed, _ := StateCodec{}.Encode(st)
	if untimed[0] != formatState {
		t.Fatalf("state without anchor encoded in format %d, want %d (as before timers)", untimed[0], formatState)
	}
	st.EventAt, st.SeenAt, st.TimerAt = t0.UnixMilli()-600_000, t0.UnixMilli(), t0.UnixMilli()+60_000
	timed, _ := StateCodec{}.Encode(st)
	if extra := len(timed) - len(untimed); extra > 14 {
		t.Errorf("the anchor and timer take %d bytes, want <= 14", extra)
	}
	for _, b := range [][]byte{untimed, timed} {
		got, err := StateCodec{}.Decode(b)
		if err != nil {
			t.Fatal(err)
		}
		want := st
		if b[0] == formatState {
			want.EventAt, want.SeenAt, want.TimerAt = 0, 0, 0
		}
		if got.EventAt != want.EventAt || got.SeenAt != want.SeenAt || got.TimerAt != want.TimerAt ||
			got.IDs.Len() != 1 || got.Roots.Len() != 1 || !got.IDs.Seen("a", t0) {
			t.Fatalf("format %d: decoded %+v, want %+v", b[0], got, want)
		}
	}
	st.TimerAt = 0 // anchored, no timer pending
	b, _ := StateCodec{}.Encode(st)
	if got, err := (StateCodec{}).Decode(b); err != nil || got.TimerAt != 0 || got.SeenAt != st.SeenAt {
		t.Fatalf("anchored state without timer decoded as %+v, %v", got, err)
	}
	for name, b := range map[string][]byte{
		"unknown flags":    {formatTimed, 0x80, 0, 0},
		"truncated anchor": timed[:3],
		"no window":        timed[:2+6],
	} {
		var de *event.DecodeError
		if _, err := (StateCodec{}).Decode(b); !errors.As(err, &de) || !errors.Is(err, errCorrupt) {
			t.Errorf("%s: Decode(%x) = %v, want a DecodeError wrapping errCorrupt", name, b, err)
		}
	}
}
