package processor

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lovoo/goka"
	"github.com/lovoo/goka/codec"
	"github.com/lovoo/goka/storage"

	"github.com/ripplestream/ripple/internal/kafkaclient"
	"github.com/ripplestream/ripple/state"
)

// ErrRunning is returned by Run when the runner is already running or has
// run: a Runner runs once.
var ErrRunning = errors.New("processor: runner already ran; make a new one")

// Runner runs a Job on Kafka: a goka processor for the job itself and, when
// retries are enabled, a second one that holds failed events until their
// retry is due.
type Runner[S any] struct {
	job     Job[S]
	cfg     Config
	kafka   kafkaclient.Config
	outputs map[Stream]struct{}
	events  []EventHook
	parts   []PartitionHook
	stores  *storeRegistry
	waits   *waits
	timers  Stream // TimerStream of the job, "" without a Timer handler
	// flushGrace bounds the calls of the job's Flush once its partition
	// stops (flushGrace, a field so that tests can shorten it).
	flushGrace time.Duration

	started atomic.Bool
	ready   atomic.Bool
	mu      struct {
		sync.Mutex
		main   *goka.Processor
		engine *engine[S]
		err    error
	}
}

// NewRunner checks job and cfg and returns a runner for them.
func NewRunner[S any](job Job[S], cfg Config) (*Runner[S], error) {
	if err := job.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	for _, in := range job.Inputs {
		if in.opts.schema && cfg.Schemas == nil {
			return nil, fmt.Errorf("processor: job %s: input %s validates schemas but Config.Schemas is nil", job.Name, in.stream)
		}
	}
	r := &Runner[S]{job: job, cfg: cfg, flushGrace: flushGrace, outputs: map[Stream]struct{}{}, stores: &storeRegistry{},
		waits: newWaits(cfg.Logger, job.Name)}
	r.stores.m = map[int32]*state.Store{}
	if job.Timer != nil {
		r.timers = TimerStream(job.Name)
	}
	r.kafka = cfg.KafkaClient("ripple-" + string(job.Name))
	if len(cfg.Brokers) > 0 {
		if err := r.kafka.Validate(); err != nil {
			return nil, err
		}
	}
	for _, o := range job.Outputs {
		r.outputs[o.Stream()] = struct{}{}
	}
	for _, h := range cfg.Hooks {
		if eh, ok := h.(EventHook); ok {
			r.events = append(r.events, eh)
		}
		if ph, ok := h.(PartitionHook); ok {
			r.parts = append(r.parts, ph)
		}
	}
	return r, nil
}

// Ready reports whether the job has its partitions assigned and its state
// recovered, so it is processing new events, and waits for nothing (see
// Waiting).
func (r *Runner[S]) Ready() bool { return r.ready.Load() && r.waits.String() == "" }

// Waiting says what the job is waiting for, such as Kafka brokers that are
// down or a store that does not answer, and since when; "" when nothing.
// The job resumes by itself when what it waits for is back.
func (r *Runner[S]) Waiting() string { return r.waits.String() }

// Healthy returns nil while the job runs without error, else the error that
// stopped it (nil before Run).
func (r *Runner[S]) Healthy() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.mu.err
}

// Run creates the job's topics, runs it until ctx is cancelled or it fails,
// and shuts down gracefully: in-flight events finish, offsets are committed
// and state is closed. It returns nil after a cancel.
func (r *Runner[S]) Run(ctx context.Context) error {
	if !r.started.CompareAndSwap(false, true) {
		return ErrRunning
	}
	err := r.cfg.Security.Explain(r.run(ctx))
	r.ready.Store(false)
	if err != nil {
		r.cfg.Logger.Error("job stopped", "job", r.job.Name, "err", err)
	}
	r.mu.Lock()
	r.mu.err = err
	if err == nil {
		r.mu.err = errors.New("processor: stopped")
	}
	r.mu.Unlock()
	return err
}

