package state_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lovoo/goka/storage"
	"github.com/ripplestream/ripple/state"
)

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name    string
		cfg     state.Config
		wantErr string // substring; empty means valid
	}{
		{"defaults", state.Config{Dir: "d"}, ""},
		{"all set", state.Config{Dir: "d", BlockCacheBytes: 1 << 20, MemTableBytes: 1 << 20,
			RecoveryMemTableBytes: 8 << 20, RecoveryBatchBytes: 1 << 20, Sync: true, RecoveryWAL: true}, ""},
		{"no dir", state.Config{}, "Dir is empty"},
		{"negative cache", state.Config{Dir: "d", BlockCacheBytes: -1}, "BlockCacheBytes"},
		{"memtable too small", state.Config{Dir: "d", MemTableBytes: 1024}, "MemTableBytes"},
		{"memtable too large", state.Config{Dir: "d", MemTableBytes: 2 << 30}, "MemTableBytes"},
		{"recovery memtable too small", state.Config{Dir: "d", RecoveryMemTableBytes: 1}, "RecoveryMemTableBytes"},
		{"negative batch", state.Config{Dir: "d", RecoveryBatchBytes: -1}, "RecoveryBatchBytes"},
		{"batch over half memtable", state.Config{Dir: "d", RecoveryMemTableBytes: 1 << 20, RecoveryBatchBytes: 1 << 20}, "half"},
		{"small memtable shrinks default batch", state.Config{Dir: "d", RecoveryMemTableBytes: 1 << 20}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.Validate()
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, state.ErrInvalidConfig) || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Validate() = %v, want ErrInvalidConfig mentioning %q", err, tc.wantErr)
			}
			if _, err := state.New(tc.cfg); !errors.Is(err, state.ErrInvalidConfig) {
				t.Fatalf("New() = %v, want ErrInvalidConfig", err)
			}
		})
	}
}

func TestLifecycleErrors(t *testing.T) {
	st, err := state.New(state.Config{Dir: t.TempDir()})
	must(t, err)
	if _, err := st.Get("k"); !errors.Is(err, state.ErrNotOpen) {
		t.Fatalf("Get before Open = %v, want ErrNotOpen", err)
	}
	must(t, st.Open())
	must(t, st.Open()) // no-op
	must(t, st.MarkRecovered())
	must(t, st.MarkRecovered()) // idempotent
	must(t, st.Close())
	must(t, st.Close())
	for name, err := range map[string]error{
		"Open":          st.Open(),
		"Set":           st.Set("k", nil),
		"SetOffset":     st.SetOffset(1),
		"MarkRecovered": st.MarkRecovered(),
	} {
		if !errors.Is(err, state.ErrClosed) {
			t.Errorf("%s after Close = %v, want ErrClosed", name, err)
		}
	}
	if _, err := st.GetOffset(0); !errors.Is(err, state.ErrClosed) {
		t.Errorf("GetOffset after Close = %v, want ErrClosed", err)
	}
	if _, err := st.Stats(); !errors.Is(err, state.ErrClosed) {
		t.Errorf("Stats after Close = %v, want ErrClosed", err)
	}
}

// TestRecoveryBatch checks that buffered recovery writes are visible to
// reads and iterators before they are committed.
func TestRecoveryBatch(t *testing.T) {
	st := openStore(t, state.Config{Dir: t.TempDir()}) // nothing commits early
	defer st.Close()
	must(t, st.Set("a", []byte("1")))
	must(t, st.Set("b", []byte("2")))
	must(t, st.Delete("a"))
	must(t, st.SetOffset(9))
	stats, err := st.Stats()
	must(t, err)
	if !stats.Recovering || stats.PendingBytes == 0 {
		t.Fatalf("stats = %+v, want recovering with pending bytes", stats)
	}
	if v, err := st.Get("b"); err != nil || string(v) != "2" {
		t.Fatalf("Get(b) in recovery = %q, %v", v, err)
	}
	if ok, err := st.Has("a"); err != nil || ok {
		t.Fatalf("Has(a) after buffered Delete = %t, %v", ok, err)
	}
	it, err := st.Iterator()
	must(t, err)
	if !it.Next() || string(it.Key()) != "b" || it.Next() {
		t.Fatalf("iterator in recovery: want only b")
	}
	it.Release()
	stats, err = st.Stats()
	must(t, err)
	if stats.PendingBytes != 0 {
		t.Fatalf("PendingBytes after Iterator = %d, want 0 (committed)", stats.PendingBytes)
	}
}

