package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ripplestream/ripple/internal/testenv"
)

// The tests below cover the driver's pieces (stat parsing, the table, the
// latency matching, process handling); the benchmark itself runs only in
// make bench-peers.

func TestParseStatCPU(t *testing.T) {
	for _, tc := range []struct {
		name, stat string
		want       int64
		err        bool
	}{
		{"java", "4242 (java) S 1 4242 4242 0 -1 4194560 91234 0 12 0 1503 297 0 0 20 0 41 0 123456 4096000000 80000 18446744073709551615", 1800, false},
		// A command name may hold spaces and parentheses: fields count
		// from the last ')'.
		{"odd name", "7 (a) b (c)) R 1 7 7 0 -1 0 0 0 0 0 12 30 0 0 20 0 1 0 1 1 1 1", 42, false},
		{"short", "7 (x) R 1 2 3", 0, true},
		{"no name", "7 x R 1", 0, true},
		{"not a number", "7 (x) R 1 7 7 0 -1 0 0 0 0 0 1x 30 0", 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseStatCPU([]byte(tc.stat))
			if (err != nil) != tc.err || got != tc.want {
				t.Fatalf("parseStatCPU = %d, %v; want %d, error %v", got, err, tc.want, tc.err)
			}
		})
	}
}

// TestProcSelf reads this test process's own /proc files: the parsers
// meet the kernel's real format.
func TestProcSelf(t *testing.T) {
	// Burn CPU until utime is above zero at clock-tick resolution (on a
	// loaded machine this process may get little of it), within a bound.
	var cpu time.Duration
	var err error
	for deadline, n := time.Now().Add(time.Minute), 0; cpu <= 0 && err == nil && time.Now().Before(deadline); {
		for end := n + 100_000; n < end; n++ {
			_ = strconv.Itoa(n)
		}
		cpu, err = procCPU(os.Getpid())
	}
	if err != nil || cpu <= 0 {
		t.Fatalf("procCPU(self) = %v, %v", cpu, err)
	}
	rss, err := procPeakRSS(os.Getpid())
	if err != nil || rss < 1<<20 {
		t.Fatalf("procPeakRSS(self) = %d, %v", rss, err)
	}
}

func TestStatusKB(t *testing.T) {
	status := "Name:\tjava\nVmPeak:\t 5000000 kB\nVmHWM:\t  312400 kB\nVmRSS:\t  300000 kB\n"
	if got, err := statusKB(strings.NewReader(status), "VmHWM"); err != nil || got != 312400<<10 {
		t.Fatalf("VmHWM = %d, %v", got, err)
	}
	if got, err := statusKB(strings.NewReader("MemTotal:       24634220 kB\n"), "MemTotal"); err != nil || got != 24634220<<10 {
		t.Fatalf("MemTotal = %d, %v", got, err)
	}
	if _, err := statusKB(strings.NewReader(status), "VmSwap"); err == nil {
		t.Fatal("a missing field gave no error")
	}
	if _, err := statusKB(strings.NewReader("VmHWM:\tlots kB\n"), "VmHWM"); err == nil {
		t.Fatal("a malformed size gave no error")
	}
}

func TestMachineFiles(t *testing.T) {
	if got := loadavg([]byte("3.91 4.20 2.75 3/812 99123\n")); got != "3.91 4.20 2.75" {
		t.Fatalf("loadavg = %q", got)
	}
	if got := loadavg([]byte("")); got != "unknown" {
		t.Fatalf("loadavg of nothing = %q", got)
	}
	cpuinfo := "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 7B13\nflags\t\t: fpu\n\nprocessor\t: 1\nmodel name\t: AMD EPYC 7B13\n"
	if got := cpuModel(strings.NewReader(cpuinfo)); got != "AMD EPYC 7B13" {
		t.Fatalf("cpuModel = %q", got)
	}
}