func (r *Runner[S]) run(ctx context.Context) error {
	if len(r.cfg.Brokers) > 0 {
		if err := r.setupTopicsWaiting(ctx); err != nil || ctx.Err() != nil {
			return err
		}
	}
	// Every part runs until ctx ends; one stopping stops the job.
	var parts []func(context.Context) error
	var eng *engine[S]
	add := func(part string, build func() (*goka.Processor, error), ready func()) error {
		run, err := r.supervised(part, build, ready)
		if err == nil {
			parts = append(parts, run)
		}
		return err
	}
	if r.cfg.Engine == EngineRipple {
		eng = newEngine(r)
		parts = append(parts, eng.run)
	} else {
		err := add("main", func() (*goka.Processor, error) {
			p, err := goka.NewProcessor(r.cfg.Brokers, r.mainGraph(), r.options(true)...)
			if err != nil {
				return nil, fmt.Errorf("processor: job %s: %w", r.job.Name, err)
			}
			r.ready.Store(false)
			r.mu.Lock()
			r.mu.main = p
			r.mu.Unlock()
			return p, nil
		}, func() {
			r.ready.Store(true)
			r.cfg.Logger.Info("job ready", "job", r.job.Name)
		})
		if err != nil {
			return err
		}
	}
	if r.cfg.MaxRetries > 0 {
		err := add("retry delays", func() (*goka.Processor, error) {
			p, err := goka.NewProcessor(r.cfg.Brokers, r.delayGraph(), r.options(false)...)
			if err != nil {
				return nil, fmt.Errorf("processor: job %s retry delay: %w", r.job.Name, err)
			}
			return p, nil
		}, nil)
		if err != nil {
			return err
		}
	}
	if r.job.Timer != nil && !r.cfg.ExternalTimers {
		err := add("timers", func() (*goka.Processor, error) {
			p, err := goka.NewProcessor(r.cfg.Brokers, r.timersGraph(), r.options(false)...)
			if err != nil {
				return nil, fmt.Errorf("processor: job %s timers: %w", r.job.Name, err)
			}
			return p, nil
		}, nil)
		if err != nil {
			return err
		}
	}
	r.mu.Lock()
	r.mu.engine = eng
	r.mu.Unlock()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	errs := make([]error, len(parts))
	for i, run := range parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer cancel()
			errs[i] = run(ctx)
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		if eng != nil {
			r.sampleLoop(ctx, eng.stats)
		} else {
			r.sampleLoop(ctx, func(ctx context.Context) []PartitionInfo {
				r.mu.Lock()
				main := r.mu.main
				r.mu.Unlock()
				return r.gokaStats(ctx, main)
			})
		}
	}()
	wg.Wait()
	var out []error
	for _, err := range errs {
		if err != nil && !errors.Is(err, context.Canceled) {
			out = append(out, err)
		}
	}
	if err := errors.Join(out...); err != nil {
		return fmt.Errorf("processor: job %s stopped: %w", r.job.Name, err)
	}
	return nil
}

func (r *Runner[S]) options(stateful bool) []goka.ProcessorOption {
	opts := []goka.ProcessorOption{goka.WithLogger(kafkaclient.GokaLogger(r.cfg.Logger))}
	if len(r.cfg.Brokers) > 0 {
		opts = append(opts, r.kafka.ProcessorOptions()...)
	}
	if stateful {
		opts = append(opts, goka.WithStorageBuilder(r.stateBuilder()))
	} else {
		opts = append(opts, goka.WithStorageBuilder(storage.MemoryBuilder()))
	}
	return append(opts, r.cfg.GokaOptions...)
}

func (r *Runner[S]) mainGraph() *goka.GroupGraph {
	var edges []goka.Edge
	for _, in := range r.handled() {
		if in.stream == r.job.loopStream() {
			edges = append(edges, goka.Loop(new(codec.Bytes), r.gokaCallback(r.consume(in))))
		} else {
			edges = append(edges, goka.Input(goka.Stream(r.topic(in)), new(codec.Bytes), r.gokaCallback(r.consume(in))))
		}
		if in.stream == TimerStream(r.job.Name) {
			edges = append(edges, goka.Output(goka.Stream(in.stream), new(codec.Bytes)))
		}
		if r.cfg.MaxRetries > 0 {
			edges = append(edges,
				goka.Input(goka.Stream(r.job.retryReadyStream(in.stream)), new(codec.Bytes), r.gokaCallback(r.consumeRetry(in))),
				goka.Output(goka.Stream(r.job.retryStream(in.stream)), new(codec.Bytes)))
		}
	}
	for s := range r.outputs {
		edges = append(edges, goka.Output(goka.Stream(s), new(codec.Bytes)))
	}
	edges = append(edges, goka.Output(goka.Stream(r.job.errorStream()), new(codec.Bytes)))
	if r.job.State != nil {
		edges = append(edges, goka.Persist(new(codec.Bytes)))
	}
	return goka.DefineGroup(goka.Group(r.job.Name), edges...)
}

