package processor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/IBM/sarama"
	"github.com/lovoo/goka"

	"github.com/ripplestream/ripple/internal/kafkaclient"
)

// Backoff bounds of a part of a job waiting for Kafka or a store.
const (
	minBackoff = 250 * time.Millisecond
	maxBackoff = 5 * time.Second
)

// backoff is a capped exponential delay.
type backoff struct{ next time.Duration }

// wait sleeps for the next delay, or until ctx ends (then it reports
// false).
func (b *backoff) wait(ctx context.Context) bool {
	b.next = min(max(b.next*2, minBackoff), maxBackoff)
	t := time.NewTimer(b.next)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

func (b *backoff) reset() { b.next = 0 }

// waits records what the parts of a job are waiting for (Kafka, a store),
// for readiness and for one WARN line when a wait starts and one INFO line
// when it ends.
type waits struct {
	log *slog.Logger
	job Group

	mu struct {
		sync.Mutex
		m map[string]wait
	}
}

type wait struct {
	reason string
	since  time.Time
}

func newWaits(log *slog.Logger, job Group) *waits {
	w := &waits{log: log, job: job}
	w.mu.m = map[string]wait{}
	return w
}

// start records that part waits because of err. The first call of a wait
// logs a WARN line; later ones update the reason quietly.
func (w *waits) start(part, what string, err error) {
	// goka's multi-errors span lines; a reason is one.
	reason := fmt.Sprintf("%s: waiting for %s: %s", part, what, strings.Join(strings.Fields(err.Error()), " "))
	w.mu.Lock()
	cur, ok := w.mu.m[part]
	if !ok {
		cur.since = time.Now()
	}
	cur.reason = reason
	w.mu.m[part] = cur
	w.mu.Unlock()
	if !ok {
		w.log.Warn("waiting; the job resumes by itself when it is back", "job", w.job, "part", part, "for", what, "err", err)
	} else {
		w.log.Debug("still waiting", "job", w.job, "part", part, "for", what, "err", err)
	}
}

// end records that part no longer waits, logging one INFO line if it did.
func (w *waits) end(part string) {
	w.mu.Lock()
	cur, ok := w.mu.m[part]
	delete(w.mu.m, part)
	w.mu.Unlock()
	if ok {
		w.log.Info("resumed", "job", w.job, "part", part, "waited", time.Since(cur.since).Round(time.Millisecond))
	}
}

// String says what the job waits for, or "" when nothing.
func (w *waits) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []string
	for _, cur := range w.mu.m {
		out = append(out, fmt.Sprintf("%s (for %s)", cur.reason, time.Since(cur.since).Round(time.Second)))
	}
	sort.Strings(out)
	return strings.Join(out, "; ")
}

// transientError marks an error that a new run of the engine may not meet.
type transientError struct{ err error }

func (t *transientError) Error() string { return t.err.Error() }
func (t *transientError) Unwrap() error { return t.err }

// transient marks err as worth a new run of the engine.
func transient(err error) error { return &transientError{err: err} }