func TestMedian(t *testing.T) {
	if got := median([]float64{3, 1, 2}); got != 2 {
		t.Fatalf("median of 3 = %v", got)
	}
	if got := median([]time.Duration{4, 1, 3, 2}); got != 2 {
		t.Fatalf("median of 4 = %v", got) // (2+3)/2 in integer nanoseconds
	}
	if got := median([]int64{}); got != 0 {
		t.Fatalf("median of none = %v", got)
	}
}

// res is a run of n events in wall seconds and cpu seconds, the second
// half taking halfWall and halfCPU.
func res(round int, engine, job string, wall, cpu, halfWall, halfCPU float64, p99 time.Duration) result {
	s := func(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }
	r := result{Round: round, Engine: engine, Job: job, Events: 1000, Wall: s(wall), CPU: s(cpu),
		HalfEvents: 500, HalfWall: s(halfWall), HalfCPU: s(halfCPU), PeakRSS: 100 << 20}
	if p99 > 0 {
		r.Latencies, r.P50, r.P99 = 10, p99/2, p99
	}
	return r
}

func TestRatios(t *testing.T) {
	o := options{engines: []string{"ripple", "goka-leveldb", "kstreams"}, jobs: []string{"count", "window"}}
	rs := []result{
		// count: ripple 1000 events in 1 cpu-s (two rounds, p99 10 and
		// 30 ms: median 20 ms), goka 2.5 cpu-s, kstreams 2 cpu-s but 0.5
		// warmed.
		res(1, "ripple", "count", 1, 1, 0.5, 0.25, 10*time.Millisecond),
		res(2, "ripple", "count", 1, 1, 0.5, 0.25, 30*time.Millisecond),
		res(1, "goka-leveldb", "count", 4, 2.5, 2, 1, 10*time.Millisecond),
		res(2, "goka-leveldb", "count", 4, 2.5, 2, 1, 10*time.Millisecond),
		res(1, "kstreams", "count", 8, 2, 1, 0.5, 40*time.Millisecond),
		// window: no latency; kstreams warmed exactly 2x ripple's cost.
		res(1, "ripple", "window", 2, 1, 1, 0.5, 0),
		res(1, "kstreams", "window", 2, 2, 1, 1, 0),
	}
	got := ratios(o, rs)
	want := []ratio{
		{job: "count", peer: "goka-leveldb", wall: 4, warmWall: 4, cpu: 2.5, warmCPU: 4, p99: 2, hasP99: true, missed: []string{"lower p99"}},
		{job: "count", peer: "kstreams", wall: 8, warmWall: 2, cpu: 2, warmCPU: 2, p99: 0.5, hasP99: true},
		{job: "window", peer: "kstreams", wall: 1, warmWall: 1, cpu: 2, warmCPU: 2},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("ratios:\n got %v\nwant %v", got, want)
	}
	// A peer 1% better than half of ripple misses.
	rs = append(rs[:5:5], res(1, "kstreams", "count", 8, 2, 1, 0.499, 40*time.Millisecond))
	if got := ratios(o, rs); len(got) != 2 || fmt.Sprint(got[1].missed) != "[2x warmed events/cpu-s]" {
		t.Fatalf("ratios with kstreams at 1.996x: %v", got)
	}
}

