package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/IBM/sarama"

	"github.com/ripplestream/ripple/internal/kafkaclient"
)

// options are the driver's flags.
type options struct {
	brokers           []string
	input             inputSpec
	partitions        int32
	rounds            int
	engines, jobs     []string
	rate              int
	warmup, measure   time.Duration
	settle            time.Duration
	timeout           time.Duration
	stateDir, kstream string
	cpus              string
	threads           int
	commit            time.Duration
	cache             int
	profile           bool
	out               string
}

func runCommand(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	var o options
	brokers := fs.String("brokers", os.Getenv("RIPPLE_KAFKA_BROKERS"), "bootstrap brokers, comma-separated")
	fs.IntVar(&o.input.Events, "events", 2_000_000, "events in the input (warmed = the second half)")
	fs.IntVar(&o.input.Keys, "keys", 100_000, "keys in the input")
	parts := fs.Int("partitions", 4, "partitions of every topic")
	fs.IntVar(&o.rounds, "rounds", 3, "rounds; each runs every engine on every job, the order rotated")
	engines := fs.String("engines", "ripple,goka-leveldb,kstreams", "engines, comma-separated")
	jobs := fs.String("jobs", "count,dedupe,window", "jobs, comma-separated")
	fs.IntVar(&o.rate, "rate", 5_000, "events/s of the latency input")
	fs.DurationVar(&o.warmup, "warmup", 10*time.Second, "latency input before the measured part (the engine starts and warms)")
	fs.DurationVar(&o.measure, "measure", 10*time.Second, "measured part of the latency input")
	fs.DurationVar(&o.settle, "settle", time.Minute, "longest wait for an engine's output to stop growing after the latency input")
	fs.DurationVar(&o.timeout, "timeout", 15*time.Minute, "longest an engine may take over the whole input")
	fs.StringVar(&o.stateDir, "state", os.TempDir(), "directory under which every engine keeps its state and its log")
	fs.StringVar(&o.kstream, "kstreams", "bench/kstreams", "the Kafka Streams application's Maven project")
	fs.StringVar(&o.cpus, "cpus", fmt.Sprintf("0-%d", runtime.NumCPU()-1), "cores every engine is pinned to (taskset -c)")
	fs.IntVar(&o.threads, "threads", runtime.NumCPU(), "Kafka Streams num.stream.threads (the cores of -cpus)")
	fs.DurationVar(&o.commit, "commit", 100*time.Millisecond, "commit interval of every engine (ripple's CommitInterval default)")
	fs.IntVar(&o.cache, "cache", 10<<20, "Kafka Streams statestore.cache.max.bytes")
	fs.BoolVar(&o.profile, "cpuprofile", false, "the Go engines write a CPU profile of each run beside its log (<run>.cpu.pprof); it costs them a little CPU")
	fs.StringVar(&o.out, "out", "", "also write the table to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	o.brokers, o.partitions = strings.Split(*brokers, ","), int32(*parts)
	o.engines, o.jobs = strings.Split(*engines, ","), strings.Split(*jobs, ",")
	m := readMachine(o.cpus)
	fmt.Fprintf(os.Stderr, "peers: load average before: %s\n", m.loadBefore)
	res, err := run(ctx, o)
	m.loadAfter = readLoad()
	fmt.Fprintf(os.Stderr, "peers: load average after: %s\n", m.loadAfter)
	if len(res) > 0 {
		t := table(o, m, res)
		if err != nil {
			t = "**Incomplete run**: " + err.Error() + "\n\n" + t
		}
		fmt.Print(t)
		if o.out != "" {
			err = errors.Join(err, os.WriteFile(o.out, []byte(t), 0o644))
		}
	}
	return err
}

// run writes the input and runs every engine on every job, o.rounds times.
func run(ctx context.Context, o options) ([]result, error) {
	kc := kafkaclient.Config{Brokers: o.brokers}
	if err := kc.Validate(); err != nil {
		return nil, err
	}
	d := &driver{o: o, kc: kc, prefix: fmt.Sprintf("peers-%d", time.Now().UnixNano())}
	d.dir = filepath.Join(o.stateDir, d.prefix)
	if err := os.MkdirAll(filepath.Join(d.dir, "logs"), 0o755); err != nil {
		return nil, err
	}
	fmt.Fprintf(os.Stderr, "peers: engine logs in %s\n", filepath.Join(d.dir, "logs"))
	sc := kc.Sarama()
	sc.Net.DialTimeout, sc.Net.ReadTimeout, sc.Net.WriteTimeout = 5*time.Second, 10*time.Second, 10*time.Second
	admin, err := withDeadline(adminDeadline, "connecting to "+strings.Join(o.brokers, ","), func() (sarama.ClusterAdmin, error) {
		return sarama.NewClusterAdmin(kc.Brokers, sc)
	})
	if err != nil {
		return nil, err
	}
	d.admin = admin
	defer d.admin.Close()
	defer os.RemoveAll(filepath.Join(d.dir, "state"))
	defer d.cleanBroker()
	// Runs first: no engine outlives the driver, however it leaves.
	defer d.procs.killAll()
	if d.self, err = os.Executable(); err != nil {
		return nil, err
	}
	if _, err := exec.LookPath("taskset"); err != nil {
		return nil, fmt.Errorf("taskset (util-linux) pins every engine to -cpus: %w", err)
	}
	for _, e := range o.engines {
		if e == "kstreams" {
			if d.jar, err = kstreamsJar(o.kstream); err != nil {
				return nil, err
			}
		}
	}
	input := d.prefix + ".in"
	if err := d.createTopic(input); err != nil {
		return nil, err
	}
	start := time.Now()
	if err := produceAll(kc, input, o.input); err != nil {
		return nil, fmt.Errorf("writing the input: %w", err)
	}
	fmt.Fprintf(os.Stderr, "peers: wrote %d events to %s in %v\n", o.input.Events, input, time.Since(start).Round(time.Millisecond))
	var res []result
	for round := range o.rounds {
		for _, job := range o.jobs {
			for i := range o.engines {
				// Each round starts with the next engine, so none always
				// runs first (or right after the same peer).
				engine := o.engines[(i+round)%len(o.engines)]
				r, err := d.runOne(ctx, round, engine, job, input)
				if err != nil {
					return res, fmt.Errorf("round %d, %s on %s: %w", round+1, job, engine, err)
				}
				fmt.Fprintf(os.Stderr, "peers: %s (load %s)\n", r, readLoad())
				res = append(res, r)
			}
		}
	}
	return res, nil
}

type driver struct {
	o         options
	kc        kafkaclient.Config
	admin     sarama.ClusterAdmin
	prefix    string
	dir       string // the run's logs and state
	self, jar string
	procs     procSet
}

// createTopic creates a topic of o.partitions partitions and returns once
// every partition has a leader: a consumer or producer started right
// after the creation can otherwise meet "unknown topic or partition".
func (d *driver) createTopic(name string) error {
	_, err := withDeadline(adminDeadline, "creating topic "+name, func() (struct{}, error) {
		return struct{}{}, d.admin.CreateTopic(name, &sarama.TopicDetail{NumPartitions: d.o.partitions, ReplicationFactor: 1}, false)
	})
	if err != nil {
		return fmt.Errorf("creating topic %s: %w", name, err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		md, err := withDeadline(adminDeadline, "describing topic "+name, func() ([]*sarama.TopicMetadata, error) {
			return d.admin.DescribeTopics([]string{name})
		})
		if err == nil && topicReady(md, d.o.partitions) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("topic %s: its %d partitions have no leader 30 s after its creation (last error: %v)", name, d.o.partitions, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// topicReady reports whether md describes one topic with n partitions,
// each with a leader.
func topicReady(md []*sarama.TopicMetadata, n int32) bool {
	if len(md) != 1 || md[0].Err != sarama.ErrNoError || len(md[0].Partitions) != int(n) {
		return false
	}
	for _, p := range md[0].Partitions {
		if p.Err != sarama.ErrNoError || p.Leader < 0 {
			return false
		}
	}
	return true
}

// cleanBroker deletes every topic and consumer group of the run: the
// driver's and those the engines created, all named after the prefix.
// The broker is shared; what is left behind is said.
func (d *driver) cleanBroker() {
	topics, err := withDeadline(adminDeadline, "listing topics", d.admin.ListTopics)
	if err == nil {
		for t := range topics {
			if strings.HasPrefix(t, d.prefix) {
				_, err = withDeadline(adminDeadline, "deleting topic "+t, func() (struct{}, error) { return struct{}{}, d.admin.DeleteTopic(t) })
			}
		}
	}
	groups, err2 := withDeadline(adminDeadline, "listing consumer groups", d.admin.ListConsumerGroups)
	if err2 == nil {
		for g := range groups {
			if strings.HasPrefix(g, d.prefix) {
				_, err2 = withDeadline(adminDeadline, "deleting group "+g, func() (struct{}, error) { return struct{}{}, d.admin.DeleteConsumerGroup(g) })
			}
		}
	}
	if err := errors.Join(err, err2); err != nil {
		fmt.Fprintf(os.Stderr, "peers: cleaning the broker of %s*: %v\n", d.prefix, err)
	}
}

// runOne measures one engine on one job: throughput over the whole input,
// then, for count and dedupe, latency under a paced input.
func (d *driver) runOne(ctx context.Context, round int, engine, job, input string) (result, error) {
	r := result{Round: round + 1, Engine: engine, Job: job, Events: int64(d.o.input.Events)}
	name := fmt.Sprintf("%s.%s.%s.r%d", d.prefix, engine, job, round+1)
	if err := d.throughput(ctx, &r, name, input); err != nil {
		return r, err
	}
	if job == "window" {
		return r, nil // a window's result waits for the window's end: no per-event latency
	}
	return r, d.latency(ctx, &r, name+".lat")
}

// start starts the engine process on job, reading input and writing
// output as group, its state in a fresh directory, pinned to o.cpus.
func (d *driver) start(engine, job, group, input, output string) (*engineProc, error) {
	if err := d.createTopic(output); err != nil {
		return nil, err
	}
	state := filepath.Join(d.dir, "state", group)
	argv := []string{"taskset", "-c", d.o.cpus}
	brokers := strings.Join(d.o.brokers, ",")
	switch engine {
	case "kstreams":
		argv = append(argv, "java", "-jar", d.jar, job, brokers, input, output, group, state,
			strconv.FormatInt(d.o.commit.Milliseconds(), 10), strconv.Itoa(d.o.cache), strconv.Itoa(d.o.threads))
	case "ripple", "goka-leveldb":
		argv = append(argv, d.self, "engine", "-engine", engine, "-job", job, "-brokers", brokers,
			"-input", input, "-output", output, "-group", group, "-state", state, "-commit", d.o.commit.String())
		if d.o.profile {
			argv = append(argv, "-cpuprofile", filepath.Join(d.dir, "logs", group+".cpu.pprof"))
		}
	default:
		return nil, fmt.Errorf("unknown engine %q", engine)
	}
	p, err := startProc(engine+" "+job, filepath.Join(d.dir, "logs", group+".log"), argv)
	if err != nil {
		return nil, err
	}
	d.procs.add(p)
	return p, nil
}

// stop stops the engine and removes its state. An engine that had to be
// killed, or that exits with an error, is reported: its run's numbers
// stand (they were taken before), but its shutdown is not clean.
func (d *driver) stop(p *engineProc, group string) {
	err := p.stop(stopGrace)
	d.procs.remove(p)
	os.RemoveAll(filepath.Join(d.dir, "state", group))
	if err == nil && p.err != nil && !terminatedAsAsked(p.err) {
		err = fmt.Errorf("%s exited with %v after SIGTERM; its output:\n%s", p.name, p.err, logTail(p.log))
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "peers: warning: %v\n", err)
	}
}

// terminatedAsAsked reports whether err is the exit of a process that
// ended on SIGTERM the way its runtime does it: the JVM runs its
// shutdown hooks and exits with 128+15.
func terminatedAsAsked(err error) bool {
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return false
	}
	if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGTERM {
		return true
	}
	return ee.ExitCode() == 128+int(syscall.SIGTERM)
}

// exitedEarly is the error of an engine that ended while it was measured.
func exitedEarly(p *engineProc) error {
	return fmt.Errorf("%s exited before the end of its input (%v); its output:\n%s", p.name, p.err, logTail(p.log))
}

// throughput runs the engine over the whole input, sampling its committed
// offsets and CPU time every 50 ms.
func (d *driver) throughput(ctx context.Context, r *result, group, input string) error {
	p, err := d.start(r.Engine, r.Job, group, input, group+".out")
	if err != nil {
		return err
	}
	defer d.stop(p, group)
	// Every sample goes to a file beside the engine's log, to see how a
	// run went: seconds, events committed, CPU seconds, peak RSS.
	trace, err := os.Create(filepath.Join(d.dir, "logs", group+".samples.tsv"))
	if err != nil {
		return err
	}
	defer trace.Close()
	fmt.Fprintln(trace, "s\tcommitted\tcpu_s\tpeak_rss")
	start, pid, half := time.Now(), p.pid(), false
	var failedSince time.Time
	deadline := start.Add(d.o.timeout)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-p.exited:
			return exitedEarly(p)
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
		n, err := committed(d.admin, group, input, d.o.partitions)
		if err != nil {
			// A moving group coordinator answers with a retriable error
			// for a moment; a broker that stays away fails the run.
			if failedSince.IsZero() {
				failedSince = time.Now()
			}
			if time.Since(failedSince) > adminDeadline {
				return fmt.Errorf("reading the committed offsets of %s for %v: %w", group, adminDeadline, err)
			}
			continue
		}
		failedSince = time.Time{}
		cpu, err := procCPU(pid)
		if err != nil {
			return exitedEarly(p)
		}
		rss, _ := procPeakRSS(pid)
		r.PeakRSS = max(r.PeakRSS, rss)
		now := time.Now()
		fmt.Fprintf(trace, "%.3f\t%d\t%.2f\t%d\n", now.Sub(start).Seconds(), n, cpu.Seconds(), rss)
		if !half && n >= r.Events/2 {
			half, r.HalfEvents, r.HalfWall, r.HalfCPU = true, n, now.Sub(start), cpu
		}
		if n >= r.Events {
			r.Wall, r.CPU = now.Sub(start), cpu
			r.HalfEvents = n - r.HalfEvents
			r.HalfWall, r.HalfCPU = r.Wall-r.HalfWall, r.CPU-r.HalfCPU
			return nil
		}
		if now.After(deadline) {
			return fmt.Errorf("%d of %d events committed after %v (-timeout); the engine's output:\n%s",
				n, r.Events, d.o.timeout, logTail(p.log))
		}
	}
}

// latency runs the engine on a fresh input written at o.rate events/s:
// o.warmup of it while the engine starts, then o.measure measured.
func (d *driver) latency(ctx context.Context, r *result, group string) error {
	input, output := group+".in", group+".out"
	if err := d.createTopic(input); err != nil {
		return err
	}
	p, err := d.start(r.Engine, r.Job, group, input, output)
	if err != nil {
		return err
	}
	defer d.stop(p, group)
	reader, err := readOutput(d.kc, output, d.o.partitions)
	if err != nil {
		return err
	}
	defer reader.close()
	from := time.Now().Add(d.o.warmup)
	n := int((d.o.warmup + d.o.measure).Seconds() * float64(d.o.rate))
	s, err := producePaced(ctx, d.kc, input, d.o.input, d.o.rate, n)
	if err != nil {
		return fmt.Errorf("writing the latency input: %w", err)
	}
	// Wait for the output to stop growing: 2 s without a new record.
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	deadline := time.Now().Add(d.o.settle)
	last, lastAt := reader.len(), time.Now()
	for time.Since(lastAt) < 2*time.Second {
		select {
		case <-p.exited:
			return exitedEarly(p)
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
		if l := reader.len(); l != last {
			last, lastAt = l, time.Now()
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("output still growing %v after the latency input ended (-settle): %d records", d.o.settle, last)
		}
	}
	if p.done() {
		return exitedEarly(p)
	}
	recs, err := reader.close()
	if err != nil {
		return err
	}
	ls := latencies(r.Job, s, recs, from)
	r.Latencies = len(ls)
	r.P50, r.P99 = percentile(ls, 0.50), percentile(ls, 0.99)
	return nil
}