// kafkaTransient reports whether err is a Kafka failure that goes away when
// the brokers come back: connection errors, a missing leader or
// coordinator, a closed client. Message-level errors (a record too large, a
// topic the job may not write) are not: retrying cannot cure them.
func kafkaTransient(err error) bool {
	if err == nil || kafkaclient.Refused(err) {
		return false // a refused password or certificate stays refused
	}
	var te *transientError
	if errors.As(err, &te) {
		return true
	}
	var kerr sarama.KError
	if errors.As(err, &kerr) {
		switch kerr {
		case sarama.ErrNotLeaderForPartition, sarama.ErrLeaderNotAvailable, sarama.ErrUnknownTopicOrPartition,
			sarama.ErrReplicaNotAvailable, sarama.ErrFencedLeaderEpoch, sarama.ErrUnknownLeaderEpoch,
			sarama.ErrOffsetNotAvailable, sarama.ErrKafkaStorageError, sarama.ErrNotEnoughReplicas,
			sarama.ErrNotEnoughReplicasAfterAppend, sarama.ErrRequestTimedOut, sarama.ErrNetworkException,
			sarama.ErrNotCoordinatorForConsumer, sarama.ErrConsumerCoordinatorNotAvailable,
			sarama.ErrOffsetsLoadInProgress, sarama.ErrRebalanceInProgress, sarama.ErrBrokerNotAvailable,
			sarama.ErrNotController, sarama.ErrOutOfOrderSequenceNumber, sarama.ErrUnknownProducerID,
			sarama.ErrInvalidProducerEpoch, sarama.ErrIllegalGeneration, sarama.ErrUnknownMemberId,
			sarama.ErrThrottlingQuotaExceeded, sarama.ErrConcurrentTransactions:
			return true
		}
		return false
	}
	// A syscall.Errno is a net.Error too, whatever it says: only the
	// network's own count (a full disk, EIO, is no outage of Kafka).
	var errno syscall.Errno
	if errors.As(err, &errno) {
		switch errno {
		case syscall.ECONNREFUSED, syscall.ECONNRESET, syscall.ECONNABORTED, syscall.EPIPE, syscall.ETIMEDOUT,
			syscall.EHOSTUNREACH, syscall.ENETUNREACH, syscall.ENETDOWN, syscall.EADDRNOTAVAIL:
			return true
		}
		return false
	}
	var nerr net.Error
	switch {
	case errors.Is(err, sarama.ErrOutOfBrokers), errors.Is(err, sarama.ErrNotConnected),
		errors.Is(err, sarama.ErrClosedClient), errors.Is(err, sarama.ErrShuttingDown),
		errors.Is(err, sarama.ErrControllerNotAvailable), errors.Is(err, sarama.ErrIncompleteResponse),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		errors.Is(err, context.DeadlineExceeded), errors.As(err, &nerr):
		return true
	}
	// goka wraps the errors of its parts in its own multi-errors, which do
	// not unwrap: read the text of the ones sarama says.
	msg := err.Error()
	for _, s := range []string{sarama.ErrOutOfBrokers.Error(), sarama.ErrNotConnected.Error(), "connection refused",
		"connection reset", "broken pipe", "i/o timeout", "EOF"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// produceTransient reports whether a record the producer gave up on may
// go through with a new producer: unless the broker refused it for good
// (a KError kafkaTransient does not cure) or the client cannot encode it
// (too large, badly formed), it may; franz-go's refusals are judged by their
// Kafka error code. sarama's idempotent producer, for
// one, can fail a record after a broker restart with "message out of
// sequence added to a batch", its own sequence bookkeeping gone wrong,
// which a new producer (with a new producer id) does not inherit.
func produceTransient(err error) bool {
	var kerr sarama.KError
	var cerr sarama.ConfigurationError
	var perr sarama.PacketEncodingError
	if code, ok := kgoRefusal(err); ok {
		return kafkaTransient(code)
	}
	switch {
	case errors.As(err, &kerr):
		return kafkaTransient(err)
	case errors.As(err, &cerr), errors.As(err, &perr):
		return false
	}
	return true
}

// supervised returns a part of the job that runs the processors build
// makes under supervise. The first is made at once, so that a graph goka
// refuses stops Run instead of being retried.
func (r *Runner[S]) supervised(part string, build func() (*goka.Processor, error), ready func()) (func(context.Context) error, error) {
	first, err := build()
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context) error {
		next := first
		return r.supervise(ctx, part, func() (*goka.Processor, error) {
			if p := next; p != nil {
				next = nil
				return p, nil
			}
			return build()
		}, ready)
	}, nil
}

// supervise runs a goka processor until ctx ends, making a new one after
// each failure, with backoff: goka's Run returns on the first consume
// error, such as a broker restarting, and a job must ride that out.
// ready, if not nil, is told when a processor (re)joins its group.
func (r *Runner[S]) supervise(ctx context.Context, part string, build func() (*goka.Processor, error), ready func()) error {
	var b backoff
	for ctx.Err() == nil {
		p, err := build()
		if err != nil { // the first was built by supervised: Kafka is away
			r.waits.start(part, "Kafka", err)
			if !b.wait(ctx) {
				return nil
			}
			continue
		}
		pctx, cancel := context.WithCancel(ctx)
		watched := make(chan struct{})
		go func() {
			defer close(watched)
			if p.WaitForReadyContext(pctx) == nil && pctx.Err() == nil {
				r.waits.end(part)
				b.reset()
				if ready != nil {
					ready()
				}
			}
		}()
		err = p.Run(pctx)
		cancel()
		<-watched
		if ctx.Err() != nil {
			return nil
		}
		if err == nil {
			err = errors.New("stopped")
		}
		r.waits.start(part, "Kafka", err)
		if !b.wait(ctx) {
			return nil
		}
	}
	return nil
}