func TestTable(t *testing.T) {
	o := options{input: inputSpec{Events: 1000, Keys: 10}, partitions: 4, rounds: 1, rate: 5000,
		warmup: time.Second, measure: time.Second, commit: 100 * time.Millisecond, cache: 10 << 20, threads: 2,
		engines: []string{"ripple", "goka-leveldb"}, jobs: []string{"count"}}
	m := machine{cores: 2, model: "AMD EPYC", memory: 24 << 30, cpus: "0-1", loadBefore: "1.00 2.00 3.00", loadAfter: "4.00 5.00 6.00"}
	got := table(o, m, []result{
		res(1, "ripple", "count", 1, 0.5, 0.4, 0.2, 10*time.Millisecond),
		res(1, "goka-leveldb", "count", 2, 2, 1, 1, 20*time.Millisecond),
	})
	for _, line := range []string{
		"| count | ripple | 1000 | 1250 | 2000 | 2500 | 5ms | 10ms | 100 MiB |",
		"| count | goka-leveldb | 500 | 500 | 500 | 500 | 10ms | 20ms | 100 MiB |",
		"| count | goka-leveldb | 2.00 | 2.50 | 4.00 | 5.00 | 0.50 | met |",
		"| 1 | count | ripple | 1000 | 1250 | 2000 | 2500 | 5ms | 10ms | 100 MiB |",
		"before: 1.00 2.00 3.00; after: 4.00 5.00 6.00",
		"2 cores (AMD EPYC), 24.0 GiB",
	} {
		if !strings.Contains(got, line+"\n") && !strings.Contains(got, line) {
			t.Errorf("table lacks %q:\n%s", line, got)
		}
	}
}

func TestLatencies(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	ms := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Millisecond) }
	s := &sent{
		byID:  map[string]time.Time{"a": ms(0), "b": ms(10)},
		byKey: map[string][]time.Time{"K1": {ms(0), ms(10), ms(20)}},
	}
	count := func(n uint64) []byte { return binary.BigEndian.AppendUint64(nil, n) }
	recs := []received{
		{key: []byte("K1"), value: count(1), at: ms(5)},
		{key: []byte("K1"), value: count(3), at: ms(50)}, // the 3rd event: sent at 20
		{key: []byte("K1"), value: count(4), at: ms(60)}, // no 4th send: skipped
		{key: []byte("K2"), value: count(1), at: ms(60)}, // unknown key
	}
	if got := fmt.Sprint(latencies("count", s, recs, ms(0))); got != "[5ms 30ms]" {
		t.Fatalf("count latencies = %s", got)
	}
	if got := fmt.Sprint(latencies("count", s, recs, ms(1))); got != "[30ms]" {
		t.Fatalf("count latencies from 1ms = %s (sends before from are warm-up)", got)
	}
	recs = []received{
		{value: []byte(`{"meta":{"id":"b"}}`), at: ms(17)},
		{value: []byte(`{"meta":{"id":"zz"}}`), at: ms(17)},
		{value: []byte(`not json`), at: ms(17)},
	}
	if got := fmt.Sprint(latencies("dedupe", s, recs, ms(0))); got != "[7ms]" {
		t.Fatalf("dedupe latencies = %s", got)
	}
}

