package ratelimit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/internal/jsonscan"
	"github.com/ripplestream/ripple/processor"
)

// Schemas of the events the stage writes.
const (
	// SummarySchema is the $schema of SummaryEvent.
	SummarySchema = "/ripple/ratelimit/summary/1.0.0"
	// DelayedSchema is the $schema of DelayedEvent.
	DelayedSchema = "/ripple/ratelimit/delayed/1.0.0"
)

// SummaryEvent reports what the stage held back for one key over a period.
type SummaryEvent struct {
	event.Envelope
	// Key is the Kafka key the summary is about.
	Key string `json:"key"`
	// Policy is the policy that held the events back.
	Policy Policy `json:"policy"`
	// Suppressed and Delayed count the events dropped (or not sampled) and
	// delayed from Since until Until.
	Suppressed int64     `json:"suppressed"`
	Delayed    int64     `json:"delayed"`
	Since      time.Time `json:"since"`
	Until      time.Time `json:"until"`
	// Message says the same in a sentence, for humans and log pipelines.
	Message string `json:"message"`
}

// DelayedEvent is an event the Delay policy holds until DueAt, written to
// DelayOutput under the event's key.
type DelayedEvent struct {
	// Schema is DelayedSchema.
	Schema string `json:"$schema"`
	// Meta is the record's own meta: the delay stream and a fresh id.
	Meta event.Meta `json:"meta"`
	// DueAt is when the event conforms to the limit.
	DueAt time.Time `json:"due_at"`
	// Event is the held event.
	Event json.RawMessage `json:"event"`
}

// Errors describing events the stage refuses; the error record's message
// wraps them with the event's stream, partition, offset and key.
var (
	// ErrNotObject: the event is not a JSON object.
	ErrNotObject = errors.New("ratelimit: event is not a JSON object")
	// ErrTooLarge: the event is larger than Config.MaxEventBytes.
	ErrTooLarge = errors.New("ratelimit: event too large")
	// ErrNotUTF8: the event is not valid UTF-8.
	ErrNotUTF8 = errors.New("ratelimit: event is not valid UTF-8")
	// ErrBadRate: in adaptive mode, the event reports no usable error rate.
	ErrBadRate = errors.New("ratelimit: error rate is not a number in [0, 1]")
)

// Job returns the ratelimit stage: it reads cfg.Input and limits each Kafka
// key to cfg.Limiter's rate, emitting passing events to cfg.Output
// unchanged, holding others back by the policy, and emitting summaries to
// cfg.SummaryOutput. It validates cfg first.
func Job(cfg Config) (processor.Job[State], error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return processor.Job[State]{}, err
	}
	s := &stage{cfg: cfg, out: processor.NewOutput[[]byte](cfg.Output, event.Raw{})}
	outputs := []processor.Declared{s.out}
	if cfg.DelayOutput != "" {
		s.delay = processor.NewOutput[DelayedEvent](cfg.DelayOutput, event.JSON[DelayedEvent]{})
		outputs = append(outputs, s.delay)
	}
	if cfg.SummaryOutput != "" {
		s.summary = processor.NewOutput[SummaryEvent](cfg.SummaryOutput, event.JSON[SummaryEvent]{})
		outputs = append(outputs, s.summary)
	}
	job := processor.Job[State]{
		Name:    cfg.Name,
		State:   StateCodec{},
		Inputs:  []processor.Input[State]{processor.On(cfg.Input, event.Raw{}, s.handle, cfg.InputOptions...)},
		Outputs: outputs,
	}
	if cfg.delayTimers() || cfg.summaryTimers() {
		job.Timer = processor.OnTimer(event.Raw{}, s.fire)
	}
	return job, nil
}

type stage struct {
	cfg     Config
	out     processor.Output[[]byte]
	delay   processor.Output[DelayedEvent]
	summary processor.Output[SummaryEvent]
}

