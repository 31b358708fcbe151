package state_test

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/ripplestream/ripple/state"
)

// TestCloseWithoutMarkRecovered writes in recovery mode, closes without
// MarkRecovered and reopens: everything written is there, offset included.
func TestCloseWithoutMarkRecovered(t *testing.T) {
	cfg := state.Config{Dir: t.TempDir(), RecoveryMemTableBytes: 1 << 20, RecoveryBatchBytes: 4 << 10}
	st := openStore(t, cfg)
	for i := range 5000 {
		must(t, st.Set(fmt.Sprint("k", i%700), []byte(strconv.Itoa(i))))
		must(t, st.SetOffset(int64(i)))
	}
	must(t, st.Close())
	st = openStore(t, cfg)
	defer st.Close()
	off, err := st.GetOffset(-1)
	must(t, err)
	if off != 4999 {
		t.Fatalf("offset after reopen = %d, want 4999", off)
	}
	for k := range 700 {
		v, err := st.Get(fmt.Sprint("k", k))
		must(t, err)
		last := 4900 + k // the last i < 5000 with i%700 == k
		if last >= 5000 {
			last -= 700
		}
		if want := strconv.Itoa(last); string(v) != want {
			t.Fatalf("k%d = %q, want %q", k, v, want)
		}
	}
}

// message i of the simulated changelog sets or deletes one key.
type message struct {
	key string
	val string // empty: delete
}

// TestCrashConsistency replays a changelog the way goka does (Set or Delete,
// then SetOffset) through recovery mode and on into normal mode, takes
// crash clones of the filesystem at random points, and checks that every
// clone opens to the state after some prefix of the log that ends at or
// after the stored offset: the offset never covers data that was lost.
func TestCrashConsistency(t *testing.T) {
	for seed := range uint64(4) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 7))
			log := make([]message, 3000)
			for i := range log {
				log[i].key = fmt.Sprint("k", rng.IntN(200))
				if rng.IntN(10) > 0 {
					log[i].val = fmt.Sprintf("%d-%s", i, make([]byte, rng.IntN(200)))
				}
			}
			fs := vfs.NewCrashableMem()
			cfg := state.Config{
				Dir: "/db", FS: fs,
				MemTableBytes: 64 << 10, RecoveryMemTableBytes: 128 << 10, RecoveryBatchBytes: 8 << 10,
				RecoveryWAL: seed%2 == 1,
			}
			st := openStore(t, cfg)
			var crashes []*vfs.MemFS
			for i, msg := range log {
				if msg.val == "" {
					must(t, st.Delete(msg.key))
				} else {
					must(t, st.Set(msg.key, []byte(msg.val)))
				}
				must(t, st.SetOffset(int64(i)))
				if i == len(log)/2 {
					must(t, st.MarkRecovered())
				}
				if rng.IntN(150) == 0 {
					crashes = append(crashes, fs.CrashClone(vfs.CrashCloneCfg{UnsyncedDataPercent: rng.IntN(101), RNG: rng}))
				}
			}
			must(t, st.Close())
			for n, crashed := range crashes {
				checkCrash(t, n, cfg, crashed, log)
			}
		})
	}
}

// checkCrash opens the crashed filesystem, checks it, crashes it again
// right after the open (which replays the WAL, then runs without one) and
// checks that the second crash lost nothing.
func checkCrash(t *testing.T, n int, cfg state.Config, crashed *vfs.MemFS, log []message) {
	t.Helper()
	cfg.FS = crashed
	st := openStore(t, cfg)
	again := crashed.CrashClone(vfs.CrashCloneCfg{}) // synced data only
	got, off := checkPrefix(t, n, st, log)
	must(t, st.Close())
	cfg.FS = again
	st = openStore(t, cfg)
	defer st.Close()
	got2, off2 := checkPrefix(t, n, st, log)
	if off2 != off || !maps.Equal(got, got2) {
		t.Fatalf("crash %d: a crash right after reopening lost data: offset %d -> %d, %d keys -> %d",
			n, off, off2, len(got), len(got2))
	}
}

// checkPrefix checks that the state of st equals applying log[0..j] for
// some j >= its offset, and returns the state and offset.
func checkPrefix(t *testing.T, n int, st *state.Store, log []message) (map[string]string, int64) {
	t.Helper()
	got := map[string]string{}
	it, err := st.Iterator()
	must(t, err)
	for it.Next() {
		v, _ := it.Value()
		got[string(it.Key())] = string(v)
	}
	it.Release()
	off, err := st.GetOffset(-1)
	must(t, err)
	want := map[string]string{}
	for j := -1; j < len(log); j++ {
		if j >= 0 {
			if log[j].val == "" {
				delete(want, log[j].key)
			} else {
				want[log[j].key] = log[j].val
			}
		}
		if int64(j) >= off && maps.Equal(got, want) {
			return got, off
		}
	}
	t.Fatalf("crash %d: offset %d but the state (%d keys) matches no log prefix at or after it", n, off, len(got))
	return nil, 0
}
