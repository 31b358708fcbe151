package processor

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/ripplestream/ripple/event"
)

func TestSelfContained(t *testing.T) {
	type plain struct {
		N    int
		S    string
		F    float64
		Arr  [3]struct{ A, B int }
		Flag bool
	}
	type embedsPlain struct {
		plain
		event.Meta `json:"-"`
	}
	type promoted struct {
		plain
		X int
	}
	type level int
	type withSlice struct {
		N    int
		Tags []string
	}
	type deep struct{ In [2]struct{ M map[string]int } }
	type hidden struct {
		N int
		n int
	}
	type padded struct {
		N int
		_ int
	}
	type skipped struct {
		N int
		S int `json:"-"`
	}
	type named struct {
		N int `json:"-,"` // a field named "-"
	}
	tests := []struct {
		t    reflect.Type
		want bool
	}{
		{reflect.TypeFor[int](), true},
		{reflect.TypeFor[string](), true},
		{reflect.TypeFor[level](), true},
		{reflect.TypeFor[plain](), true},
		{reflect.TypeFor[promoted](), true},
		{reflect.TypeFor[padded](), true},
		{reflect.TypeFor[named](), true},
		{reflect.TypeFor[[4]plain](), true},
		{reflect.TypeFor[struct{}](), true},
		{reflect.TypeFor[withSlice](), false},
		{reflect.TypeFor[deep](), false},
		{reflect.TypeFor[map[string]int](), false},
		{reflect.TypeFor[[]byte](), false},
		{reflect.TypeFor[*int](), false},
		{reflect.TypeFor[any](), false},
		{reflect.TypeFor[chan int](), false},
		{reflect.TypeFor[func()](), false},
		{reflect.TypeFor[unsafe.Pointer](), false},
		{reflect.TypeFor[[2]*int](), false},
		{reflect.TypeFor[time.Time](), false},       // holds a *Location, and encodes itself
		{reflect.TypeFor[json.Number](), true},      // a string
		{reflect.TypeFor[json.RawMessage](), false}, // a slice
		{reflect.TypeFor[hidden](), false},
		{reflect.TypeFor[skipped](), false},
		{reflect.TypeFor[embedsPlain](), false},
		{reflect.TypeFor[struct{ D time.Duration }](), true},
		{reflect.TypeFor[struct{ M event.Meta }](), false},
	}
	for _, tt := range tests {
		if got := selfContained(tt.t); got != tt.want {
			t.Errorf("selfContained(%v) = %v, want %v", tt.t, got, tt.want)
		}
	}
}

// counts is the state of the cache tests: self-contained.
type counts struct {
	Edits int    `json:"edits"`
	Bytes int    `json:"bytes"`
	Last  string `json:"last"`
}

// tally is a state that holds references: never cached decoded.
type tally struct {
	Tags []string       `json:"tags"`
	Seen map[string]int `json:"seen"`
}

// cacheEvent is the input of the cache tests.
type cacheEvent struct {
	Bytes  int    `json:"bytes"`
	Fail   bool   `json:"fail"`   // the handler fails after SetState
	Mutate string `json:"mutate"` // the handler changes its copy of the state to this, without SetState
}

// countingCodec is the JSON codec, counting decodes; it cannot encode a
// state of negative Bytes.
type countingCodec[S any] struct {
	event.JSON[S]
	decodes *int
}

func (c countingCodec[S]) Decode(b []byte) (S, error) {
	*c.decodes++
	return c.JSON.Decode(b)
}

func (c countingCodec[S]) Encode(s S) ([]byte, error) {
	if v, ok := any(s).(counts); ok && v.Bytes < 0 {
		return nil, errors.New("negative bytes")
	}
	return c.JSON.Encode(s)
}

// countsJob counts events and bytes per key.
func countsJob(decodes *int) Job[counts] {
	return Job[counts]{
		Name:  "cache",
		State: countingCodec[counts]{decodes: decodes},
		Inputs: []Input[counts]{On("in", event.JSON[cacheEvent]{}, func(c *Context[counts], key string, ev cacheEvent) error {
			st, _, err := c.State()
			if err != nil {
				return err
			}
			if ev.Mutate != "" {
				st.Last = ev.Mutate
				return nil
			}
			st.Edits++
			st.Bytes += ev.Bytes
			st.Last = fmt.Sprint(ev.Bytes)
			if err := c.SetState(st); err != nil {
				return err
			}
			if ev.Fail {
				return errors.New("failed after SetState")
			}
			return nil
		})},
	}
}

func send[S any](tw *testWorker[S], key string, ev cacheEvent) {
	b, _ := json.Marshal(ev)
	tw.send("in", key, b)
}

// stateOf returns the state of key as the handlers see it, and as stored
// once committed.
func stateOf(t *testing.T, tw *testWorker[counts], key string) counts {
	t.Helper()
	b, err := tw.state(key)
	if err != nil {
		t.Fatal(err)
	}
	var st counts
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatalf("state of %s: %v", key, err)
	}
	return st
}