func TestPercentile(t *testing.T) {
	var ds []time.Duration
	for i := 100; i >= 1; i-- {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	if p50, p99 := percentile(ds, 0.5), percentile(ds, 0.99); p50 != 51*time.Millisecond || p99 != 100*time.Millisecond {
		t.Fatalf("p50 %v p99 %v", p50, p99)
	}
	if percentile(nil, 0.99) != 0 {
		t.Fatal("percentile of nothing")
	}
}

// TestGenerator: keys in turn, and in each pass over the keys a tenth of
// them (a different tenth each pass) repeat their previous id.
func TestGenerator(t *testing.T) {
	g := newGenerator(inputSpec{Events: 1000, Keys: 20})
	ids := map[string]string{}
	dups, repeated := 0, map[string]int{}
	for i := range 1000 {
		key, id, v := g.next(time.Unix(0, 0))
		if want := fmt.Sprintf("K%d", i%20); key != want {
			t.Fatalf("event %d has key %s, want %s", i, key, want)
		}
		if !strings.Contains(string(v), id) {
			t.Fatalf("event %d's value %s lacks its id %s", i, v, id)
		}
		if ids[key] == id {
			dups++
			repeated[key]++
		}
		ids[key] = id
	}
	// 50 passes of 20 keys, the first without repeats: 49 passes x 2 keys.
	if dups != 98 {
		t.Fatalf("%d duplicates, want 98", dups)
	}
	if len(repeated) != 20 {
		t.Fatalf("only keys %v repeat ids; every key should, in turn", repeated)
	}
}

func TestTailLines(t *testing.T) {
	if got := tailLines([]byte("a\nb\nc\n"), 2); got != "    b\n    c" {
		t.Fatalf("tailLines = %q", got)
	}
	if got := tailLines(nil, 2); got != "    (empty)" {
		t.Fatalf("tailLines of nothing = %q", got)
	}
}

func TestWithDeadline(t *testing.T) {
	block := make(chan struct{})
	defer close(block)
	_, err := withDeadline(10*time.Millisecond, "asking the broker", func() (int, error) {
		<-block
		return 1, nil
	})
	if err == nil || !strings.Contains(err.Error(), "asking the broker: no answer within 10ms") {
		t.Fatalf("withDeadline = %v", err)
	}
	if v, err := withDeadline(time.Second, "x", func() (int, error) { return 7, nil }); v != 7 || err != nil {
		t.Fatalf("withDeadline = %d, %v", v, err)
	}
}

// TestStopKillsGroup: an engine that ignores SIGTERM is killed after the
// grace, with what it started; its output is kept and shown.
func TestStopKillsGroup(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "engine.log")
	// The shell ignores SIGTERM and starts a child that would outlive it;
	// it says the child's pid, then says it is ready.
	p, err := startProc("stubborn", log, []string{"sh", "-c", `trap "" TERM; sleep 60 & echo child $!; echo ready; wait`})
	if err != nil {
		t.Fatal(err)
	}
	child := waitForChild(t, log)
	err = p.stop(100 * time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "did not stop within 100ms") || !strings.Contains(err.Error(), "ready") {
		t.Fatalf("stop = %v; want the kill reported with the engine's output", err)
	}
	if !p.done() {
		t.Fatal("process still running after stop")
	}
	waitGone(t, child)
}

// TestKillAll: the driver's exit path ends every engine still running.
func TestKillAll(t *testing.T) {
	var s procSet
	log := filepath.Join(t.TempDir(), "engine.log")
	p, err := startProc("sleeper", log, []string{"sh", "-c", `sleep 60 & echo child $!; echo ready; wait`})
	if err != nil {
		t.Fatal(err)
	}
	s.add(p)
	child := waitForChild(t, log)
	s.killAll()
	if !p.done() {
		t.Fatal("process still running after killAll")
	}
	waitGone(t, child)
	// An engine that exits on its own is reported as such when stopped.
	p, err = startProc("quitter", log, []string{"sh", "-c", "echo bye; exit 3"})
	if err != nil {
		t.Fatal(err)
	}
	<-p.exited
	if err := p.stop(time.Second); err == nil || !strings.Contains(err.Error(), "had exited before it was stopped") || !strings.Contains(err.Error(), "bye") {
		t.Fatalf("stop of an exited engine = %v", err)
	}
}

// waitForChild waits for the "child PID" and "ready" lines of log.
func waitForChild(t *testing.T, log string) int {
	t.Helper()
	var pid int
	testenv.Eventually(t, 10*time.Second, func() error {
		b, _ := os.ReadFile(log)
		if !strings.Contains(string(b), "ready\n") {
			return fmt.Errorf("log so far: %q", b)
		}
		_, err := fmt.Sscanf(string(b), "child %d", &pid)
		return err
	})
	return pid
}

// waitGone waits for pid to be gone: no such process, or a zombie that
// only waits for init to reap it.
func waitGone(t *testing.T, pid int) {
	t.Helper()
	testenv.Eventually(t, 10*time.Second, func() error {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if errors.Is(err, os.ErrNotExist) || syscall.Kill(pid, 0) != nil {
			return nil
		}
		if i := strings.LastIndexByte(string(b), ')'); i > 0 && strings.HasPrefix(strings.TrimSpace(string(b[i+1:])), "Z") {
			return nil
		}
		return fmt.Errorf("process %d outlived its engine's process group: %s", pid, b)
	})
}
