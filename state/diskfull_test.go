package state_test

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/cockroachdb/pebble/v2/vfs/errorfs"
	"github.com/ripplestream/ripple/state"
)

// writeBound bounds how long a write on a full disk may take to fail.
const writeBound = 30 * time.Second

// TestFaultDiskFull fills the disk under a store (every write to a file
// fails with ENOSPC from some point on): writing stops with an error that
// says the disk is full, and once space is back the store reopens to the
// state of the last offset it stored, nothing torn.
func TestFaultDiskFull(t *testing.T) {
	full := &errorfs.Toggle{Injector: noSpace{}}
	mem := vfs.NewMem()
	cfg := state.Config{Dir: "/db", FS: errorfs.Wrap(mem, full), MemTableBytes: 64 << 10}
	st := openStore(t, cfg)
	must(t, st.MarkRecovered())
	want := map[string]string{}
	var stored int64 = -1
	var failed error
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 20_000 {
			if i == 5_000 {
				full.On()
			}
			k, v := fmt.Sprint("k", i%300), strconv.Itoa(i)
			if err := st.Set(k, []byte(v)); err != nil {
				failed = err
				return
			}
			if err := st.SetOffset(int64(i)); err != nil {
				failed = err
				return
			}
			want[k], stored = v, int64(i)
		}
	}()
	select {
	case <-done:
	case <-time.After(writeBound):
		t.Fatalf("a write has blocked for %v on a full disk (Pebble's write stall: its flushes fail and it waits for room), "+
			"instead of failing with an error that says the disk is full", writeBound)
	}
	if failed == nil {
		t.Fatal("every write succeeded on a full disk")
	}
	if !strings.Contains(failed.Error(), "no space left on device") {
		t.Errorf("the write failed with %q, which does not say the disk is full", failed)
	}
	t.Logf("after %d writes the store says: %v", stored+1, failed)
	closeErr := st.Close()
	t.Logf("close on a full disk: %v", closeErr)
	full.Off()
	cfg.FS = mem
	st = openStore(t, cfg)
	defer st.Close()
	off, err := st.GetOffset(-1)
	must(t, err)
	if off > stored {
		t.Fatalf("offset after reopen = %d, past the last stored %d", off, stored)
	}
	if off < 4_999 {
		t.Fatalf("offset after reopen = %d: writes made before the disk filled were lost", off)
	}
}

// noSpace fails every write to a file the way a full disk does.
type noSpace struct{}

func (noSpace) String() string { return "ENOSPC on writes" }

func (noSpace) MaybeError(op errorfs.Op) error {
	if op.Kind == errorfs.OpFileWrite || op.Kind == errorfs.OpFileWriteAt {
		return &os.PathError{Op: "write", Path: op.Path, Err: syscall.ENOSPC}
	}
	return nil
}
