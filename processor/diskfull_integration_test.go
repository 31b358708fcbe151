//go:build integration

package processor_test

import (
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/ripplestream/ripple/internal/jobtest"
	"github.com/ripplestream/ripple/internal/testenv"
	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/state"
	"github.com/ripplestream/ripple/state/statetest"
)

// TestFaultDiskFull fills the disk under the count job's state in the
// middle of a run: the job stops with an error that says the disk is full
// and where; no partition's input offsets are committed past what its
// store holds; started again once space is back, the job resumes and its
// state is exact, every event with its output.
func TestFaultDiskFull(t *testing.T) {
	// Many keys, so that each batch writes kilobytes: Pebble writes its
	// WAL to the disk in blocks of 32 KiB.
	const keys = 5_000
	kc := testenv.Kafka(t)
	f := newFaultRun(t, kc)
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 78))
	f.send(t, rng, 20_000, keys)
	disk := statetest.NewDisk(vfs.NewMem())
	const dir = "/state"
	config := func(id string) processor.Config {
		return processor.Config{Brokers: kc.Brokers, InstanceID: id,
			Storage: state.Builder(state.Config{Dir: dir, FS: disk, MemTableBytes: 64 << 10, BallastBytes: 1 << 20}),
			Logger:  slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))}
	}
	a := jobtest.Start(t, faultJob(f.name, f.in, f.out), config("a"))
	client, err := sarama.NewClient(kc.Brokers, kc.Sarama())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	testenv.Eventually(t, time.Minute, func() error {
		if err := a.Healthy(); err != nil {
			t.Fatalf("the job stopped before the disk filled: %v", err)
		}
		if err := client.RefreshMetadata(string(f.out)); err != nil {
			return err
		}
		if n := total(ends(t, client, string(f.out))); n < 5_000 {
			return fmt.Errorf("%d outputs so far", n)
		}
		return nil
	})
	disk.Fill()
	f.send(t, rng, 20_000, keys)
	testenv.Eventually(t, time.Minute, func() error {
		if a.Healthy() == nil {
			return fmt.Errorf("the job still runs on a full disk (%d writes refused; %d outputs)", disk.Refused(), total(ends(t, client, string(f.out))))
		}
		return nil
	})
	stopped := a.Stop()
	t.Logf("on a full disk the job stopped with: %v", stopped)
	if !errors.Is(stopped, state.ErrDiskFull) {
		t.Fatalf("the job stopped with %v, not with state.ErrDiskFull", stopped)
	}
	for _, want := range []string{dir + "/" + f.name + "-table.", "no space left on device", "free space"} {
		if !strings.Contains(stopped.Error(), want) {
			t.Errorf("the job's error does not say %q", want)
		}
	}

	disk.Free()
	stored := storedInputs(t, disk, dir+"/"+f.name+"-table", string(f.in))
	committed := committedOffsets(t, client, f.name, string(f.in))
	for p, off := range committed {
		if off > stored[p]+1 {
			t.Errorf("partition %d: input offset %d committed, but its store holds the inputs up to %d only", p, off, stored[p])
		}
	}
	t.Logf("stored input offsets per partition %v; committed %v", stored, committed)

	b := jobtest.Start(t, faultJob(f.name, f.in, f.out), config("b"))
	f.waitCaughtUp(t, kc, b.Runner, 2*time.Minute)
	f.check(t, b.Runner)
}

// storedInputs opens each partition's store under table (the job is
// stopped), checks that its counts agree with the input offset it stored,
// and returns that offset, or -1.
func storedInputs(t *testing.T, fs vfs.FS, table, input string) map[int32]int64 {
	t.Helper()
	out := map[int32]int64{}
	for p := range int32(4) {
		st, err := state.New(state.Config{Dir: fmt.Sprintf("%s.%d", table, p), FS: fs, BallastBytes: -1})
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Open(); err != nil {
			t.Fatalf("partition %d's store after the disk filled: %v", p, err)
		}
		v, err := st.Get(state.InputsKey)
		if err != nil {
			t.Fatal(err)
		}
		in, err := state.DecodeInputs(v)
		if err != nil {
			t.Fatal(err)
		}
		out[p] = -1
		if off, ok := in.Offsets[input]; ok {
			out[p] = off
		}
		// Each event adds one to its key's count: the counts the store
		// holds sum to the events up to the offset it stored.
		if sum := sumCounts(t, st); sum != out[p]+1 {
			t.Errorf("partition %d: the store's counts sum to %d, but it stored input offset %d", p, sum, out[p])
		}
		if err := st.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// committedOffsets returns the committed offset of group on each partition
// of topic that has one.
func committedOffsets(t *testing.T, client sarama.Client, group, topic string) map[int32]int64 {
	t.Helper()
	admin, err := sarama.NewClusterAdminFromClient(client)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := admin.ListConsumerGroupOffsets(group, map[string][]int32{topic: {0, 1, 2, 3}})
	if err != nil {
		t.Fatal(err)
	}
	out := map[int32]int64{}
	for p := range int32(4) {
		if b := resp.GetBlock(topic, p); b != nil && b.Offset >= 0 {
			out[p] = b.Offset
		}
	}
	return out
}

// sumCounts adds up the counts in st.
func sumCounts(t *testing.T, st *state.Store) int64 {
	t.Helper()
	it, err := st.Iterator()
	if err != nil {
		t.Fatal(err)
	}
	defer it.Release()
	var sum int64
	for it.Next() {
		if !strings.HasPrefix(string(it.Key()), "key-") {
			continue
		}
		v, err := it.Value()
		if err != nil {
			t.Fatal(err)
		}
		n, err := strconv.ParseInt(string(v), 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		sum += n
	}
	return sum
}