func (s *stage) handle(c *processor.Context[State], key string, raw []byte) error {
	rate, err := s.check(raw)
	if err != nil {
		return processor.Permanent(fmt.Errorf("%w (stream %s, partition %d, offset %d, key %q)",
			err, c.Stream(), c.Partition(), c.Offset(), key))
	}
	st, _, err := c.State()
	if err != nil {
		// Undecodable state would send every later event of the key to the
		// error topic; starting afresh gives the key one fresh burst.
		c.Logger().Warn("ratelimit: unreadable state replaced", "err", err)
		st = State{}
	}
	now := s.now(c)
	l := &s.cfg.Limiter
	if s.cfg.delayTimers() && len(raw) > MaxDelayedBytes {
		drop := *l // too large to hold in a timer: over the limit, it is dropped
		drop.Policy = Drop
		l = &drop
	}
	l.Observe(&st, rate)
	d := l.Decide(&st, now)
	if d.Summary != nil && s.cfg.SummaryOutput != "" {
		if err := s.summary.Emit(c, key, s.summaryEvent(key, d.Summary)); err != nil {
			return err
		}
	}
	switch {
	case d.Outcome.Emits():
		err = s.out.Emit(c, key, raw)
	case d.Outcome == Delayed && s.cfg.DelayOutput != "":
		err = s.delay.Emit(c, key, DelayedEvent{Schema: DelayedSchema,
			Meta:  event.Meta{Stream: string(s.cfg.DelayOutput), ID: event.NewID(), DT: time.Now().UTC()},
			DueAt: d.Due.UTC(), Event: raw})
	case d.Outcome == Delayed:
		err = s.hold(c, key, raw, d.Due.Sub(now))
	}
	if err != nil {
		return err
	}
	if s.cfg.summaryTimers() {
		if err := s.anchor(c, key, &st, now); err != nil {
			return err
		}
	}
	return c.SetState(st)
}

func (s *stage) summaryEvent(key string, sum *Summary) SummaryEvent {
	env := event.New(SummarySchema, string(s.cfg.SummaryOutput), sum.Until)
	return SummaryEvent{Envelope: env, Key: key, Policy: s.cfg.Limiter.Policy,
		Suppressed: sum.Suppressed, Delayed: sum.Delayed, Since: sum.Since.UTC(), Until: sum.Until.UTC(),
		Message: fmt.Sprintf("suppressed %d and delayed %d events for key %q in %v (%s policy, limit %d per %v)",
			sum.Suppressed, sum.Delayed, key, sum.Until.Sub(sum.Since).Round(time.Millisecond),
			s.cfg.Limiter.Policy, s.cfg.Limiter.Limit.Rate, s.cfg.Limiter.Limit.Per)}
}

func (s *stage) now(c *processor.Context[State]) time.Time {
	if s.cfg.Clock != nil {
		return s.cfg.Clock()
	}
	if ts := c.Timestamp(); !ts.IsZero() {
		return ts
	}
	return c.Now()
}

// check refuses events the stage cannot pass on and returns the error rate
// the event reports (NaN without Adaptive).
func (s *stage) check(raw []byte) (float64, error) {
	if len(raw) > s.cfg.MaxEventBytes {
		return 0, fmt.Errorf("%w: %d bytes, limit %d (Config.MaxEventBytes)", ErrTooLarge, len(raw), s.cfg.MaxEventBytes)
	}
	if !utf8.Valid(raw) {
		return 0, ErrNotUTF8
	}
	if t := bytes.TrimLeft(raw, " \t\r\n"); len(t) == 0 || t[0] != '{' || !jsonscan.Valid(raw) {
		return 0, ErrNotObject
	}
	if s.cfg.ErrorRate == nil {
		return math.NaN(), nil
	}
	rate, err := s.cfg.ErrorRate(raw)
	if err != nil {
		return 0, err
	}
	if !(rate >= 0 && rate <= 1) {
		return 0, fmt.Errorf("%w: %v", ErrBadRate, rate)
	}
	return rate, nil
}

// Field returns a Config.ErrorRate that reads the number at path in a JSON
// event, such as Field("error_rate") or Field("stats", "error_ratio"). A
// missing field or a value that is not a number is an error, so such events
// go to the error topic.
func Field(path ...string) func(raw []byte) (float64, error) {
	return func(raw []byte) (float64, error) {
		v := json.RawMessage(raw)
		for i, name := range path {
			var obj map[string]json.RawMessage
			if err := json.Unmarshal(v, &obj); err != nil {
				return 0, fmt.Errorf("%w: %s is not an object", ErrBadRate, pathString(path[:i]))
			}
			next, ok := obj[name]
			if !ok {
				return 0, fmt.Errorf("%w: event has no field %s", ErrBadRate, pathString(path[:i+1]))
			}
			v = next
		}
		var f float64
		if err := json.Unmarshal(v, &f); err != nil {
			return 0, fmt.Errorf("%w: field %s is %s", ErrBadRate, pathString(path), excerpt(v))
		}
		return f, nil
	}
}

func pathString(path []string) string {
	if len(path) == 0 {
		return "the event"
	}
	return strings.Join(path, ".")
}

// excerpt returns the start of b, for error messages about huge values.
func excerpt(b []byte) string {
	const n = 64
	if len(b) <= n {
		return string(b)
	}
	return string(b[:n]) + "..."
}
