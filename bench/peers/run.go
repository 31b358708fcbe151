package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
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
	stateDir, kstream string
	threads           int
	out               string
}

func runCommand(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	var o options
	brokers := fs.String("brokers", os.Getenv("RIPPLE_KAFKA_BROKERS"), "bootstrap brokers, comma-separated")
	fs.IntVar(&o.input.Events, "events", 2_000_000, "events in the input")
	fs.IntVar(&o.input.Keys, "keys", 100_000, "keys in the input")
	parts := fs.Int("partitions", 4, "partitions of every topic")
	fs.IntVar(&o.rounds, "rounds", 3, "rounds; each runs every engine on every job, the order rotated")
	engines := fs.String("engines", "ripple,goka-leveldb,kstreams", "engines, comma-separated")
	jobs := fs.String("jobs", "count,dedupe,window", "jobs, comma-separated")
	fs.IntVar(&o.rate, "rate", 10_000, "events/s of the latency input")
	fs.DurationVar(&o.warmup, "warmup", 10*time.Second, "latency input before the measured part (the engine starts and warms)")
	fs.DurationVar(&o.measure, "measure", 10*time.Second, "measured part of the latency input")
	fs.StringVar(&o.stateDir, "state", os.TempDir(), "directory under which every engine keeps its state")
	fs.StringVar(&o.kstream, "kstreams", "bench/kstreams", "the Kafka Streams application's Maven project")
	fs.IntVar(&o.threads, "threads", 2, "Kafka Streams num.stream.threads (the machine's cores)")
	fs.StringVar(&o.out, "out", "", "also write the table to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	o.brokers, o.partitions = strings.Split(*brokers, ","), int32(*parts)
	o.engines, o.jobs = strings.Split(*engines, ","), strings.Split(*jobs, ",")
	res, err := run(ctx, o)
	if err != nil {
		return err
	}
	t := table(o, res)
	fmt.Print(t)
	if o.out != "" {
		return os.WriteFile(o.out, []byte(t), 0o644)
	}
	return nil
}

// run writes the input and runs every engine on every job, o.rounds times.
func run(ctx context.Context, o options) ([]result, error) {
	kc := kafkaclient.Config{Brokers: o.brokers}
	if err := kc.Validate(); err != nil {
		return nil, err
	}
	d := &driver{o: o, kc: kc, prefix: fmt.Sprintf("peers-%d", time.Now().UnixNano())}
	var err error
	if d.admin, err = sarama.NewClusterAdmin(kc.Brokers, kc.Sarama()); err != nil {
		return nil, err
	}
	defer d.admin.Close()
	defer d.deleteTopics()
	if d.self, err = os.Executable(); err != nil {
		return nil, err
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
		return nil, err
	}
	fmt.Fprintf(os.Stderr, "wrote %d events to %s in %v\n", o.input.Events, input, time.Since(start).Round(time.Millisecond))
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
				fmt.Fprintf(os.Stderr, "%s\n", r)
				res = append(res, r)
			}
		}
	}
	return res, nil
}

type driver struct {
	o              options
	kc             kafkaclient.Config
	admin          sarama.ClusterAdmin
	prefix         string
	self, jar      string
	topicsToDelete []string
}

func (d *driver) createTopic(name string) error {
	d.topicsToDelete = append(d.topicsToDelete, name)
	return d.admin.CreateTopic(name, &sarama.TopicDetail{NumPartitions: d.o.partitions, ReplicationFactor: 1}, false)
}

