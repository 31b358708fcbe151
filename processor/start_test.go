package processor_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/processor/embedded"
)

// startBound bounds every wait of these tests: Start, WaitReady and Stop
// on the in-process broker take well under a second each.
const startBound = 30 * time.Second

func startJob(name string) processor.Job[pageStats] {
	j := countJob(nil)
	j.Name = processor.Group(name)
	return j
}

// TestStartReadyThenStop runs a job with processor.Start on the in-process
// broker: it becomes ready, processes what is produced (WaitFor sees its
// state), and Stop ends it cleanly, the same on a second call.
func TestStartReadyThenStop(t *testing.T) {
	b := startBroker(t)
	keys := []string{"Alpha", "Beta"}
	var recs []embedded.Record
	for i := range 6 {
		v, _ := json.Marshal(edit{Page: keys[i%2], Bytes: 10})
		recs = append(recs, embedded.Record{Key: keys[i%2], Value: v})
	}
	if err := b.Produce(string(edits), recs...); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), startBound)
	defer cancel()
	rn, err := processor.Start(ctx, startJob("start-ready"), processor.Config{Brokers: b.Addrs(),
		KafkaVersion: embedded.KafkaVersion, StateDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if err := rn.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	err = rn.WaitFor(ctx, func() (bool, error) {
		for _, k := range keys {
			st, _, err := rn.Get(k)
			if err != nil || st.Edits < 3 {
				return false, err
			}
		}
		return true, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if st, ok, err := rn.Get(k); err != nil || !ok || st != (pageStats{Edits: 3, Bytes: 30}) {
			t.Errorf("state of %s = %+v, %v, %v; want 3 edits of 30 bytes", k, st, ok, err)
		}
	}
	stopWithin(t, rn)
	if err := rn.Stop(); err != nil {
		t.Errorf("second Stop = %v, want nil as the first", err)
	}
	if err := rn.WaitFor(ctx, func() (bool, error) { return false, nil }); err == nil || !strings.Contains(err.Error(), "stopped") {
		t.Errorf("WaitFor on a stopped job = %v, want an error saying it stopped", err)
	}
}

// TestStartStopsWhenItsContextEnds: cancelling the context given to Start
// stops the job (Done closes) as Stop does.
func TestStartStopsWhenItsContextEnds(t *testing.T) {
	b := startBroker(t)
	ctx, cancel := context.WithCancel(context.Background())
	rn, err := processor.Start(ctx, startJob("start-cancel"), processor.Config{Brokers: b.Addrs(),
		KafkaVersion: embedded.KafkaVersion, StateDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	wctx, wcancel := context.WithTimeout(context.Background(), startBound)
	defer wcancel()
	if err := rn.WaitReady(wctx); err != nil {
		t.Fatal(err)
	}
	cancel()
	select {
	case <-rn.Done():
	case <-time.After(startBound):
		t.Fatalf("the job did not stop within %v of its context's end", startBound)
	}
	if err := rn.Stop(); err != nil {
		t.Errorf("Stop after the context ended = %v, want nil (a clean stop)", err)
	}
}

// TestStartRefusesInvalidConfig: Start returns the configuration error at
// once and runs nothing.
func TestStartRefusesInvalidConfig(t *testing.T) {
	for _, c := range []struct {
		name string
		job  processor.Job[pageStats]
		cfg  processor.Config
		want error
	}{
		{"no brokers", startJob("j"), processor.Config{}, processor.ErrNoBrokers},
		{"old protocol", startJob("j"), processor.Config{Brokers: []string{"127.0.0.1:1"}, KafkaVersion: "0.11.0"}, processor.ErrInvalidConfig},
		{"no job name", startJob(""), processor.Config{Brokers: []string{"127.0.0.1:1"}}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			rn, err := processor.Start(context.Background(), c.job, c.cfg)
			if err == nil || rn != nil {
				t.Fatalf("Start = %v, %v; want an error and no job", rn, err)
			}
			if c.want != nil && !errors.Is(err, c.want) {
				t.Errorf("Start = %v, want %v", err, c.want)
			}
		})
	}
}

// TestStartOnUnreachableBroker: a job whose broker does not answer is not
// ready; WaitReady gives up when its context ends, saying what the job
// waits for, and Stop still ends it promptly.
func TestStartOnUnreachableBroker(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	rn, err := processor.Start(context.Background(), startJob("start-unreachable"), processor.Config{Brokers: []string{addr},
		KafkaVersion: embedded.KafkaVersion, StateDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	err = rn.WaitReady(ctx)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "not ready (waiting for") ||
		!strings.Contains(err.Error(), addr) {
		t.Errorf("WaitReady = %v, want a deadline error saying the job waits for Kafka at %s", err, addr)
	}
	if rn.Ready() {
		t.Error("Ready with no broker")
	}
	stopWithin(t, rn)
}

// stopWithin stops rn, failing t if Stop does not return nil within
// startBound.
func stopWithin[S any](t *testing.T, rn *processor.Running[S]) {
	t.Helper()
	stopped := make(chan error, 1)
	go func() { stopped <- rn.Stop() }()
	select {
	case err := <-stopped:
		if err != nil {
			t.Errorf("Stop = %v, want nil", err)
		}
	case <-time.After(startBound):
		t.Fatalf("Stop did not return within %v", startBound)
	}
}

func startBroker(t *testing.T) *embedded.Broker {
	t.Helper()
	b, err := embedded.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	if err := b.CreateTopic(string(edits), 2); err != nil {
		t.Fatal(fmt.Errorf("creating %s: %w", edits, err))
	}
	return b
}
