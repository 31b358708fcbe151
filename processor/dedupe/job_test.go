package dedupe_test

import (
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/processor/dedupe"
	"github.com/ripplestream/ripple/processor/processortest"
)

const (
	in  processor.Stream = "events"
	out processor.Stream = "events.deduped"
)

// fakeClock is a Config.Clock the test moves.
type fakeClock struct{ ms atomic.Int64 }

func (c *fakeClock) now() time.Time      { return time.UnixMilli(c.ms.Load()) }
func (c *fakeClock) add(d time.Duration) { c.ms.Add(d.Milliseconds()) }
func newClock() *fakeClock               { c := &fakeClock{}; c.ms.Store(1_790_000_000_000); return c }
func ev(id string) string                { return fmt.Sprintf(`{"meta":{"stream":"events","id":%q},"n":1}`, id) }
func evRoot(id, sig string, dt int) string {
	return fmt.Sprintf(`{"meta":{"id":%q},"root_event":{"signature":%q,"dt":"2026-11-01T00:00:%02dZ"}}`, id, sig, dt)
}

func start(t testing.TB, cfg dedupe.Config) *processortest.Harness[dedupe.State] {
	t.Helper()
	cfg.Name, cfg.Input, cfg.Output = "dedupe-test", in, out
	job, err := dedupe.Job(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return processortest.New(t, job, processor.Config{})
}

func values(ms []processortest.Message) []string {
	var s []string
	for _, m := range ms {
		s = append(s, m.Key+" "+string(m.Value))
	}
	return s
}

func TestJobEmitsFirstOccurrences(t *testing.T) {
	clock := newClock()
	h := start(t, dedupe.Config{TTL: time.Minute, Clock: clock.now})
	for _, s := range []struct{ key, id string }{
		{"k1", "a"}, {"k1", "a"}, {"k1", "b"}, {"k2", "a"}, {"k1", "b"}, {"k2", "a"}, {"k1", "c"},
	} {
		h.Send(in, s.key, []byte(ev(s.id)))
		clock.add(time.Second)
	}
	want := []string{"k1 " + ev("a"), "k1 " + ev("b"), "k2 " + ev("a"), "k1 " + ev("c")}
	if got := values(h.Output(out)); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("output:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	clock.add(55 * time.Second) // a (0 s) and b (2 s) expire, c (6 s) does not
	h.Send(in, "k1", []byte(ev("a")))
	h.Send(in, "k1", []byte(ev("c")))
	if got := values(h.Output(out)); len(got) != 1 || got[0] != "k1 "+ev("a") {
		t.Fatalf("after the TTL, output %q, want only a again", got)
	}
	if errs := h.Errors(); len(errs) != 0 {
		t.Fatalf("error records: %+v", errs)
	}
}

func TestJobCustomID(t *testing.T) {
	h := start(t, dedupe.Config{ID: func(raw []byte) (string, error) {
		if len(raw) < 3 {
			return "", errors.New("too short for an id")
		}
		return string(raw[:3]), nil
	}})
	for _, v := range []string{"abc-1", "abc-2", "abd-1", "x"} {
		h.Send(in, "k", []byte(v))
	}
	if got := values(h.Output(out)); strings.Join(got, ",") != "k abc-1,k abd-1" {
		t.Fatalf("output %q", got)
	}
	if errs := h.Errors(); len(errs) != 1 || !strings.Contains(errs[0].Message, "too short for an id") {
		t.Fatalf("errors %+v, want the ID function's error", errs)
	}
}

func TestJobSupersede(t *testing.T) {
	h := start(t, dedupe.Config{Supersede: true})
	for _, v := range []string{
		evRoot("1", "T", 10), evRoot("2", "T", 10), // one cascade
		evRoot("3", "T", 20), // a newer edit of T
		evRoot("4", "T", 10), // stale: cut off
		evRoot("5", "U", 5),  // another signature
		ev("6"),              // no root
		evRoot("3", "T", 20), // duplicate id
	} {
		h.Send(in, "page", []byte(v))
	}
	var ids []string
	for _, m := range h.Output(out) {
		id, _ := dedupe.MetaID(m.Value)
		ids = append(ids, id)
	}
	if strings.Join(ids, ",") != "1,2,3,5,6" {
		t.Fatalf("emitted ids %v, want 1,2,3,5,6", ids)
	}
	st, _ := h.State("page")
	if st.Roots.Len() != 2 || st.IDs.Len() != 6 {
		t.Fatalf("state holds %d roots and %d ids, want 2 and 6", st.Roots.Len(), st.IDs.Len())
	}
}

func TestJobBadInput(t *testing.T) {
	h := start(t, dedupe.Config{Supersede: true, MaxEventBytes: 2 << 20})
	huge := `{"meta":{"id":"big"},"pad":"` + strings.Repeat("x", 10<<20) + `"}`
	cases := []struct{ name, value, want string }{
		{"not json", `{"meta":`, "unexpected end of JSON input"},
		{"not an object", `["meta"]`, "not a JSON object"},
		{"null", `null`, "not a JSON object"},
		{"no meta.id", `{"meta":{"stream":"s"}}`, "no meta.id"},
		{"empty meta.id", `{"meta":{"id":""}}`, "no meta.id"},
		{"meta.id a number", `{"meta":{"id":42}}`, "field meta.id: number value where string expected"},
		{"meta a string", `{"meta":"x"}`, "field meta: string value where"},
		{"invalid UTF-8", "{\"meta\":{\"id\":\"a\xff\xfeb\"}}", "not valid UTF-8 (first bad byte at 16)"},
		{"10 MB", huge, "event too large: 10485790 bytes, limit 2097152"},
		{"root without dt", `{"meta":{"id":"r"},"root_event":{"signature":"T"}}`, "root_event needs"},
		{"root dt not a time", `{"meta":{"id":"r"},"root_event":{"signature":"T","dt":"yesterday"}}`, "RFC 3339"},
	}
	for _, c := range cases {
		h.Send(in, "k-"+c.name, []byte(c.value))
	}
	h.Send(in, "k", []byte(ev("fine"))) // the job goes on
	if got := h.Output(out); len(got) != 1 {
		t.Fatalf("%d events emitted, want only the valid one", len(got))
	}
	errs := h.Errors()
	if len(errs) != len(cases) {
		t.Fatalf("%d error records, want %d: %+v", len(errs), len(cases), errs)
	}
	for i, c := range cases {
		e := errs[i]
		if !strings.Contains(e.Message, c.want) || e.Key != "k-"+c.name || e.Attempts != 1 || e.ErrorType != "handler" {
			t.Errorf("%s: error record %q (key %s, %d attempts, %s), want a first-attempt message containing %q",
				c.name, e.Message, e.Key, e.Attempts, e.ErrorType, c.want)
		}
		if !strings.Contains(e.Message, "stream events") {
			t.Errorf("%s: message %q does not name the stream", c.name, e.Message)
		}
	}
}

// TestJobStateStaysFlat feeds 100,000 unique ids to one key, 1 ms apart,
// with a 50 ms TTL: ids expire as fast as they come, so the stored state
// must stay at about 50 ids however long the stream runs.
func TestJobStateStaysFlat(t *testing.T) {
	n := 100_000
	if testing.Short() {
		n = 10_000
	}
	clock := newClock()
	h := start(t, dedupe.Config{TTL: 50 * time.Millisecond, Clock: clock.now})
	const bound = 51*10 + 16 // at most 51 live ids, ~10 bytes each, plus the header
	var largest int
	for i := range n {
		h.Send(in, "one-key", fmt.Appendf(nil, `{"meta":{"id":"id-%d"}}`, i))
		clock.add(time.Millisecond)
		if i%1000 == 999 {
			st, ok := h.State("one-key")
			b, _ := dedupe.StateCodec{}.Encode(st)
			if !ok || len(b) > bound || st.IDs.Len() > 51 {
				t.Fatalf("after %d ids the state holds %d ids in %d bytes, bound %d", i+1, st.IDs.Len(), len(b), bound)
			}
			largest = max(largest, len(b))
		}
	}
	if got := len(h.Output(out)); got != n {
		t.Fatalf("%d of %d unique ids emitted", got, n)
	}
	t.Logf("%d unique ids: largest stored state %d bytes", n, largest)
}

func TestConfigValidate(t *testing.T) {
	ok := dedupe.Config{Name: "d", Input: "a", Output: "b"}
	tests := []struct {
		name   string
		change func(*dedupe.Config)
		want   string
	}{
		{"defaults", func(*dedupe.Config) {}, ""},
		{"no name", func(c *dedupe.Config) { c.Name = "" }, "Name is empty"},
		{"no output", func(c *dedupe.Config) { c.Output = "" }, "both required"},
		{"loop", func(c *dedupe.Config) { c.Output = c.Input }, "a loop"},
		{"negative TTL", func(c *dedupe.Config) { c.TTL = -time.Second }, "TTL -1000000000 is negative"},
		{"sub-millisecond TTL", func(c *dedupe.Config) { c.TTL = time.Microsecond }, "at least 1ms"},
		{"huge MaxIDs", func(c *dedupe.Config) { c.MaxIDs = 1 << 30 }, "at most"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ok
			tt.change(&c)
			before := fmt.Sprintf("%+v", c)
			err := c.Validate()
			if after := fmt.Sprintf("%+v", c); after != before {
				t.Fatalf("Validate changed its receiver: %s, was %s", after, before)
			}
			c = c.WithDefaults()
			if tt.want == "" {
				if err != nil || c.Validate() != nil || c.TTL != dedupe.DefaultTTL || c.MaxIDs != dedupe.DefaultMaxIDs || c.MaxEventBytes != dedupe.DefaultMaxEventBytes {
					t.Fatalf("Validate = %v, config %+v", err, c)
				}
				return
			}
			if !errors.Is(err, dedupe.ErrInvalidConfig) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Validate = %v, want ErrInvalidConfig with %q", err, tt.want)
			}
			if _, err := dedupe.Job(c); err == nil {
				t.Fatal("Job accepted an invalid config")
			}
		})
	}
}
