//go:build integration

package testenv_test

import (
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/internal/jobtest"
	"github.com/ripplestream/ripple/internal/testenv"
	"github.com/ripplestream/ripple/processor"
)

// TestKafkaSmoke checks the real broker end to end with a client nobody here
// wrote: kcat produces into a 4-partition topic (with fnv1a, the partitioner
// goka and sarama use, so keys land where ripple looks them up), a ripple
// job sums values per key into its state (kept in its changelog topic), and
// after a restart on empty local storage the state is recovered from the
// changelog and keeps counting.
func TestKafkaSmoke(t *testing.T) {
	cfg := testenv.Kafka(t)
	kcat, err := exec.LookPath("kcat")
	if err != nil {
		t.Fatal("kcat is not installed: `make test` installs it, or run: apt-get install -y kcat")
	}
	input := testenv.Name(t, "smoke-in")
	group := processor.Group(testenv.Name(t, "smoke"))
	testenv.CreateTopic(t, cfg, input, 4)
	t.Cleanup(func() { testenv.DeleteTopics(t, cfg, string(group)+"-table") })

	want := map[string]int64{}
	produce(t, kcat, cfg.Brokers, input, 0, 2000, want)

	job := sumJob(group, processor.Stream(input))
	p1 := jobtest.StartReady(t, job, processor.Config{Brokers: cfg.Brokers, StateDir: t.TempDir()})
	testenv.Eventually(t, 90*time.Second, func() error { return stateDiff(p1, want) })
	if err := p1.Stop(); err != nil {
		t.Fatal(err)
	}

	// Fresh local storage: everything must come back from the changelog.
	p2 := jobtest.StartReady(t, job, processor.Config{Brokers: cfg.Brokers, StateDir: t.TempDir()})
	if err := stateDiff(p2, want); err != nil {
		t.Fatalf("state after recovery: %v", err)
	}
	produce(t, kcat, cfg.Brokers, input, 2000, 1000, want)
	testenv.Eventually(t, 90*time.Second, func() error { return stateDiff(p2, want) })
}

// sumJob sums the integers its input carries per key.
func sumJob(group processor.Group, input processor.Stream) processor.Job[int64] {
	sum := func(c *processor.Context[int64], key string, v []byte) error {
		n, err := strconv.ParseInt(string(v), 10, 64)
		if err != nil {
			return err
		}
		total, _, err := c.State()
		if err != nil {
			return err
		}
		return c.SetState(total + n)
	}
	return processor.Job[int64]{Name: group, State: event.JSON[int64]{},
		Inputs: []processor.Input[int64]{processor.On(input, event.Raw{}, sum)}}
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

func stateDiff(rn *jobtest.Running[int64], want map[string]int64) error {
	for key, w := range want {
		got, _, err := rn.Get(key)
		if err != nil {
			return fmt.Errorf("get %s: %w", key, err)
		}
		if got != w {
			return fmt.Errorf("key %s: got %d, want %d", key, got, w)
		}
	}
	return nil
}
