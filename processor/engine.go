package processor

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"
	"time"

	"github.com/IBM/sarama"
	"github.com/lovoo/goka"
	"github.com/lovoo/goka/storage"
	"github.com/twmb/franz-go/pkg/kgo"
)

// Engine picks what runs a job's main consumer group.
type Engine string

// Engines.
const (
	// EngineRipple, the default, is ripple's own loop on a sarama consumer
	// group, sending with franz-go's producer (see engine.newOut): one
	// goroutine per partition takes the records the broker has delivered in
	// a batch, runs the handlers with a write cache in front of the state,
	// then writes the state in one Pebble batch, sends one changelog record
	// per key changed in the batch and commits the input offsets once
	// every record of the batch is acknowledged. The state table, its
	// changelog topic (<job>-table) and the partitioning are goka's, so goka
	// views and tools read a ripple job's state.
	EngineRipple Engine = "ripple"
	// EngineGoka runs the main group as a goka processor: one record at a
	// time, one changelog record per state write. processortest uses it
	// (goka's tester drives it); set GokaOptions to tune it.
	EngineGoka Engine = "goka"
)

// engine runs a job's main group with ripple's loop (see EngineRipple).
type engine[S any] struct {
	r        *Runner[S]
	table    string
	routes   map[string]callback
	builder  storage.Builder
	client   sarama.Client
	producer sarama.AsyncProducer // under ExactlyOnce: its transactions carry the records
	out      *kgo.Client          // otherwise: franz-go's producer sends them (see send)
	typed    bool                 // the workers keep S decoded in their caches (see stateCache)
	eos      bool                 // Config.ExactlyOnce (see txn.go)
	txnMu    sync.Mutex

	// Of the current run (see runOnce): its context, cancelled when the
	// run fails or the job stops, and failed, closed when it fails.
	ctx    context.Context
	cancel context.CancelCauseFunc
	failed chan struct{}
	// sending bounds a send that waits for room in out's buffer: it ends
	// when the run fails, not when the job stops (a stopping worker still
	// flushes its batch).
	sending   context.Context
	stopSends context.CancelFunc
	once      sync.Once
	joined    func() // called when a session's partitions are ready

	mu struct {
		sync.Mutex
		workers map[int32]*worker[S]
		parts   int32
		ctx     context.Context // ctx, for Runner.Get
	}
}

func newEngine[S any](r *Runner[S]) *engine[S] {
	e := &engine[S]{r: r, table: string(goka.GroupTable(goka.Group(r.job.Name))), routes: map[string]callback{}}
	for _, in := range r.handled() {
		e.routes[string(r.topic(in))] = r.consume(in)
		if r.cfg.MaxRetries > 0 {
			e.routes[string(r.job.retryReadyStream(in.stream))] = r.consumeRetry(in)
		}
	}
	e.builder = storage.MemoryBuilder()
	if r.job.State != nil {
		e.builder = r.stateBuilder()
		e.typed = selfContained(reflect.TypeFor[S]())
	}
	e.mu.workers = map[int32]*worker[S]{}
	e.eos = r.cfg.ExactlyOnce
	return e
}

// abort ends the engine's current run with err: workers stop where they
// are, without completing their batches. A Kafka error that goes away
// when the brokers come back starts a new run (see run); any other stops
// the job with err.
func (e *engine[S]) abort(err error) {
	e.once.Do(func() {
		close(e.failed)
		if e.stopSends != nil {
			e.stopSends()
		}
	})
	e.cancel(err)
}

// saramaConfig is the client configuration of the engine: the job's, with
// successes returned (a batch completes on its acks), flushes that do not
// wait for a full buffer, input offsets committed every CommitInterval and
// goka's co-partitioning assignment.
func (e *engine[S]) saramaConfig() *sarama.Config {
	sc := e.r.kafka.Sarama()
	sc.Producer.Return.Successes = true
	sc.Producer.Return.Errors = true
	sc.Producer.Flush.Frequency = 2 * time.Millisecond
	sc.Producer.Partitioner = newPartitioner
	// A batch's changelog records must reach the log in the order they
	// were sent, once each: restore applies a batch when it reads the
	// batch's marker (see worker.mark). The idempotent producer keeps
	// order and drops duplicates across its retries.
	sc.Producer.Idempotent = true
	sc.Producer.RequiredAcks = sarama.WaitForAll
	sc.Net.MaxOpenRequests = 1
	// A batch marks its input offsets when it completes (see complete);
	// they reach the group's committed offsets at the next auto-commit,
	// so commit at the job's own pace: a restarted or rebalanced
	// partition then starts no further back than CommitInterval.
	sc.Consumer.Offsets.AutoCommit.Enable = true
	sc.Consumer.Offsets.AutoCommit.Interval = e.r.cfg.CommitInterval
	sc.Consumer.Group.InstanceId = e.r.cfg.InstanceID
	if e.eos {
		sc.Producer.Transaction.ID = e.transactionalID()
		sc.Consumer.IsolationLevel = sarama.ReadCommitted
	}
	sc.Consumer.Group.Rebalance.GroupStrategies = []sarama.BalanceStrategy{goka.CopartitioningStrategy}
	sc.ChannelBufferSize = 1024
	sc.Consumer.MaxWaitTime = e.r.cfg.FetchWait
	// Ride out leader elections and topics still being created (a loaded
	// broker can take seconds); a broker that stays away fails the run,
	// which starts again when it is back.
	sc.Producer.Retry.Max = 40
	sc.Producer.Retry.Backoff = 250 * time.Millisecond
	sc.Metadata.Retry.Max = 10
	sc.Metadata.Retry.Backoff = 500 * time.Millisecond
	return sc
}

