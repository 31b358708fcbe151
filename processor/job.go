package processor

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"

	"github.com/ripplestream/ripple/event"
)

// Stream names a Kafka topic that carries events.
type Stream string

// Group names a job: its Kafka consumer group, the prefix of its state
// table, retry and error topics, and the label on its metrics.
type Group string

// Job defines a stateful stream job as data: what it reads, the state it
// keeps per key and what it may write. Check it with Validate; run it with
// NewRunner.
type Job[S any] struct {
	// Name is the job's consumer group. It names the state table
	// (<name>-table), the error topic (<name>.error) and the retry topics
	// (<name>.retry.<stream>).
	Name Group
	// Inputs are the streams the job consumes, each with its codec and
	// handler. All inputs must have the same number of partitions, keyed
	// alike, because a key's state lives in one partition.
	Inputs []Input[S]
	// State encodes the per-key state. Nil makes the job stateless.
	//
	// Under EngineRipple, when S holds no references (no map, slice,
	// pointer or interface, as in a struct of numbers and strings) and no
	// field the codec cannot see (unexported, json:"-"), the state of
	// recently used keys is kept decoded and a handler gets it without a
	// Decode; the codec must then give back what it encoded.
	State event.Codec[S]
	// Outputs declares every stream a handler may emit to.
	Outputs []Declared
	// Loop, built with OnLoop, handles the events the job sends itself with
	// Context.Loopback, through the topic <name>-loop. Use it to split long
	// work (a large fan-out) into bounded steps whose progress is kept in
	// state. Nil: the job sends itself nothing.
	Loop *Input[S]
	// Timer, built with OnTimer, handles the timers handlers set with
	// Context.At and Context.After: processing-time callbacks that fire
	// even when no event arrives (to close a window, release a delayed
	// event, expire state). Timers travel through <name>.timer and
	// <name>.timer.ready, so they survive a restart. Nil: the job sets no
	// timers.
	Timer *Input[S]
	// Flush, if set, is called before the records the job handled are
	// committed, to write out what its handlers buffered (see FlushFunc).
	Flush FlushFunc
	// Release, if set, is called when a partition of the job stops on
	// this process (a rebalance, a stop), after its last Flush, whether
	// that succeeded or not: it drops what the handlers buffered for the
	// partition, whose records not committed are handled again by its
	// next owner (kept, a buffered write could land after the next
	// owner's newer one). Under EngineGoka, which commits a record
	// whatever its Flush returned, it is not called.
	Release func(partition int32)
}

// Input is one consumed stream of a Job with state S. Build it with On.
type Input[S any] struct {
	stream Stream
	opts   inputOptions
	handle func(c *Context[S], raw []byte) error
}

// Stream returns the consumed stream.
func (in Input[S]) Stream() Stream { return in.stream }

// Handler processes one event of type T with the key's state in c. An error
// sends the event to the retry topic (or, wrapped with Permanent, straight to
// the error topic); the job continues either way. State changes and emits of
// a failed call are discarded.
type Handler[S, T any] func(c *Context[S], key string, ev T) error

// InputOption changes how an input is read.
type InputOption func(*inputOptions)

type inputOptions struct {
	schema     bool
	keepCanary bool
}

// ValidateSchema validates each event of the input against the schema named
// by its $schema, in the runner's schema repository, before decoding. An
// invalid event goes to the error topic with the violated path and rule.
func ValidateSchema() InputOption { return func(o *inputOptions) { o.schema = true } }

// KeepCanary processes events whose meta.domain is "canary"; by default
// they are dropped (they exist to check the pipeline, not to be acted on).
func KeepCanary() InputOption { return func(o *inputOptions) { o.keepCanary = true } }

// On declares an input: events of stream are decoded with codec and passed
// to h.
func On[S, T any](stream Stream, codec event.Codec[T], h Handler[S, T], opts ...InputOption) Input[S] {
	in := Input[S]{stream: stream}
	for _, o := range opts {
		o(&in.opts)
	}
	in.handle = func(c *Context[S], raw []byte) error {
		ev, err := codec.Decode(raw)
		if err != nil {
			return &undecodable{err: err}
		}
		return h(c, c.Key(), ev)
	}
	return in
}

// OnLoop declares the handler of a job's loopback events (see Job.Loop).
func OnLoop[S, T any](codec event.Codec[T], h Handler[S, T]) *Input[S] {
	in := On[S, T]("", codec, h)
	return &in
}

// OnTimer declares the handler of a job's timers (see Job.Timer). It gets
// the key and the value given to Context.At; Context.Stream returns
// TimerStream(job).
func OnTimer[S, T any](codec event.Codec[T], h Handler[S, T]) *Input[S] {
	in := Input[S]{}
	in.handle = func(c *Context[S], raw []byte) error {
		var rec TimerRecord
		if err := json.Unmarshal(raw, &rec); err != nil {
			return &undecodable{err: fmt.Errorf("processor: unreadable timer record: %w", err)}
		}
		ev, err := codec.Decode(rec.Value)
		if err != nil {
			return &undecodable{err: err}
		}
		return h(c, c.Key(), ev)
	}
	return &in
}

