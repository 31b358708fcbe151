package window_test

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/processor/processortest"
	"github.com/ripplestream/ripple/processor/window"
)

const (
	in   processor.Stream = "edits"
	out  processor.Stream = "edits.per_minute"
	late processor.Stream = "edits.per_minute.late"
)

// edit returns an event that happened sec seconds after t0.
func edit(n int, sec float64) []byte {
	return fmt.Appendf(nil, `{"$schema":"/test/1.0.0","meta":{"stream":"edits","id":"e%d"},"dt":%q,"n":%d,"bytes":%d}`,
		n, at(sec).Format(time.RFC3339Nano), n, n*10)
}

// start runs the stage on the harness, whose clock starts at t0.
func start[A, T any](t testing.TB, cfg window.Config[A, T]) *processortest.Harness[window.JobState[A]] {
	t.Helper()
	cfg.Name, cfg.Input, cfg.Output = "window-test", in, out
	job, err := window.Job(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return processortest.New(t, job, processor.Config{Now: func() time.Time { return t0 }})
}

func counting(a window.Assigner, lateness time.Duration) window.Config[int64, struct{}] {
	return window.Config[int64, struct{}]{Windower: window.Windower[int64, struct{}]{
		Assigner: a, Lateness: lateness, Aggregator: window.Count[struct{}]()}}
}

// emitted decodes the results emitted since the last call, checking each
// against the schema, and formats them as "key [start,end) count
// aggregate late closed_by".
func emitted[A any](t *testing.T, h *processortest.Harness[window.JobState[A]]) []string {
	t.Helper()
	var got []string
	for _, m := range h.Output(out) {
		if err := checkSchema(t, m.Value); err != nil {
			t.Fatalf("result %s: %v", m.Value, err)
		}
		var r window.ResultEvent[A]
		if err := json.Unmarshal(m.Value, &r); err != nil {
			t.Fatal(err)
		}
		if r.Key != m.Key || r.Schema != window.ResultSchema || r.Meta.Stream != string(out) ||
			!r.DT.Equal(r.Window.End) || r.Meta.DT.After(h.Now()) {
			t.Fatalf("result %s under key %s at %v", m.Value, m.Key, h.Now())
		}
		got = append(got, fmt.Sprintf("%s [%s,%s) %d %v %d %s", r.Key, rel(r.Window.Start), rel(r.Window.End),
			r.Count, r.Aggregate, r.Late, r.ClosedBy))
	}
	return got
}

func expect(t *testing.T, got []string, want ...string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("results\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestJobTumbling follows two keys through tumbling windows of a minute
// with 10 s lateness: windows close by watermark while a key is busy and
// by timer when it goes quiet, late events go to the late stream and are
// reported by the next result, and a quiet key's state expires.
func TestJobTumbling(t *testing.T) {
	h := start(t, counting(window.Tumbling(time.Minute), 10*time.Second))
	h.Send(in, "A", edit(1, 5))
	h.Send(in, "A", edit(2, 20))
	h.Send(in, "B", edit(3, 30))
	h.Send(in, "A", edit(4, 50))
	h.Send(in, "A", edit(5, 65)) // watermark 55: [0, 60) still open
	h.Send(in, "A", edit(6, 59))
	expect(t, emitted(t, h))
	h.Send(in, "A", edit(7, 75)) // watermark 65
	expect(t, emitted(t, h), "A [0,60) 4 4 0 watermark")

	h.Send(in, "A", edit(8, 30)) // its window has closed
	lates := h.Output(late)
	if len(lates) != 1 || lates[0].Key != "A" || string(lates[0].Value) != string(edit(8, 30)) {
		t.Fatalf("late stream: %v", lates)
	}
	if st, _ := h.State("A"); st.Late != 1 || len(st.Open) != 1 || !st.Timed {
		t.Fatalf("state of A: %+v", st)
	}

	// No more events. B's [0, 60) closes when processing time has moved
	// as far as event time must for it: from B's 30 s to 60 s + 10 s.
	h.Advance(39 * time.Second)
	expect(t, emitted(t, h))
	h.Advance(time.Second)
	expect(t, emitted(t, h), "B [0,60) 1 1 0 timer")
	// A's anchor (its newest event, 75 s, seen at 0 s) puts the close of
	// [60, 120) at 55 s, but A raced through event time (a backlog): it
	// kept the timer it set for [0, 60), due at 65 s, rather than set one
	// per event. That one closes it.
	h.Advance(24 * time.Second)
	expect(t, emitted(t, h))
	h.Advance(time.Second)
	expect(t, emitted(t, h), "A [60,120) 2 2 1 timer")

	// With every window closed, a key keeps its watermark for KeepIdle
	// (by default 60 s + 10 s), then forgets it: B at 110 s, A at 135 s.
	if st, ok := h.State("B"); !ok || len(st.Open) != 0 || st.Expires != at(110).UnixMilli() {
		t.Fatalf("state of B: %+v, %v", st, ok)
	}
	h.Advance(44 * time.Second)
	if _, ok := h.State("B"); !ok {
		t.Fatal("B forgotten early")
	}
	h.Advance(time.Second)
	if _, ok := h.State("B"); ok {
		t.Fatal("B not forgotten")
	}
	if n := h.Timers(); n != 1 {
		t.Fatalf("%d timers set, want A's expiry", n)
	}
	h.Advance(25 * time.Second)
	if keys := h.Keys(); len(keys) != 0 || h.Timers() != 0 {
		t.Fatalf("keys %v, %d timers after every key expired", keys, h.Timers())
	}
	if errs := h.Errors(); len(errs) != 0 {
		t.Fatalf("errors: %+v", errs)
	}
}

// TestJobOneTimerPerKey checks that a busy key keeps one pending timer,
// not one per event or window.
func TestJobOneTimerPerKey(t *testing.T) {
	h := start(t, counting(window.Hopping(time.Minute, 10*time.Second), 0))
	for i := range 100 {
		h.Send(in, "A", edit(i, float64(i)/2))
	}
	if n := h.Timers(); n != 1 {
		t.Fatalf("%d timers pending for one key, want 1", n)
	}
	if st, _ := h.State("A"); len(st.Open) != 6 {
		t.Fatalf("%d windows open, want 6", len(st.Open))
	}
	for range 12 {
		h.Advance(10 * time.Second)
	}
	got := emitted(t, h)
	if len(got) != 6+4 || !strings.HasPrefix(got[0], "A [-50,10) 20 20 0 ") {
		t.Fatalf("results %q", got)
	}
}

// TestJobSessionTimer checks that a session's timer follows the session as
// it grows: a timer set for its first end finds it extended and sets
// another, for the end it has then.
func TestJobSessionTimer(t *testing.T) {
	cfg := window.Config[int64, int64]{
		Windower: window.Windower[int64, int64]{Assigner: window.Session(30 * time.Second), Aggregator: window.Sum[int64]()},
		Value: func(raw []byte) (int64, error) {
			var v struct{ Bytes *int64 }
			if err := json.Unmarshal(raw, &v); err != nil || v.Bytes == nil {
				return 0, fmt.Errorf("no bytes field (%v)", err)
			}
			return *v.Bytes, nil
		},
	}
	h := start(t, cfg)
	h.Send(in, "S", edit(1, 0)) // [0, 30): timer due at 30 s
	h.Advance(20 * time.Second)
	h.Send(in, "S", edit(2, 20)) // [0, 50)
	h.Advance(10 * time.Second)  // S's first timer: nothing closes
	expect(t, emitted(t, h))
	if st, _ := h.State("S"); !st.Timed || st.TimerAt != at(50).UnixMilli() || st.TimerEnd != at(50).UnixMilli() {
		t.Fatalf("state of S: %+v", st)
	}
	h.Send(in, "T", edit(3, 30)) // [30, 60), due at 60 s
	h.Advance(20 * time.Second)
	expect(t, emitted(t, h), "S [0,50) 2 30 0 timer")
	h.Advance(10 * time.Second)
	expect(t, emitted(t, h), "T [30,60) 1 30 0 timer")

	h.Send(in, "S", []byte(`{"dt":"2026-11-01T12:01:00Z"}`))
	errs := h.Errors()
	if len(errs) != 1 || !strings.Contains(errs[0].Message, "window: Config.Value: no bytes field") {
		t.Fatalf("errors %+v", errs)
	}
}

// TestJobDowntime checks that a timer that fires long after it was due,
// as after downtime (here one long Advance of the harness clock), does not
// count that time as event time passing: the key's backlog gets another
// horizon to arrive before its window closes.
func TestJobDowntime(t *testing.T) {
	h := start(t, counting(window.Tumbling(time.Minute), 10*time.Second))
	h.Send(in, "A", edit(1, 30)) // [0, 60): due at 40 s
	h.Advance(time.Hour)
	expect(t, emitted(t, h))
	h.Send(in, "A", edit(2, 45)) // the backlog
	h.Advance(69 * time.Second)
	expect(t, emitted(t, h))
	h.Advance(time.Second) // a horizon (60 s + 10 s) after the restart
	expect(t, emitted(t, h), "A [0,60) 2 2 0 timer")
	if n := len(h.Output(late)); n != 0 {
		t.Fatalf("%d late events", n)
	}
}

// TestJobMaxOpen checks that a key over MaxOpen closes its oldest window
// early, as a result closed by the limit.
func TestJobMaxOpen(t *testing.T) {
	cfg := counting(window.Tumbling(time.Second), time.Hour)
	cfg.Windower.MaxOpen = 2
	h := start(t, cfg)
	for i := range 4 {
		h.Send(in, "K", edit(i, float64(i)))
	}
	h.Send(in, "K", edit(9, 0.5)) // late: [0, 1) was closed by the limit
	expect(t, emitted(t, h), "K [0,1) 1 1 0 limit", "K [1,2) 1 1 0 limit")
	if n := len(h.Output(late)); n != 1 {
		t.Fatalf("%d late events", n)
	}
}

// TestJobResultID checks that a window's result has the same meta.id
// whenever it is emitted, here after its key's state expired and a very
// late event opened the window again, so dedupe can drop the copy.
func TestJobResultID(t *testing.T) {
	h := start(t, counting(window.Tumbling(time.Minute), 0))
	h.Send(in, "A", edit(1, 10))
	h.Advance(50 * time.Second)
	first := h.Output(out)
	h.Advance(time.Minute) // A expires
	if _, ok := h.State("A"); ok {
		t.Fatal("A did not expire")
	}
	h.Send(in, "A", edit(2, 20))
	h.Advance(40 * time.Second)
	again := h.Output(out)
	if len(first) != 1 || len(again) != 1 {
		t.Fatalf("results %d and %d", len(first), len(again))
	}
	var r1, r2 window.ResultEvent[int64]
	_ = json.Unmarshal(first[0].Value, &r1)
	_ = json.Unmarshal(again[0].Value, &r2)
	uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	if r1.Meta.ID != r2.Meta.ID || !uuid.MatchString(r1.Meta.ID) {
		t.Fatalf("ids %q and %q", r1.Meta.ID, r2.Meta.ID)
	}
	h.Send(in, "B", edit(3, 130))
	h.Advance(50 * time.Second)
	var r3 window.ResultEvent[int64]
	_ = json.Unmarshal(h.Output(out)[0].Value, &r3)
	if r3.Meta.ID == r1.Meta.ID {
		t.Fatal("two windows share an id")
	}
}

// TestJobBadInput checks that events the stage cannot window go to the
// error topic with a reason that says what is wrong, and change nothing.
func TestJobBadInput(t *testing.T) {
	cfg := counting(window.Tumbling(time.Minute), 0)
	cfg.MaxEventBytes = 200
	h := start(t, cfg)
	h.Send(in, "A", edit(1, 5))
	for _, c := range []struct{ event, want string }{
		{`{"dt":`, "window: event is not a JSON object: event: decode json: unexpected end of JSON input"},
		{`[1,2]`, `window: event is not a JSON object: it starts with "[1,2]"`},
		{``, "window: event is not a JSON object: it is empty"},
		{`null`, `window: event is not a JSON object: it starts with "null"`},
		{`{"meta":{"id":"x"}}`, "window: event has no dt (its event time)"},
		{`{"dt":null}`, "window: event has no dt"},
		{`{"dt":1730462400}`, "window: dt is not an RFC 3339 date-time string: it is 1730462400"},
		{`{"dt":{"at":"now"}}`, `window: dt is not an RFC 3339 date-time string: it is {"at":"now"}`},
		{`{"dt":"2026-11-01 12:00:00"}`, `window: dt is not an RFC 3339 date-time string: "2026-11-01 12:00:00"`},
		{`{"dt":"2026-11-01T14:00:00Z"}`, "window: event time too far in the future: 2026-11-01T14:00:00Z is 2h0m0s ahead of processing time 2026-11-01T12:00:00Z (Config.MaxFuture 1h0m0s)"},
		{`{"dt":"2026-11-01T12:00:00Z","pad":"` + strings.Repeat("x", 200) + `"}`, "window: event too large: 238 bytes, limit 200 (Config.MaxEventBytes)"},
	} {
		h.Send(in, "A", []byte(c.event))
		errs := h.Errors()
		if len(errs) != 1 || !strings.HasPrefix(errs[0].Message, c.want) ||
			!strings.Contains(errs[0].Message, `(stream edits, partition 0, offset `) || !strings.HasSuffix(errs[0].Message, `key "A")`) {
			t.Errorf("%s: errors %+v, want %q", c.event, errs, c.want)
		}
	}
	st, _ := h.State("A")
	if len(st.Open) != 1 || st.Open[0].Count != 1 || st.Late != 0 {
		t.Fatalf("state of A after bad input: %+v", st)
	}
	if n := len(h.Output(late)); n != 0 {
		t.Fatalf("%d late events", n)
	}
}

// TestJobEventTime checks a custom event time extractor, and that its
// errors reach the error topic.
func TestJobEventTime(t *testing.T) {
	cfg := counting(window.Tumbling(time.Minute), 0)
	cfg.EventTime = func(raw []byte) (time.Time, error) {
		var v struct{ TS *int64 }
		if err := json.Unmarshal(raw, &v); err != nil || v.TS == nil {
			return time.Time{}, fmt.Errorf("no ts")
		}
		return time.UnixMilli(*v.TS), nil
	}
	h := start(t, cfg)
	h.Send(in, "A", fmt.Appendf(nil, `{"ts":%d}`, at(1).UnixMilli()))
	h.Send(in, "A", fmt.Appendf(nil, `{"ts":%d}`, at(61).UnixMilli()))
	h.Send(in, "A", []byte(`{"dt":"2026-11-01T12:00:00Z"}`))
	expect(t, emitted(t, h), "A [0,60) 1 1 0 watermark")
	if errs := h.Errors(); len(errs) != 1 || !strings.HasPrefix(errs[0].Message, "window: Config.EventTime: no ts") {
		t.Fatalf("errors %+v", errs)
	}
}

func TestConfigValidate(t *testing.T) {
	ok := counting(window.Tumbling(time.Minute), 0)
	for _, c := range []struct {
		change func(*window.Config[int64, struct{}])
		want   string
	}{
		{func(c *window.Config[int64, struct{}]) { c.Name = "" }, "are all required"},
		{func(c *window.Config[int64, struct{}]) { c.Output = c.Input }, "must differ"},
		{func(c *window.Config[int64, struct{}]) { c.LateOutput = c.Input }, "must differ"},
		{func(c *window.Config[int64, struct{}]) { c.Windower.Assigner = window.Assigner{} }, "job w: window: invalid config: no window assigner"},
		{func(c *window.Config[int64, struct{}]) { c.CloseDelay = -time.Second }, "must not be negative"},
	} {
		cfg := ok
		cfg.Name, cfg.Input, cfg.Output = "w", "a", "b"
		c.change(&cfg)
		if _, err := window.Job(cfg); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v, want %q", err, c.want)
		}
	}
	cfg := ok
	cfg.Name, cfg.Input, cfg.Output = "w", "a", "b"
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil || cfg.LateOutput != "b.late" || cfg.KeepIdle != time.Minute ||
		cfg.MaxFuture != window.DefaultMaxFuture || cfg.EventTime == nil {
		t.Fatalf("%v: %+v", err, cfg)
	}
}
