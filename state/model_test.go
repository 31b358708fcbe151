package state_test

import (
	"bytes"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/lovoo/goka/storage"
	"github.com/ripplestream/ripple/state"
)

// model is the reference a Store is checked against: a map and an offset.
type model struct {
	kv     map[string][]byte
	offset int64
	known  bool
}

// TestModel drives a Store with random operations, including MarkRecovered
// and Close+reopen, and checks every read against a Go map.
func TestModel(t *testing.T) {
	const seeds, ops = 20, 2000
	for seed := range uint64(seeds) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			t.Parallel()
			runModel(t, seed, ops)
		})
	}
}

func runModel(t *testing.T, seed uint64, ops int) {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	cfg := state.Config{
		Dir:                   t.TempDir(),
		MemTableBytes:         64 << 10,
		RecoveryMemTableBytes: 256 << 10,
		RecoveryBatchBytes:    64 + rng.IntN(8<<10),
		RecoveryWAL:           rng.IntN(2) == 0,
	}
	st := openStore(t, cfg)
	defer func() { _ = st.Close() }()
	m := &model{kv: map[string][]byte{}}
	keys := modelKeys(rng)
	for i := range ops {
		key := keys[rng.IntN(len(keys))]
		switch p := rng.IntN(100); {
		case p < 30:
			v := randValue(rng)
			must(t, st.Set(key, v))
			m.kv[key] = v
		case p < 40:
			must(t, st.Delete(key))
			delete(m.kv, key)
		case p < 48:
			m.offset, m.known = int64(i), true
			must(t, st.SetOffset(m.offset))
		case p < 54:
			v := randValue(rng)
			m.kv[key], m.offset, m.known = v, int64(i), true
			must(t, st.SetWithOffset(key, v, m.offset))
		case p < 57:
			delete(m.kv, key)
			m.offset, m.known = int64(i), true
			must(t, st.DeleteWithOffset(key, m.offset))
		case p < 80:
			m.checkGet(t, st, key)
		case p < 92:
			m.checkRange(t, st, rng, keys)
		case p < 96:
			must(t, st.MarkRecovered())
		default:
			must(t, st.Close())
			st = openStore(t, cfg)
		}
		m.checkOffset(t, st)
	}
	m.checkRange(t, st, rng, keys)
}

func modelKeys(rng *rand.Rand) []string {
	keys := []string{"", "\x00", "\xff", "\xff\xff", "_", "__offset0", "a", "ab"}
	for len(keys) < 64 {
		keys = append(keys, fmt.Sprintf("k%03d", rng.IntN(1000)))
	}
	return keys
}

func randValue(rng *rand.Rand) []byte {
	v := make([]byte, rng.IntN(40))
	for i := range v {
		v[i] = byte(rng.IntN(256))
	}
	return v
}

func (m *model) checkGet(t *testing.T, st *state.Store, key string) {
	t.Helper()
	want, ok := m.kv[key]
	got, err := st.Get(key)
	must(t, err)
	if (got != nil) != ok || !bytes.Equal(got, want) {
		t.Fatalf("Get(%q) = %q, want %q (present %t)", key, got, want, ok)
	}
	has, err := st.Has(key)
	must(t, err)
	if has != ok {
		t.Fatalf("Has(%q) = %t, want %t", key, has, ok)
	}
}

func (m *model) checkOffset(t *testing.T, st *state.Store) {
	t.Helper()
	got, err := st.GetOffset(-1)
	must(t, err)
	want := int64(-1)
	if m.known {
		want = m.offset
	}
	if got != want {
		t.Fatalf("GetOffset = %d, want %d", got, want)
	}
}

// checkRange iterates a random range with IteratorWithBounds, or a random
// Seek, and compares with the model.
func (m *model) checkRange(t *testing.T, st *state.Store, rng *rand.Rand, keys []string) {
	t.Helper()
	var lower, upper []byte
	if rng.IntN(2) == 0 {
		lower = []byte(keys[rng.IntN(len(keys))])
	}
	if rng.IntN(2) == 0 {
		upper = []byte(keys[rng.IntN(len(keys))])
	}
	var want []string
	for _, k := range slices.Sorted(maps.Keys(m.kv)) {
		if bytes.Compare([]byte(k), lower) >= 0 && (upper == nil || bytes.Compare([]byte(k), upper) < 0) {
			want = append(want, k)
		}
	}
	it, err := st.IteratorWithBounds(lower, upper)
	must(t, err)
	defer it.Release()
	if rng.IntN(3) == 0 && len(want) > 0 {
		k := want[rng.IntN(len(want))]
		if !it.Seek([]byte(k)) || string(it.Key()) != k {
			t.Fatalf("Seek(%q) at %q", k, it.Key())
		}
		want = want[slices.Index(want, k):]
		m.checkPair(t, it, want[0])
		want = want[1:]
	}
	for _, k := range want {
		if !it.Next() {
			t.Fatalf("[%q, %q): iterator ended before %q (err %v)", lower, upper, k, it.Err())
		}
		m.checkPair(t, it, k)
	}
	if it.Next() {
		t.Fatalf("[%q, %q): unexpected key %q", lower, upper, it.Key())
	}
	must(t, it.Err())
}

func (m *model) checkPair(t *testing.T, it storage.Iterator, key string) {
	t.Helper()
	v, err := it.Value()
	must(t, err)
	if string(it.Key()) != key || !bytes.Equal(v, m.kv[key]) || v == nil {
		t.Fatalf("iterator at %q=%q, want %q=%q", it.Key(), v, key, m.kv[key])
	}
}

func openStore(t testing.TB, cfg state.Config) *state.Store {
	t.Helper()
	st, err := state.New(cfg)
	must(t, err)
	must(t, st.Open())
	return st
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