// TimerStream returns the name under which a job's timers reach its
// Timer handler (Context.Stream), and the topic that holds them until due.
func TimerStream(job Group) Stream { return Stream(string(job) + ".timer") }

// loopStream is goka's name of a job's loopback topic.
func (j Job[S]) loopStream() Stream { return Stream(string(j.Name) + "-loop") }

// LoopStream returns the topic that carries a job's Loopback events.
func (j Job[S]) LoopStream() Stream { return j.loopStream() }

// Declared is a stream a job may emit to; Output[T] is the typed kind.
type Declared interface {
	Stream() Stream
}

// Output is a typed output stream. Declare it in Job.Outputs and emit to it
// from a handler with Emit.
type Output[T any] struct {
	stream Stream
	codec  event.Codec[T]
}

// NewOutput returns an output of stream whose events codec encodes.
func NewOutput[T any](stream Stream, codec event.Codec[T]) Output[T] {
	return Output[T]{stream: stream, codec: codec}
}

// Stream returns the output's stream.
func (o Output[T]) Stream() Stream { return o.stream }

// Emit encodes v and queues it for the output under key. It is sent when
// the handler returns nil, and dropped if the handler fails.
func (o Output[T]) Emit(c emitter, key string, v T) error {
	b, err := o.codec.Encode(v)
	if err != nil {
		return Permanent(fmt.Errorf("processor: encoding event for %s: %w", o.stream, err))
	}
	return c.emit(o.stream, key, b)
}

// emitter is implemented by *Context[S] for every S.
type emitter interface {
	emit(stream Stream, key string, value []byte) error
}

var validName = regexp.MustCompile(`^[a-zA-Z0-9._-]{1,200}$`)

// Errors returned by Job.Validate.
var (
	ErrNoName     = errors.New("processor: job has no name")
	ErrNoInputs   = errors.New("processor: job has no inputs")
	ErrBadName    = errors.New("processor: invalid topic or group name")
	ErrDuplicate  = errors.New("processor: stream declared twice")
	ErrUndeclared = errors.New("processor: emit to an undeclared output")
)

// Validate reports a definition that cannot run: no name or inputs, names
// Kafka would refuse, a stream consumed or declared twice, or an output
// that is also an input (a loop).
func (j Job[S]) Validate() error {
	if j.Name == "" {
		return ErrNoName
	}
	if !validName.MatchString(string(j.Name)) {
		return fmt.Errorf("%w: job name %q (letters, digits, '.', '_', '-')", ErrBadName, j.Name)
	}
	if len(j.Inputs) == 0 {
		return fmt.Errorf("%w: %s", ErrNoInputs, j.Name)
	}
	seen := map[Stream]string{}
	for _, in := range j.Inputs {
		if in.handle == nil {
			return fmt.Errorf("processor: job %s: input %q was not built with processor.On", j.Name, in.stream)
		}
		if err := checkStream(seen, in.stream, "input"); err != nil {
			return fmt.Errorf("job %s: %w", j.Name, err)
		}
	}
	if j.Loop != nil && j.Loop.handle == nil {
		return fmt.Errorf("processor: job %s: Loop was not built with processor.OnLoop", j.Name)
	}
	if j.Timer != nil && j.Timer.handle == nil {
		return fmt.Errorf("processor: job %s: Timer was not built with processor.OnTimer", j.Name)
	}
	for _, out := range j.Outputs {
		if err := checkStream(seen, out.Stream(), "output"); err != nil {
			return fmt.Errorf("job %s: %w", j.Name, err)
		}
	}
	return nil
}

func checkStream(seen map[Stream]string, s Stream, role string) error {
	if !validName.MatchString(string(s)) {
		return fmt.Errorf("%w: %s stream %q", ErrBadName, role, s)
	}
	if prev, ok := seen[s]; ok {
		return fmt.Errorf("%w: %q as %s and %s", ErrDuplicate, s, prev, role)
	}
	seen[s] = role
	return nil
}

// Topic names derived from a job name.
func (j Job[S]) errorStream() Stream { return Stream(string(j.Name) + ".error") }
func (j Job[S]) retryStream(in Stream) Stream {
	return Stream(string(j.Name) + ".retry." + string(in))
}
func (j Job[S]) timerReadyStream() Stream { return TimerStream(j.Name) + ".ready" }
func (j Job[S]) timersGroup() Group       { return j.Name + ".timers" }
func (j Job[S]) retryReadyStream(in Stream) Stream {
	return Stream(string(j.Name) + ".retry." + string(in) + ".ready")
}