// deleteTopics deletes every topic of the run: the driver's and those the
// engines created, all named after the prefix.
func (d *driver) deleteTopics() {
	topics, err := d.admin.ListTopics()
	if err != nil {
		return
	}
	for t := range topics {
		if strings.HasPrefix(t, d.prefix) {
			d.admin.DeleteTopic(t)
		}
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

// start starts the engine process on job, reading input and writing output
// as group, its state in a fresh directory.
// engineProc is a started engine process; exited is closed when it ends.
type engineProc struct {
	cmd    *exec.Cmd
	exited chan struct{}
	err    error
}

func (d *driver) start(engine, job, group, input, output string) (*engineProc, error) {
	if err := d.createTopic(output); err != nil {
		return nil, err
	}
	state := filepath.Join(d.o.stateDir, group)
	var cmd *exec.Cmd
	if engine == "kstreams" {
		cmd = exec.Command("java", "-jar", d.jar, job, strings.Join(d.o.brokers, ","), input, output, group, state,
			"100", strconv.Itoa(10<<20), strconv.Itoa(d.o.threads))
	} else {
		cmd = exec.Command(d.self, "engine", "-engine", engine, "-job", job, "-brokers", strings.Join(d.o.brokers, ","),
			"-input", input, "-output", output, "-group", group, "-state", state)
	}
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &engineProc{cmd: cmd, exited: make(chan struct{})}
	go func() { p.err = cmd.Wait(); close(p.exited) }()
	return p, nil
}

// stop ends the engine process (SIGTERM, then SIGKILL after 20 s) and
// removes its state.
func (d *driver) stop(p *engineProc, group string) {
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(20 * time.Second):
		p.cmd.Process.Kill()
		<-p.exited
	}
	os.RemoveAll(filepath.Join(d.o.stateDir, group))
}

// throughput runs the engine over the whole input, sampling its committed
// offsets and CPU time every 20 ms.
func (d *driver) throughput(ctx context.Context, r *result, group, input string) error {
	cmd, err := d.start(r.Engine, r.Job, group, input, group+".out")
	if err != nil {
		return err
	}
	defer d.stop(cmd, group)
	start, pid, half := time.Now(), cmd.cmd.Process.Pid, false
	deadline := start.Add(15 * time.Minute)
	for {
		select {
		case <-cmd.exited:
			return fmt.Errorf("engine exited before the end of its input: %v", cmd.err)
		default:
		}
		n, err := committed(d.admin, group, input, d.o.partitions)
		if err != nil {
			return err
		}
		cpu, err := procCPU(pid)
		if err != nil {
			return fmt.Errorf("engine exited: %w", err)
		}
		rss, _ := procPeakRSS(pid)
		r.PeakRSS = max(r.PeakRSS, rss)
		now := time.Now()
		if !half && n >= r.Events/2 {
			half, r.HalfEvents, r.HalfWall, r.HalfCPU = true, n, now.Sub(start), cpu
		}
		if n >= r.Events {
			r.Wall, r.CPU = now.Sub(start), cpu
			r.HalfEvents = n - r.HalfEvents
			r.HalfWall, r.HalfCPU = r.Wall-r.HalfWall, r.CPU-r.HalfCPU
			return nil
		}
		if now.After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("%d of %d events committed after %v", n, r.Events, now.Sub(start))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// latency runs the engine on a fresh input written at o.rate events/s:
// o.warmup of it while the engine starts, then o.measure measured.
func (d *driver) latency(ctx context.Context, r *result, group string) error {
	input, output := group+".in", group+".out"
	if err := d.createTopic(input); err != nil {
		return err
	}
	cmd, err := d.start(r.Engine, r.Job, group, input, output)
	if err != nil {
		return err
	}
	defer d.stop(cmd, group)
	reader, err := readOutput(d.kc, output, d.o.partitions)
	if err != nil {
		return err
	}
	from := time.Now().Add(d.o.warmup)
	n := int((d.o.warmup + d.o.measure).Seconds() * float64(d.o.rate))
	s, err := producePaced(ctx, d.kc, input, d.o.input, d.o.rate, n)
	if err != nil {
		reader.close()
		return err
	}
	// Wait for the output to stop growing: 2 s without a new record.
	last, lastAt := reader.len(), time.Now()
	for time.Since(lastAt) < 2*time.Second && ctx.Err() == nil {
		time.Sleep(50 * time.Millisecond)
		if l := reader.len(); l != last {
			last, lastAt = l, time.Now()
		}
	}
	ls := latencies(r.Job, s, reader.close(), from)
	r.Latencies = len(ls)
	r.P50, r.P99 = percentile(ls, 0.50), percentile(ls, 0.99)
	return nil
}
