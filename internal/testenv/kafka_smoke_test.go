//go:build integration

package testenv_test

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lovoo/goka"
	"github.com/lovoo/goka/codec"
	"github.com/lovoo/goka/storage"

	"github.com/ripplestream/ripple/internal/kafkaclient"
	"github.com/ripplestream/ripple/internal/testenv"
)

// TestKafkaSmoke checks the real broker end to end with a client nobody here
// wrote: kcat produces into a 4-partition topic (with fnv1a, the partitioner
// goka and sarama use, so keys land where goka looks them up), a goka processor sums values
// per key into its persisted group table, and after a restart on empty local
// storage the table is recovered from the changelog and keeps counting.
func TestKafkaSmoke(t *testing.T) {
	cfg := testenv.Kafka(t)
	kcat, err := exec.LookPath("kcat")
	if err != nil {
		t.Fatal("kcat is not installed: `make test` installs it, or run: apt-get install -y kcat")
	}
	input := testenv.Name(t, "smoke-in")
	group := goka.Group(testenv.Name(t, "smoke"))
	testenv.CreateTopic(t, cfg, input, 4)
	t.Cleanup(func() { testenv.DeleteTopics(t, cfg, string(goka.GroupTable(group))) })

	want := map[string]int64{}
	produce(t, kcat, cfg.Brokers, input, 0, 2000, want)

	p1 := startSum(t, cfg, group, input, t.TempDir())
	waitTable(t, p1, want)
	p1.stop(t)

	// Fresh local storage: everything must come back from the changelog.
	p2 := startSum(t, cfg, group, input, t.TempDir())
	checkTable(t, p2, want)
	produce(t, kcat, cfg.Brokers, input, 2000, 1000, want)
	waitTable(t, p2, want)
	p2.stop(t)
}

// produce sends n lines "k<i%50>:<i>" with kcat, starting at from, and
// records the expected sums in want.
func produce(t *testing.T, kcat string, brokers []string, topic string, from, n int, want map[string]int64) {
	t.Helper()
	var lines strings.Builder
	for i := from; i < from+n; i++ {
		key := fmt.Sprintf("k%d", i%50)
		want[key] += int64(i)
		fmt.Fprintf(&lines, "%s:%d\n", key, i)
	}
	cmd := exec.Command(kcat, "-P", "-b", strings.Join(brokers, ","), "-t", topic, "-K:", "-X", "topic.partitioner=fnv1a_random")
	cmd.Stdin = strings.NewReader(lines.String())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("kcat produce: %v\n%s", err, out)
	}
}

type sumProcessor struct {
	*goka.Processor
	ctx    context.Context
	cancel context.CancelFunc
	done   chan error
}

func startSum(t *testing.T, cfg kafkaclient.Config, group goka.Group, input string, dir string) *sumProcessor {
	t.Helper()
	sum := func(ctx goka.Context, msg interface{}) {
		v, err := strconv.ParseInt(msg.(string), 10, 64)
		if err != nil {
			ctx.Fail(err)
		}
		total, _ := ctx.Value().(int64)
		ctx.SetValue(total + v)
	}
	graph := goka.DefineGroup(group,
		goka.Input(goka.Stream(input), new(codec.String), sum),
		goka.Persist(new(codec.Int64)),
	)
	opts := append(cfg.ProcessorOptions(), goka.WithStorageBuilder(storage.DefaultBuilder(dir)))
	proc, err := goka.NewProcessor(cfg.Brokers, graph, opts...)
	if err != nil {
		t.Fatalf("new processor: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	sp := &sumProcessor{Processor: proc, ctx: ctx, cancel: cancel, done: make(chan error, 1)}
	go func() { sp.done <- proc.Run(ctx) }()
	t.Cleanup(func() { sp.stop(t) })
	// goka's Get dereferences storage that exists only once the processor
	// is ready (partitions assigned and recovered).
	if err := proc.WaitForReadyContext(ctx); err != nil {
		t.Fatalf("waiting for the processor to be ready: %v", err)
	}
	return sp
}

func (sp *sumProcessor) stop(t *testing.T) {
	t.Helper()
	sp.cancel()
	select {
	case err, ok := <-sp.done:
		if !ok {
			return // already stopped
		}
		if err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("processor stopped with error: %v", err)
		}
		close(sp.done)
	case <-time.After(60 * time.Second):
		t.Fatal("processor did not stop within 60 s of cancel")
	}
}

func tableDiff(p *sumProcessor, want map[string]int64) error {
	for key, w := range want {
		v, err := p.Get(key)
		if err != nil {
			return fmt.Errorf("get %s: %w", key, err)
		}
		got, _ := v.(int64)
		if got != w {
			return fmt.Errorf("key %s: got %d, want %d", key, got, w)
		}
	}
	return nil
}

func waitTable(t *testing.T, p *sumProcessor, want map[string]int64) {
	t.Helper()
	testenv.Eventually(t, 90*time.Second, func() error { return tableDiff(p, want) })
}

func checkTable(t *testing.T, p *sumProcessor, want map[string]int64) {
	t.Helper()
	if err := tableDiff(p, want); err != nil {
		t.Fatalf("table after recovery: %v", err)
	}
}
