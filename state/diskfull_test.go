package state_test

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/ripplestream/ripple/state"
	"github.com/ripplestream/ripple/state/statetest"
)

// writeBound bounds how long a write on a full disk may take to fail.
const writeBound = 30 * time.Second

// TestFaultDiskFull fills the disk under a store in the middle of a run of
// writes, each a key and its offset in one batch (the disk refuses every
// write from the 5,000th on, as a real one does: removing a file frees
// what it held). Writing stops with an error that says the disk is full
// and where, and once space is back the store reopens at the last offset
// it stored, every key exactly as that offset left it, and takes writes
// again.
func TestFaultDiskFull(t *testing.T) {
	const keys, fillAt = 300, 5_000
	disk := statetest.NewDisk(vfs.NewMem())
	cfg := state.Config{Dir: "/db", FS: disk, MemTableBytes: 64 << 10, BallastBytes: 1 << 20}
	st := openStore(t, cfg)
	must(t, st.MarkRecovered())
	stored := int64(-1)
	var failed error
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 20_000 {
			if i == fillAt {
				disk.Fill()
			}
			if err := st.SetWithOffset(fmt.Sprint("k", i%keys), []byte(strconv.Itoa(i)), int64(i)); err != nil {
				failed = err
				return
			}
			stored = int64(i)
		}
	}()
	select {
	case <-done:
	case <-time.After(writeBound):
		t.Fatalf("a write has blocked for %v on a full disk instead of failing with an error that says the disk is full", writeBound)
	}
	if failed == nil {
		t.Fatal("every write succeeded on a full disk")
	}
	if !errors.Is(failed, state.ErrDiskFull) {
		t.Errorf("the write failed with %v, not ErrDiskFull", failed)
	}
	for _, want := range []string{"/db", "no space left on device", "free space"} {
		if !strings.Contains(failed.Error(), want) {
			t.Errorf("the error %q does not say %q", failed, want)
		}
	}
	if stored < fillAt-1 {
		t.Fatalf("writes failed from %d on, before the disk filled at %d", stored+1, fillAt)
	}
	if err := st.Set("after", []byte("x")); !errors.Is(err, state.ErrDiskFull) {
		t.Errorf("a write after the first failure: %v, want ErrDiskFull", err)
	}
	t.Logf("after %d writes (%d refused by the disk) the store says: %v", stored+1, disk.Refused(), failed)
	t.Logf("close on a full disk: %v", st.Close())

	// Still full (the room the store freed taken by others): the store
	// does not open, and says why.
	disk.Fill()
	st, err := state.New(cfg)
	must(t, err)
	if err := st.Open(); !errors.Is(err, state.ErrDiskFull) {
		t.Fatalf("open on a full disk: %v, want ErrDiskFull", err)
	}
	must(t, st.Close())

	disk.Free()
	st = openStore(t, cfg)
	defer st.Close()
	off, err := st.GetOffset(-1)
	must(t, err)
	if off != stored {
		t.Fatalf("offset after reopen = %d, want %d, the last one stored", off, stored)
	}
	for k := range keys {
		last := off - (off-int64(k)+keys)%keys // the last i <= off with i%keys == k
		v, err := st.Get(fmt.Sprint("k", k))
		must(t, err)
		if string(v) != strconv.FormatInt(last, 10) {
			t.Fatalf("k%d = %q after reopen at offset %d, want %d", k, v, off, last)
		}
	}
	must(t, st.MarkRecovered())
	must(t, st.SetWithOffset("k0", []byte("again"), off+1))
}
