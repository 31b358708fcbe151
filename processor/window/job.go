package window

import (
	"errors"
	"fmt"
	"time"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/processor"
)

// ResultSchema is the $schema of ResultEvent.
const ResultSchema = "/ripple/window/result/1.0.0"

// Why a window closed, as ResultEvent.ClosedBy says.
const (
	// ClosedByWatermark: an event of the key moved its watermark past the
	// window's end.
	ClosedByWatermark = "watermark"
	// ClosedByTimer: the key was quiet, and processing time passed the
	// window's end plus the lateness (see the package documentation).
	ClosedByTimer = "timer"
	// ClosedByLimit: the key had Windower.MaxOpen windows open and this,
	// its oldest, was closed early.
	ClosedByLimit = "limit"
)

// ResultEvent is a closed window, as the stage emits it to Config.Output
// under the window's key (schema ripple/window/result).
type ResultEvent[A any] struct {
	// Envelope: $schema is ResultSchema, meta.stream the output stream,
	// meta.dt the processing time of the close, and dt the window's end.
	// meta.id is derived from the stream, key and window, so the result of
	// a window re-emitted after a crash or a replay has the same id and can
	// be deduplicated downstream (package dedupe).
	event.Envelope
	// Key is the Kafka key the window belongs to.
	Key string `json:"key"`
	// Window bounds the window's event times: start <= dt < end.
	Window Span `json:"window"`
	// Count is how many events the window holds.
	Count int64 `json:"count"`
	// Aggregate is the aggregate of their values.
	Aggregate A `json:"aggregate"`
	// Late is how many events of the key were late (and sent to the late
	// stream) since the key's previous result.
	Late int64 `json:"late"`
	// ClosedBy says why the window closed: ClosedByWatermark,
	// ClosedByTimer or ClosedByLimit.
	ClosedBy string `json:"closed_by"`
}

// Span is a window's bounds.
type Span struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// JobState is the stage's state of one Kafka key: the windowing State and
// what the stage needs for its timers. The job keeps it with StateCodec.
type JobState[A any] struct {
	State[A]
	// EventAt and SeenAt anchor the key's event time to processing time:
	// the newest event time of the key, and the processing time it was
	// seen at (Unix milliseconds), moved on by the time the job was down.
	// Timers assume that event time goes on advancing with processing time
	// from there.
	EventAt int64 `json:"et,omitempty"`
	SeenAt  int64 `json:"pt,omitempty"`
	// TimerAt is when (processing time, Unix ms) the key's pending close
	// timer is due, and TimerEnd the end of the window it was set for,
	// when Timed. Other close timers that fire are stale and do nothing.
	TimerAt  int64 `json:"tm,omitempty"`
	TimerEnd int64 `json:"te,omitempty"`
	Timed    bool  `json:"timed,omitempty"`
	// Expires is the processing time (Unix ms) at which a key with no open
	// window forgets its state; 0 while it has open windows.
	Expires int64 `json:"exp,omitempty"`
}

// Errors describing events the stage refuses; the error record's message
// wraps them with the event's stream, partition, offset and key.
var (
	// ErrNotObject: the event is not a JSON object.
	ErrNotObject = errors.New("window: event is not a JSON object")
	// ErrNoEventTime: the event has no dt.
	ErrNoEventTime = errors.New("window: event has no dt (its event time); set Config.EventTime to read it from another field")
	// ErrBadEventTime: the event's dt is not an RFC 3339 date-time string.
	ErrBadEventTime = errors.New("window: dt is not an RFC 3339 date-time string")
	// ErrFuture: the event time is further ahead of processing time than
	// Config.MaxFuture.
	ErrFuture = errors.New("window: event time too far in the future")
	// ErrTooLarge: the event is larger than Config.MaxEventBytes.
	ErrTooLarge = errors.New("window: event too large")
)