func TestStateCacheManyEventsPerKey(t *testing.T) {
	var decodes int
	st := mapStorage{"old": []byte(`{"edits":10,"bytes":100,"last":"x"}`)}
	tw := newTestWorker(t, countsJob(&decodes), st)
	if !tw.e.typed {
		t.Fatal("counts is not cached decoded")
	}
	keys := []string{"old", "a", "b", "c"}
	want := map[string]counts{"old": {Edits: 10, Bytes: 100}}
	for i := range 1000 {
		k := keys[i%len(keys)]
		send(tw, k, cacheEvent{Bytes: i})
		w := want[k]
		w.Edits++
		w.Bytes += i
		w.Last = fmt.Sprint(i)
		want[k] = w
		if i%37 == 36 {
			tw.commit(t)
		}
	}
	tw.commit(t)
	if decodes != 1 {
		t.Errorf("state decoded %d times, want once (the stored key's first read)", decodes)
	}
	for _, k := range keys {
		if got := stateOf(t, tw, k); got != want[k] {
			t.Errorf("state of %s = %+v, want %+v", k, got, want[k])
		}
		var stored counts
		if err := json.Unmarshal(tw.stored(t, k), &stored); err != nil || stored != want[k] {
			t.Errorf("stored state of %s = %+v (%v), want %+v", k, stored, err, want[k])
		}
	}
	// The changelog carries the last value of each key.
	last := map[string]counts{}
	for _, m := range tw.prod.sent(tw.e.table) {
		k, _ := m.Key.Encode()
		v, _ := m.Value.Encode()
		var c counts
		if err := json.Unmarshal(v, &c); err != nil {
			t.Fatal(err)
		}
		last[string(k)] = c
	}
	for _, k := range keys {
		if last[k] != want[k] {
			t.Errorf("changelog of %s ends with %+v, want %+v", k, last[k], want[k])
		}
	}
}

func TestStateCacheEvictedKeyIsDecodedAgain(t *testing.T) {
	var decodes int
	tw := newTestWorker(t, countsJob(&decodes), nil)
	tw.maxCached = 0 // every stored entry is evicted once its batch completes
	send(tw, "k", cacheEvent{Bytes: 1})
	send(tw, "k", cacheEvent{Bytes: 2})
	if decodes != 0 {
		t.Fatalf("state decoded %d times before eviction, want 0 (cached)", decodes)
	}
	tw.commit(t)
	if len(tw.cache) != 0 {
		t.Fatalf("cache holds %d entries after eviction", len(tw.cache))
	}
	send(tw, "k", cacheEvent{Bytes: 3}) // read from the store
	if decodes != 1 {
		t.Fatalf("state decoded %d times after eviction, want 1", decodes)
	}
	send(tw, "k", cacheEvent{Bytes: 4}) // cached again by the write
	if decodes != 1 {
		t.Fatalf("state decoded %d times, want 1: the write did not cache it", decodes)
	}
	tw.commit(t)
	send(tw, "k", cacheEvent{Bytes: 5})
	if decodes != 2 {
		t.Fatalf("state decoded %d times after the second eviction, want 2", decodes)
	}
	if got, want := stateOf(t, tw, "k"), (counts{Edits: 5, Bytes: 15, Last: "5"}); got != want {
		t.Fatalf("state = %+v, want %+v", got, want)
	}
}

func TestStateCacheFailedHandlerLeavesState(t *testing.T) {
	var decodes int
	tw := newTestWorker(t, countsJob(&decodes), nil)
	send(tw, "k", cacheEvent{Bytes: 1})
	send(tw, "k", cacheEvent{Bytes: 10, Fail: true})      // SetState, then an error
	send(tw, "k", cacheEvent{Mutate: "changed in place"}) // no SetState
	send(tw, "k", cacheEvent{Bytes: -100})                // SetState of a state that cannot be encoded
	tw.commit(t)
	send(tw, "k", cacheEvent{Bytes: 2})
	if decodes != 0 {
		t.Fatalf("state decoded %d times, want 0: the test is of the cached value", decodes)
	}
	if got, want := stateOf(t, tw, "k"), (counts{Edits: 2, Bytes: 3, Last: "2"}); got != want {
		t.Fatalf("state = %+v, want %+v: a failed or state-less event changed it", got, want)
	}
	errs := tw.prod.sent(string(tw.e.r.job.errorStream()))
	if len(errs) != 2 {
		t.Fatalf("got %d error records, want 2", len(errs))
	}
	var rec ErrorRecord
	v, _ := errs[1].Value.Encode()
	if err := json.Unmarshal(v, &rec); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(rec.Message, `encoding state of key "k"`) || rec.Attempts != 1 {
		t.Fatalf("encode failure: error record %+v, want a permanent error about encoding the state", rec)
	}
}

func TestStateCacheSkipsTypesWithReferences(t *testing.T) {
	var decodes int
	var seen []string
	job := Job[tally]{
		Name:  "refs",
		State: countingCodec[tally]{decodes: &decodes},
		Inputs: []Input[tally]{On("in", event.JSON[cacheEvent]{}, func(c *Context[tally], key string, ev cacheEvent) error {
			st, ok, err := c.State()
			if err != nil {
				return err
			}
			if !ok {
				return c.SetState(tally{Tags: []string{"a"}, Seen: map[string]int{"a": 1}})
			}
			seen = append(seen, fmt.Sprint(st))
			st.Tags[0] = ev.Mutate // in place, without SetState
			st.Seen["a"] = 99
			return nil
		})},
	}
	tw := newTestWorker(t, job, nil)
	if tw.e.typed {
		t.Fatal("a state with a slice and a map is cached decoded")
	}
	send(tw, "k", cacheEvent{})
	send(tw, "k", cacheEvent{Mutate: "first"})
	send(tw, "k", cacheEvent{Mutate: "second"})
	if decodes != 2 {
		t.Errorf("state decoded %d times, want 2 (every read)", decodes)
	}
	want := fmt.Sprint(tally{Tags: []string{"a"}, Seen: map[string]int{"a": 1}})
	if len(seen) != 2 || seen[0] != want || seen[1] != want {
		t.Errorf("states read: %q, want %q twice: a change in place without SetState was kept", seen, want)
	}
}