// run consumes until ctx ends or the engine fails for good. A run that
// fails because Kafka went away is followed by another, after a capped
// backoff, for as long as it takes: each reopens the partitions' state,
// whose stored input offsets make it resume exactly where the state is.
func (e *engine[S]) run(ctx context.Context) error {
	var b backoff
	for {
		err := e.runOnce(ctx, b.reset)
		if ctx.Err() != nil {
			return nil
		}
		// While the job runs, a run that ends without a Kafka error (a
		// session cut short, a part cancelled under it) is started again
		// too: only an error no new run can cure stops the job.
		if err == nil || errors.Is(err, context.Canceled) {
			err = transient(fmt.Errorf("the run ended by itself (%v)", err))
		}
		if !kafkaTransient(err) {
			return err
		}
		e.r.waits.start("engine", fmt.Sprintf("Kafka at %v", e.r.cfg.Brokers), err)
		if !b.wait(ctx) {
			return nil
		}
	}
}

// runOnce is one run of the engine: a client, a producer and a consumer
// group session after another until ctx ends or the run fails. joined is
// called when partitions are assigned and their state recovered.
func (e *engine[S]) runOnce(ctx context.Context, joined func()) error {
	ctx, e.cancel = context.WithCancelCause(ctx)
	e.ctx = ctx
	e.failed = make(chan struct{})
	e.once = sync.Once{}
	e.joined = joined
	e.mu.Lock()
	e.mu.ctx = ctx
	e.mu.Unlock()
	defer e.cancel(nil)
	client, err := sarama.NewClient(e.r.cfg.Brokers, e.saramaConfig())
	if err != nil {
		return fmt.Errorf("connecting to Kafka at %v: %w", e.r.cfg.Brokers, err)
	}
	e.client = client
	defer client.Close()
	if !e.eos {
		out, err := e.newOut()
		if err != nil {
			return err
		}
		e.out = out
		e.sending, e.stopSends = context.WithCancel(context.Background())
		defer func() {
			e.stopSends()
			out.Close() // fails what is still buffered: by now only a failed run's records
		}()
		return e.consume(ctx, client)
	}
	producer, err := sarama.NewAsyncProducerFromClient(client)
	if err != nil {
		return fmt.Errorf("producer: %w", err)
	}
	e.producer = producer
	var acks sync.WaitGroup
	acks.Add(1)
	go func() {
		defer acks.Done()
		e.acknowledge()
	}()
	defer func() {
		producer.AsyncClose()
		acks.Wait()
	}()
	if err := producer.BeginTxn(); err != nil {
		return e.txnError("beginning a transaction", err)
	}
	var commits sync.WaitGroup
	commits.Add(1)
	go func() {
		defer commits.Done()
		e.commitLoop(ctx)
	}()
	defer commits.Wait()
	return e.consume(ctx, client)
}

// consume runs the job's consumer group sessions on client until ctx ends
// or the run fails.
func (e *engine[S]) consume(ctx context.Context, client sarama.Client) error {
	group, err := sarama.NewConsumerGroupFromClient(string(e.r.job.Name), client)
	if err != nil {
		return fmt.Errorf("consumer group: %w", err)
	}
	defer group.Close()
	go func() {
		for err := range group.Errors() {
			e.r.cfg.Logger.Debug("consumer group error", "job", e.r.job.Name, "err", err)
		}
	}()
	topics := make([]string, 0, len(e.routes))
	for t := range e.routes {
		topics = append(topics, t)
	}
	for ctx.Err() == nil {
		// Consume returns at each rebalance, and with an error when the
		// group cannot go on (a coordinator gone, brokers down, metadata
		// not yet complete): then the run ends, and run starts another.
		if err := group.Consume(ctx, topics, e); err != nil && ctx.Err() == nil {
			e.abort(transient(fmt.Errorf("consuming: %w", err)))
		}
	}
	return context.Cause(ctx)
}