// Job returns the window stage: it reads cfg.Input, windows each Kafka key
// by its events' event time, emits a ResultEvent to cfg.Output for each
// window that closes, and the late events, unchanged, to cfg.LateOutput.
// Quiet keys' windows close by processing-time timers. It validates cfg
// first.
func Job[A, T any](cfg Config[A, T]) (processor.Job[JobState[A]], error) {
	customTime := cfg.EventTime != nil
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return processor.Job[JobState[A]]{}, err
	}
	s := &stage[A, T]{cfg: cfg, w: cfg.Windower, customTime: customTime,
		out:  processor.NewOutput[ResultEvent[A]](cfg.Output, resultCodec[A]{}),
		late: processor.NewOutput[[]byte](cfg.LateOutput, event.Raw{})}
	return processor.Job[JobState[A]]{
		Name:    cfg.Name,
		State:   StateCodec[A]{},
		Inputs:  []processor.Input[JobState[A]]{processor.On(cfg.Input, event.Raw{}, s.handle, cfg.InputOptions...)},
		Outputs: []processor.Declared{s.out, s.late},
		Timer:   processor.OnTimer(event.JSON[timer]{}, s.fire),
	}, nil
}

type stage[A, T any] struct {
	cfg        Config[A, T]
	w          Windower[A, T]
	customTime bool
	out        processor.Output[ResultEvent[A]]
	late       processor.Output[[]byte]
}

// handle windows one event.
func (s *stage[A, T]) handle(c *processor.Context[JobState[A]], key string, raw []byte) error {
	now := c.Now()
	t, v, err := s.read(raw, now)
	if err != nil {
		return processor.Permanent(fmt.Errorf("%w (stream %s, partition %d, offset %d, key %q)",
			err, c.Stream(), c.Partition(), c.Offset(), key))
	}
	st, _, err := c.State()
	if err != nil {
		// Undecodable state would send every later event of the key to the
		// error topic; starting afresh loses the key's open windows.
		c.Logger().Warn("window: unreadable state replaced", "err", err)
		st = JobState[A]{}
	}
	if s.w.Add(&st.State, t, v).Late {
		if err := s.late.Emit(c, key, raw); err != nil {
			return err
		}
	} else if ms := t.UnixMilli(); st.SeenAt == 0 || ms > st.EventAt {
		st.EventAt, st.SeenAt = ms, now.UnixMilli()
	}
	return s.close(c, key, &st, time.Time{}, ClosedByWatermark, now)
}

// read checks raw and returns its event time and value.
func (s *stage[A, T]) read(raw []byte, now time.Time) (time.Time, T, error) {
	var v T
	if len(raw) > s.cfg.MaxEventBytes {
		return time.Time{}, v, fmt.Errorf("%w: %d bytes, limit %d (Config.MaxEventBytes)", ErrTooLarge, len(raw), s.cfg.MaxEventBytes)
	}
	t, err := s.cfg.EventTime(raw)
	if err != nil {
		if s.customTime {
			err = fmt.Errorf("window: Config.EventTime: %w", err)
		}
		return time.Time{}, v, err
	}
	if ahead := t.Sub(now); s.cfg.MaxFuture > 0 && ahead > s.cfg.MaxFuture {
		return time.Time{}, v, fmt.Errorf("%w: %s is %v ahead of processing time %s (Config.MaxFuture %v)",
			ErrFuture, t.UTC().Format(time.RFC3339Nano), ahead.Round(time.Millisecond), now.UTC().Format(time.RFC3339), s.cfg.MaxFuture)
	}
	if s.cfg.Value != nil {
		if v, err = s.cfg.Value(raw); err != nil {
			return time.Time{}, v, fmt.Errorf("window: Config.Value: %w", err)
		}
	}
	return t, v, nil
}

// close advances the key's watermark to wm (zero: where its events put
// it), emits the windows that closed, sets the key's next timer and saves
// its state.
func (s *stage[A, T]) close(c *processor.Context[JobState[A]], key string, st *JobState[A], wm time.Time, by string, now time.Time) error {
	for _, r := range s.w.Advance(&st.State, wm) {
		reason := by
		if r.Evicted {
			reason = ClosedByLimit
		}
		if err := s.out.Emit(c, key, s.result(key, r, reason, now)); err != nil {
			return err
		}
	}
	if err := s.schedule(c, key, st, now); err != nil {
		return err
	}
	return c.SetState(*st)
}

func (s *stage[A, T]) result(key string, r Result[A], by string, now time.Time) ResultEvent[A] {
	return ResultEvent[A]{
		Envelope: event.Envelope{
			Schema: ResultSchema,
			Meta:   event.Meta{Stream: string(s.cfg.Output), ID: resultID(s.cfg.Output, key, r.Start, r.End), DT: now.UTC()},
			DT:     r.End,
		},
		Key: key, Window: Span{Start: r.Start, End: r.End}, Count: r.Count, Aggregate: r.Aggregate,
		Late: r.Late, ClosedBy: by,
	}
}