// timersGraph holds each timer until it is due, then forwards it to the
// job. A timer held at shutdown goes round the group's loopback topic, so
// it is neither lost nor fired early.
func (r *Runner[S]) timersGraph() *goka.GroupGraph {
	ready := r.job.timerReadyStream()
	return goka.DefineGroup(goka.Group(r.job.timersGroup()),
		goka.Input(goka.Stream(TimerStream(r.job.Name)), new(codec.Bytes), r.hold(ready, false)),
		goka.Loop(new(codec.Bytes), r.hold(ready, false)),
		goka.Output(goka.Stream(ready), new(codec.Bytes)))
}

func (r *Runner[S]) delayGraph() *goka.GroupGraph {
	var edges []goka.Edge
	for _, s := range r.retried() {
		ready := r.job.retryReadyStream(s)
		edges = append(edges,
			goka.Input(goka.Stream(r.job.retryStream(s)), new(codec.Bytes), r.hold(ready, true)),
			goka.Output(goka.Stream(ready), new(codec.Bytes)))
	}
	return goka.DefineGroup(goka.Group(string(r.job.Name)+".retry"), edges...)
}

// setupTopics checks the inputs exist and are co-partitioned, and creates
// the job's other topics with the same partition count.
// setupTopicsWaiting is setupTopics, tried again with backoff while Kafka
// is away: a job started during a broker outage waits (see Waiting) and
// starts when the brokers are back. It returns nil when ctx ends first.
func (r *Runner[S]) setupTopicsWaiting(ctx context.Context) error {
	var b backoff
	for {
		err := r.setupTopics()
		if err == nil || !kafkaTransient(err) {
			r.waits.end("topics")
			return err
		}
		r.waits.start("topics", fmt.Sprintf("Kafka at %v", r.cfg.Brokers), err)
		if !b.wait(ctx) {
			return nil
		}
	}
}

func (r *Runner[S]) setupTopics() error {
	tm, err := r.kafka.TopicManager()
	if err != nil {
		return fmt.Errorf("processor: job %s: connecting to Kafka at %v: %w", r.job.Name, r.cfg.Brokers, err)
	}
	defer tm.Close()
	var n int
	for i, in := range r.job.Inputs {
		parts, err := r.waitForInput(tm, in.stream)
		if err != nil {
			return err
		}
		if i == 0 {
			n = len(parts)
		} else if len(parts) != n {
			return fmt.Errorf("processor: job %s: input %s has %d partitions but %s has %d: inputs of one job must be co-partitioned",
				r.job.Name, in.stream, len(parts), r.job.Inputs[0].stream, n)
		}
	}
	streams := []Stream{r.job.errorStream()}
	for s := range r.outputs {
		streams = append(streams, s)
	}
	if r.cfg.MaxRetries > 0 {
		for _, s := range r.retried() {
			streams = append(streams, r.job.retryStream(s), r.job.retryReadyStream(s))
		}
	}
	if r.job.Loop != nil {
		streams = append(streams, r.job.loopStream())
	}
	if r.job.Timer != nil {
		streams = append(streams, TimerStream(r.job.Name), r.job.timerReadyStream(),
			Stream(string(r.job.timersGroup())+"-loop"))
	}
	for _, s := range streams {
		if err := tm.EnsureStreamExists(string(s), n); err != nil {
			return fmt.Errorf("processor: job %s: creating stream %s with %d partitions: %w", r.job.Name, s, n, err)
		}
	}
	if r.job.State != nil && r.cfg.Engine == EngineRipple { // goka creates its own
		table := string(goka.GroupTable(goka.Group(r.job.Name)))
		if err := tm.EnsureTableExists(table, n); err != nil {
			return fmt.Errorf("processor: job %s: creating state table %s with %d partitions: %w", r.job.Name, table, n, err)
		}
	}
	return nil
}