// Setup opens and recovers the state of every assigned partition, then
// starts one worker goroutine per partition.
func (e *engine[S]) Setup(sess sarama.ConsumerGroupSession) error {
	parts := map[int32]bool{}
	for _, ps := range sess.Claims() {
		for _, p := range ps {
			parts[p] = true
		}
	}
	workers := make(map[int32]*worker[S], len(parts))
	errs := make(chan error, len(parts))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for p := range parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w, err := e.openWorker(sess, p)
			if err != nil {
				errs <- fmt.Errorf("partition %d: %w", p, err)
				return
			}
			mu.Lock()
			workers[p] = w
			mu.Unlock()
		}()
	}
	wg.Wait()
	close(errs)
	if err := errors.Join(drain(errs)...); err != nil {
		for _, w := range workers {
			w.closeStorage()
		}
		if sess.Context().Err() == nil { // else a rebalance cut the recovery short: Consume again
			e.abort(err)
		}
		return err
	}
	// Inputs are co-partitioned: the first tells how keys map to partitions.
	n, err := e.client.Partitions(string(e.r.job.Inputs[0].stream))
	if err != nil {
		n = nil
	}
	e.mu.Lock()
	e.mu.workers = workers
	e.mu.parts = int32(len(n))
	e.mu.Unlock()
	for _, w := range workers {
		w.start()
	}
	e.r.ready.Store(true)
	e.r.waits.end("engine")
	e.joined()
	e.r.cfg.Logger.Info("job ready", "job", e.r.job.Name, "partitions", len(workers))
	return nil
}

func drain(errs <-chan error) []error {
	var out []error
	for err := range errs {
		out = append(out, err)
	}
	return out
}

// ConsumeClaim hands the claim's records to its partition's worker.
func (e *engine[S]) ConsumeClaim(sess sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) error {
	e.mu.Lock()
	w := e.mu.workers[claim.Partition()]
	e.mu.Unlock()
	if w == nil {
		return fmt.Errorf("no worker for partition %d of %s", claim.Partition(), claim.Topic())
	}
	lag := w.lagOf(claim.Topic())
	for {
		select {
		case m, ok := <-claim.Messages():
			if !ok {
				return nil
			}
			lag.Store(max(claim.HighWaterMarkOffset()-m.Offset-1, 0))
			select {
			case w.in <- m:
			case <-w.done:
				return nil
			case <-sess.Context().Done():
				return nil
			}
		case <-w.done:
			return nil
		case <-sess.Context().Done():
			return nil
		}
	}
}

// Cleanup stops the workers: each finishes its batch, waits for its acks,
// marks its offsets and closes its state. The marked offsets are committed
// before the partitions go.
func (e *engine[S]) Cleanup(sess sarama.ConsumerGroupSession) error {
	e.r.ready.Store(false)
	if e.eos {
		// The last transaction of these partitions: the workers stop
		// after it (or at the run's failure if it fails).
		_ = e.commit(true)
	}
	e.mu.Lock()
	workers := e.mu.workers
	e.mu.workers = map[int32]*worker[S]{}
	e.mu.Unlock()
	var errs []error
	for _, w := range workers {
		if err := w.stop(); err != nil {
			errs = append(errs, err)
		}
	}
	sess.Commit()
	return errors.Join(errs...)
}

// get reads the stored state of key, for Runner.Get.
func (e *engine[S]) get(key string) ([]byte, error) {
	e.mu.Lock()
	n, ctx := e.mu.parts, e.mu.ctx
	var w *worker[S]
	if n > 0 {
		w = e.mu.workers[keyPartition([]byte(key), n)] // where goka's emitters send key
	}
	e.mu.Unlock()
	if w == nil {
		return nil, fmt.Errorf("key %q belongs to a partition this instance does not hold", key)
	}
	// Through the worker: its cache holds what is not yet stored.
	return w.get(ctx, key)
}

// stats samples the engine's partitions.
func (e *engine[S]) stats(context.Context) []PartitionInfo {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []PartitionInfo
	for p, w := range e.mu.workers {
		info := PartitionInfo{Partition: p, Lag: map[Stream]int64{}, Recovering: w.recovering.Load(),
			RecoveryLag: w.recoveryLag.Load()}
		w.lag.Range(func(topic, lag any) bool {
			info.Lag[Stream(topic.(string))] = lag.(*atomic.Int64).Load()
			return true
		})
		out = append(out, info)
	}
	return out
}
