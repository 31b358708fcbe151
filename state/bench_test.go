package state_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/lovoo/goka/storage"
	"github.com/ripplestream/ripple/state"
)

const (
	benchKeys     = 50_000
	benchValueLen = 100
)

// BenchmarkStorage compares the Pebble store with goka's LevelDB and memory
// stores on the operations a stateful job and its recovery perform. Set,
// Get and Iterate run in normal mode (after MarkRecovered); Recover replays
// Set+SetOffset per message in recovery mode and includes MarkRecovered.
// SetWithOffset is atomic on Pebble and Set then SetOffset on the others.
func BenchmarkStorage(b *testing.B) {
	stores := []struct {
		name string
		open func(testing.TB, string) storage.Storage
	}{
		{"pebble", openPebble(state.Config{})},
		{"leveldb", openLevelDB},
		{"memory", func(testing.TB, string) storage.Storage { return storage.NewMemory() }},
	}
	keys := benchKeyList("")
	missing := benchKeyList("-missing")
	value := make([]byte, benchValueLen)
	for _, s := range stores {
		open := func(b *testing.B, recovered bool, prefill int) storage.Storage {
			st := s.open(b, b.TempDir())
			b.Cleanup(func() { _ = st.Close() })
			for _, k := range keys[:prefill] {
				must(b, st.Set(k, value))
			}
			if recovered {
				must(b, st.MarkRecovered())
			}
			b.ReportAllocs()
			b.ResetTimer()
			return st
		}
		b.Run(s.name, func(b *testing.B) {
			b.Run("Set", func(b *testing.B) {
				st := open(b, true, 0)
				for i := range b.N {
					check(b, st.Set(keys[i%benchKeys], value))
				}
			})
			b.Run("SetWithOffset", func(b *testing.B) {
				st := open(b, true, 0)
				for i := range b.N {
					check(b, state.SetWithOffset(st, keys[i%benchKeys], value, int64(i)))
				}
			})
			b.Run("Recover", func(b *testing.B) {
				st := open(b, false, 0)
				for i := range b.N {
					check(b, st.Set(keys[i%benchKeys], value))
					check(b, st.SetOffset(int64(i)))
				}
				must(b, st.MarkRecovered())
			})
			b.Run("Get", func(b *testing.B) {
				st := open(b, true, benchKeys)
				for i := range b.N {
					if v, err := st.Get(keys[i%benchKeys]); err != nil || v == nil {
						b.Fatalf("Get: %q, %v", v, err)
					}
				}
			})
			b.Run("GetMissing", func(b *testing.B) {
				st := open(b, true, benchKeys)
				for i := range b.N {
					if v, err := st.Get(missing[i%benchKeys]); err != nil || v != nil {
						b.Fatalf("Get: %q, %v", v, err)
					}
				}
			})
			b.Run("Iterate", func(b *testing.B) {
				benchIterate(b, open(b, true, benchKeys))
			})
		})
	}
}

// benchIterate measures one Next+Key+Value step per op, starting a new
// iterator whenever one is exhausted.
func benchIterate(b *testing.B, st storage.Storage) {
	var it storage.Iterator
	for range b.N {
		if it == nil || !it.Next() {
			if it != nil {
				it.Release()
			}
			var err error
			it, err = st.Iterator()
			must(b, err)
			if !it.Next() {
				b.Fatal("empty store")
			}
		}
		if _, err := it.Value(); err != nil || it.Key() == nil {
			b.Fatal(err)
		}
	}
	it.Release()
}

func benchKeyList(suffix string) []string {
	rng := rand.New(rand.NewPCG(1, 1))
	keys := make([]string, benchKeys)
	for i, p := range rng.Perm(benchKeys) {
		keys[i] = fmt.Sprintf("page/%08d%s", p, suffix)
	}
	return keys
}

// check is must without t.Helper, whose stack walk would dominate the
// cheaper operations.
func check(b *testing.B, err error) {
	if err != nil {
		b.Fatal(err)
	}
}
