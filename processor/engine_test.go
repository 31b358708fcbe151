package processor

import (
	"testing"
	"time"
)

// The engine commits the input offsets its batches marked every
// CommitInterval, not at sarama's or a fixed pace: a restarted partition
// then replays at most that much.
func TestEngineCommitsOffsetsEveryCommitInterval(t *testing.T) {
	for _, interval := range []time.Duration{0, 250 * time.Millisecond, 5 * time.Second} {
		job := Job[[]byte]{Name: "commit-interval", Inputs: []Input[[]byte]{On[[]byte]("in", nil,
			func(*Context[[]byte], string, []byte) error { return nil })}}
		r, err := NewRunner(job, Config{Brokers: []string{"127.0.0.1:1"}, CommitInterval: interval})
		if err != nil {
			t.Fatal(err)
		}
		want := interval
		if want == 0 {
			want = DefaultCommitInterval
		}
		ac := newEngine(r).saramaConfig().Consumer.Offsets.AutoCommit
		if !ac.Enable || ac.Interval != want {
			t.Errorf("CommitInterval %v: offsets auto-committed %v every %v, want every %v", interval, ac.Enable, ac.Interval, want)
		}
	}
}