func TestSetWithOffset(t *testing.T) {
	dir := t.TempDir()
	st := openStore(t, state.Config{Dir: dir})
	must(t, st.SetWithOffset("a", []byte("1"), 1))
	must(t, st.DeleteWithOffset("a", 2))
	must(t, st.SetWithOffset("b", []byte("2"), 3))
	must(t, st.MarkRecovered())
	must(t, st.SetWithOffset("c", []byte("3"), 4))
	must(t, st.DeleteWithOffset("b", 5))
	must(t, state.SetWithOffset(st, "d", []byte("4"), 6))
	must(t, st.Close())

	st = openStore(t, state.Config{Dir: dir})
	defer st.Close()
	for k, want := range map[string]string{"a": "", "b": "", "c": "3", "d": "4"} {
		if v, err := st.Get(k); err != nil || string(v) != want || (want == "") != (v == nil) {
			t.Errorf("Get(%q) = %q, %v; want %q", k, v, err, want)
		}
	}
	if off, err := st.GetOffset(-1); err != nil || off != 6 {
		t.Fatalf("GetOffset = %d, %v; want 6", off, err)
	}

	mem := storage.NewMemory() // no OffsetWriter: Set then SetOffset
	must(t, state.SetWithOffset(mem, "k", []byte("v"), 7))
	if off, _ := mem.GetOffset(-1); off != 7 {
		t.Fatalf("memory offset = %d, want 7", off)
	}
}

func TestCloseReleasesIterators(t *testing.T) {
	st := openStore(t, state.Config{Dir: t.TempDir()})
	must(t, st.Set("a", []byte("1")))
	it, err := st.Iterator()
	must(t, err)
	if !it.Next() {
		t.Fatal("Next = false")
	}
	must(t, st.Close())
	if it.Next() || it.Key() != nil {
		t.Fatal("iterator usable after Close")
	}
	if !errors.Is(it.Err(), state.ErrIteratorReleased) {
		t.Fatalf("Err = %v, want ErrIteratorReleased", it.Err())
	}
	it.Release()
}

func TestBuilder(t *testing.T) {
	base := t.TempDir()
	build := state.Builder(state.Config{Dir: base})
	var stores []storage.Storage
	for p := range int32(3) {
		st, err := build("group-table", p)
		must(t, err)
		must(t, st.Open())
		must(t, st.Set("k", []byte(fmt.Sprint(p))))
		must(t, st.MarkRecovered())
		stores = append(stores, st)
	}
	for p, st := range stores {
		if v, _ := st.Get("k"); string(v) != fmt.Sprint(p) {
			t.Errorf("partition %d: Get = %q", p, v)
		}
		must(t, st.Close())
		manifests, err := filepath.Glob(filepath.Join(base, fmt.Sprintf("group-table.%d", p), "MANIFEST-*"))
		if err != nil || len(manifests) == 0 {
			t.Errorf("partition %d: no Pebble database in <dir>/group-table.%d (%v)", p, p, err)
		}
	}
	// The shared cache was freed with the last store; a new one is made.
	st, err := build("group-table", 0)
	must(t, err)
	must(t, st.Open())
	must(t, st.Close())

	if _, err := state.Builder(state.Config{})("t", 0); !errors.Is(err, state.ErrInvalidConfig) {
		t.Fatalf("builder with invalid config: %v", err)
	}
}

func TestStats(t *testing.T) {
	st := openStore(t, state.Config{Dir: t.TempDir()})
	defer st.Close()
	for i := range 1000 {
		must(t, st.Set(fmt.Sprintf("key-%04d", i), []byte("value")))
	}
	must(t, st.SetOffset(999))
	must(t, st.MarkRecovered()) // flushes
	s, err := st.Stats()
	must(t, err)
	if s.Recovering || s.DiskBytes == 0 || s.EstimatedKeys != 1001 {
		t.Fatalf("stats = %+v; want recovered, on disk, 1001 keys", s)
	}
}

type jsonCodec[T any] struct{}

func (jsonCodec[T]) Encode(v T) ([]byte, error) { return json.Marshal(v) }
func (jsonCodec[T]) Decode(b []byte) (T, error) {
	var v T
	err := json.Unmarshal(b, &v)
	return v, err
}

func TestTyped(t *testing.T) {
	type counter struct{ N int }
	for name, st := range map[string]storage.Storage{
		"pebble": openStore(t, state.Config{Dir: t.TempDir()}),
		"memory": storage.NewMemory(),
	} {
		t.Run(name, func(t *testing.T) {
			defer st.Close()
			c := jsonCodec[counter]{}
			if _, ok, err := state.GetTyped(st, c, "k"); ok || err != nil {
				t.Fatalf("missing key: ok %t, err %v", ok, err)
			}
			must(t, state.SetTyped(st, c, "k", counter{N: 3}))
			if v, ok, err := state.GetTyped(st, c, "k"); !ok || err != nil || v.N != 3 {
				t.Fatalf("GetTyped = %+v, %t, %v", v, ok, err)
			}
			must(t, st.Set("bad", []byte("{")))
			if _, _, err := state.GetTyped(st, c, "bad"); err == nil || !strings.Contains(err.Error(), `"bad"`) {
				t.Fatalf("decode error = %v, want one naming the key", err)
			}
		})
	}
}