// waitForInput returns the partitions of an input stream, waiting up to
// Config.InputWait for a stream that another job has yet to create.
func (r *Runner[S]) waitForInput(tm goka.TopicManager, s Stream) ([]int32, error) {
	deadline := time.Now().Add(r.cfg.InputWait)
	for {
		parts, err := tm.Partitions(string(s))
		if err == nil && len(parts) > 0 {
			return parts, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("processor: job %s: input stream %s not found after %v: %v (create it, or check the name)",
				r.job.Name, s, r.cfg.InputWait, err)
		}
		r.cfg.Logger.Info("waiting for input stream", "job", r.job.Name, "stream", s)
		time.Sleep(250 * time.Millisecond)
	}
}

// stateBuilder returns the storage of the job's state: Config.Storage, or
// Pebble under StateDir, registered for the state statistics.
func (r *Runner[S]) stateBuilder() storage.Builder {
	if r.cfg.Storage != nil {
		return r.cfg.Storage
	}
	return r.stores.wrap(state.Builder(state.Config{Dir: r.cfg.stateDir(r.job.Name), Logger: r.cfg.Logger}))
}

// topic returns the topic an input is consumed from: its stream, but for
// timers the stream they reach when due.
func (r *Runner[S]) topic(in Input[S]) Stream {
	if in.stream == TimerStream(r.job.Name) {
		return r.job.timerReadyStream()
	}
	return in.stream
}

// handled returns what the job handles: its inputs, then its loopback and
// timers, each with the stream it reports (and is retried under).
func (r *Runner[S]) handled() []Input[S] {
	out := append([]Input[S](nil), r.job.Inputs...)
	if r.job.Loop != nil {
		loop := *r.job.Loop
		loop.stream = r.job.loopStream()
		out = append(out, loop)
	}
	if r.job.Timer != nil {
		timer := *r.job.Timer
		timer.stream = TimerStream(r.job.Name)
		out = append(out, timer)
	}
	return out
}

// retried returns the streams whose failed events are retried.
func (r *Runner[S]) retried() []Stream {
	var out []Stream
	for _, in := range r.handled() {
		out = append(out, in.stream)
	}
	return out
}

// storeRegistry remembers the Pebble stores a builder made, for stats.
type storeRegistry struct {
	mu sync.Mutex
	m  map[int32]*state.Store
}

func (s *storeRegistry) wrap(b storage.Builder) storage.Builder {
	return func(topic string, partition int32) (storage.Storage, error) {
		st, err := b(topic, partition)
		if ps, ok := st.(*state.Store); ok && err == nil {
			s.mu.Lock()
			s.m[partition] = ps
			s.mu.Unlock()
		}
		return st, err
	}
}

func (s *storeRegistry) get(partition int32) *state.Store {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m[partition]
}

// Get returns the state of key held by this instance: it answers only for
// keys of partitions assigned to it (as goka's Processor.Get does).
func (r *Runner[S]) Get(key string) (S, bool, error) {
	var zero S
	if r.job.State == nil {
		return zero, false, ErrStateless
	}
	r.mu.Lock()
	main, eng := r.mu.main, r.mu.engine
	r.mu.Unlock()
	if (main == nil && eng == nil) || !r.Ready() {
		return zero, false, fmt.Errorf("processor: job %s is not ready", r.job.Name)
	}
	var b []byte
	if eng != nil {
		v, err := eng.get(key)
		if err != nil {
			return zero, false, fmt.Errorf("processor: job %s: reading state of %q: %w", r.job.Name, key, err)
		}
		b = v
	} else {
		v, err := main.Get(key)
		if err != nil {
			return zero, false, fmt.Errorf("processor: job %s: reading state of %q: %w", r.job.Name, key, err)
		}
		b, _ = v.([]byte)
	}
	if b == nil {
		return zero, false, nil
	}
	s, err := r.job.State.Decode(b)
	if err != nil {
		return zero, false, fmt.Errorf("processor: job %s: state of %q is unreadable: %w", r.job.Name, key, err)
	}
	return s, true, nil
}
