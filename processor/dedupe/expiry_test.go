package dedupe_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/processor/dedupe"
	"github.com/ripplestream/ripple/processor/processortest"
)

// TestJobExpiresQuietKeys feeds 20,000 events with unique ids, 1 ms apart,
// with a 50 ms TTL: three in four under a key never seen again, one in four
// under one of ten hot keys. The stage's time is the harness clock (the
// tester's records carry no timestamp). Expiry timers must delete the
// state of each key once its last id expires, so the number of keys in the
// store, the bytes they take and the timers pending stay flat however long
// the stream runs, and nothing is left once the stream stops.
func TestJobExpiresQuietKeys(t *testing.T) {
	n := 20_000
	if testing.Short() {
		n = 4_000
	}
	h := start(t, dedupe.Config{TTL: 50 * time.Millisecond})
	// Keys with live ids: the unique keys of the last 50 ms (~38) and the
	// ten hot keys, each with at most two ids (one event every 40 ms).
	const maxKeys, maxBytes = 60, 60 * 48
	var largestKeys, largestBytes, largestTimers int
	for i := range n {
		key := fmt.Sprintf("once-%d", i)
		if i%4 == 0 {
			key = fmt.Sprintf("hot-%d", i/4%10)
		}
		h.Send(in, key, fmt.Appendf(nil, `{"meta":{"id":"id-%d"}}`, i))
		h.Advance(time.Millisecond)
		if i%1000 != 999 {
			continue
		}
		keys, size := stored(t, h)
		timers := h.Timers()
		if keys > maxKeys || size > maxBytes || timers > keys {
			t.Fatalf("after %d events: %d keys in %d bytes with %d timers pending, want <= %d keys in %d bytes, <= one timer per key",
				i+1, keys, size, timers, maxKeys, maxBytes)
		}
		largestKeys, largestBytes, largestTimers = max(largestKeys, keys), max(largestBytes, size), max(largestTimers, timers)
	}
	if got := len(h.Output(out)); got != n {
		t.Fatalf("%d of %d unique ids emitted", got, n)
	}
	// The stream stops: within a TTL every key is gone. Timers are never
	// more than a TTL ahead, so steps of 10 ms find them on time.
	for range 6 {
		h.Advance(10 * time.Millisecond)
	}
	if keys, size := stored(t, h); keys != 0 || h.Timers() != 0 {
		t.Fatalf("60 ms after the last event: %d keys (%d bytes) and %d timers left", keys, size, h.Timers())
	}
	t.Logf("%d events on %d keys: at most %d keys, %d bytes of state and %d timers at once",
		n, n*3/4+10, largestKeys, largestBytes, largestTimers)
}

// stored returns the number of keys with state and the bytes of their
// encoded states.
func stored(t *testing.T, h *processortest.Harness[dedupe.State]) (keys, bytes int) {
	t.Helper()
	for _, k := range h.Keys() {
		st, ok := h.State(k)
		if !ok {
			continue
		}
		b, _ := dedupe.StateCodec{}.Encode(st)
		keys++
		bytes += len(b)
	}
	return keys, bytes
}

// TestJobExpiryKeepsLiveIDs checks that a timer prunes only what expired:
// ids still within their TTL keep catching duplicates, and the key goes
// once its newest id expires.
func TestJobExpiryKeepsLiveIDs(t *testing.T) {
	h := start(t, dedupe.Config{TTL: 50 * time.Millisecond})
	h.Send(in, "k", []byte(ev("a")))
	h.Advance(30 * time.Millisecond)
	h.Send(in, "k", []byte(ev("b")))
	if n := h.Timers(); n != 1 {
		t.Fatalf("%d timers for one key, want 1", n)
	}
	h.Advance(30 * time.Millisecond) // the timer for a fires; b lives until +80 ms
	st, ok := h.State("k")
	if !ok || st.IDs.Len() != 1 || h.Timers() != 1 {
		t.Fatalf("at +60 ms: state %v with %d ids and %d timers, want b alone and the next timer", ok, st.IDs.Len(), h.Timers())
	}
	h.Send(in, "k", []byte(ev("b")))
	h.Send(in, "k", []byte(ev("a")))
	if got := values(h.Output(out)); len(got) != 3 || got[2] != "k "+ev("a") {
		t.Fatalf("output %q, want a, b and a again (expired), not b twice", got)
	}
	// a, sent again at +60 ms, lives until +110 ms.
	h.Advance(20 * time.Millisecond)
	if st, _ := h.State("k"); st.IDs.Len() != 1 {
		t.Fatalf("at +80 ms the key holds %d ids, want a alone", st.IDs.Len())
	}
	h.Advance(30 * time.Millisecond)
	if _, ok := h.State("k"); ok || h.Timers() != 0 {
		t.Fatalf("at +110 ms: state left %v, %d timers, want neither", ok, h.Timers())
	}
}

// TestJobExpiryAfterDowntime: a timer found far overdue (the job was down)
// does not count the downtime as time passing; the key gets another
// horizon for the backlog of its events to arrive, then goes.
func TestJobExpiryAfterDowntime(t *testing.T) {
	records := newClock() // the record timestamps: the backlog is 10 ms long
	h := start(t, dedupe.Config{TTL: 50 * time.Millisecond, Clock: records.now})
	h.Send(in, "k", []byte(ev("a")))
	h.Advance(time.Hour)
	if _, ok := h.State("k"); !ok {
		t.Fatal("state deleted by a timer an hour overdue")
	}
	records.add(10 * time.Millisecond)
	h.Send(in, "k", []byte(ev("a"))) // a redelivery in the backlog
	if got := h.Output(out); len(got) != 1 {
		t.Fatalf("%d events emitted, want a once", len(got))
	}
	h.Advance(50 * time.Millisecond)
	if _, ok := h.State("k"); ok || h.Timers() != 0 {
		t.Fatalf("a horizon later: state left %v, %d timers", ok, h.Timers())
	}
}

// TestJobNoTimers keeps the behaviour before expiry timers: no timer, the
// state stays until the key's next event.
func TestJobNoTimers(t *testing.T) {
	cfg := dedupe.Config{Name: "dedupe-test", Input: in, Output: out, TTL: 50 * time.Millisecond, NoTimers: true}
	job, err := dedupe.Job(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if job.Timer != nil {
		t.Fatal("job with NoTimers has a Timer handler")
	}
	h := processortest.New(t, job, processor.Config{})
	h.Send(in, "k", []byte(ev("a")))
	h.Advance(time.Second)
	st, ok := h.State("k")
	if !ok || st.IDs.Len() != 1 || st.TimerAt != 0 || st.SeenAt != 0 {
		t.Fatalf("state %+v (%v), want a alone and no anchor", st, ok)
	}
}
