package anomaly

import (
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/processor"
)

// KeyState is the anomaly job's state of one key: the detector's State,
// plus what the job needs to close windows on timers and to push a firing
// alert again. The job stores it with StateCodec; it also has a JSON form.
type KeyState struct {
	State
	// LastEvent is the processing time of the key's last event.
	LastEvent time.Time `json:"last_event,omitzero"`
	// Newest is the newest event time seen for the key, and NewestAt the
	// processing time it was seen at: together, how far the key's own
	// event time has come (see marks).
	Newest   time.Time `json:"newest,omitzero"`
	NewestAt time.Time `json:"newest_at,omitzero"`
	// Timer is the due time of the key's armed timer; zero when none is.
	Timer time.Time `json:"timer,omitzero"`
	// Fired is the transition that made the firing alert fire, kept while
	// it fires so that it can be pushed to Alertmanager again.
	Fired *Transition `json:"fired,omitempty"`
}

// timerValue is what the job's timers carry.
type timerValue struct {
	// Due identifies the timer: only the one the key's state names re-arms.
	Due time.Time `json:"due"`
}

// Job returns the anomaly job: it counts cfg.Input's events per key in
// windows of their event time, scores each closed window with cfg.Detector
// and emits an AlertEvent to cfg.Output whenever a key's alert fires or
// resolves, pushing it to cfg.AlertmanagerURL when set. Timers close the
// windows of keys whose events stopped. It validates cfg first.
func Job(cfg Config) (processor.Job[KeyState], error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return processor.Job[KeyState]{}, err
	}
	s := &stage{cfg: cfg, det: cfg.Detector, out: processor.NewOutput[AlertEvent](cfg.Output, event.JSON[AlertEvent]{})}
	s.marks.m = map[int32]mark{}
	if cfg.AlertmanagerURL != "" {
		client, err := NewClient(cfg.AlertmanagerURL, cfg.ClientOptions...)
		if err != nil {
			return processor.Job[KeyState]{}, fmt.Errorf("job %s: %w", cfg.Name, err)
		}
		s.push = &pusher{client: client, pause: cfg.PushPause}
	}
	job := processor.Job[KeyState]{
		Name:    cfg.Name,
		State:   StateCodec{},
		Inputs:  []processor.Input[KeyState]{processor.On(cfg.Input, event.Raw{}, s.handle, cfg.InputOptions...)},
		Outputs: []processor.Declared{s.out},
		Timer:   processor.OnTimer(event.JSON[timerValue]{}, s.fire),
	}
	if cfg.Key != nil {
		job.Loop = processor.OnLoop(event.Raw{}, s.rekeyed)
	}
	return job, nil
}

type stage struct {
	cfg   Config
	det   Detector
	out   processor.Output[AlertEvent]
	push  *pusher // nil without an Alertmanager
	marks marks
}

// handle reads one input event.
func (s *stage) handle(c *processor.Context[KeyState], key string, raw []byte) error {
	obs, err := s.read(raw, c.Now())
	if err == nil && s.cfg.Key != nil {
		var k string
		if k, err = s.key(raw); err == nil && k != key {
			return c.Loopback(k, raw)
		}
		key = k
	} else if err == nil {
		err = checkKey(key, "the Kafka key (set Config.Key to count events under a field)")
	}
	if err != nil {
		return processor.Permanent(fmt.Errorf("%w (stream %s, partition %d, offset %d, key %q)",
			err, c.Stream(), c.Partition(), c.Offset(), excerpt([]byte(key))))
	}
	return s.observe(c, key, obs)
}

// rekeyed reads an event the job sent itself under the key Config.Key
// gave it.
func (s *stage) rekeyed(c *processor.Context[KeyState], key string, raw []byte) error {
	obs, err := s.read(raw, time.Time{}) // checked for MaxAhead on the way in
	if err != nil {
		return processor.Permanent(fmt.Errorf("%w (loop of key %q)", err, excerpt([]byte(key))))
	}
	return s.observe(c, key, obs)
}

// observe counts an event in its key's window.
func (s *stage) observe(c *processor.Context[KeyState], key string, obs observation) error {
	st := s.load(c)
	now := c.Now()
	s.marks.saw(c.Partition(), obs.t, now)
	closed := st.Closed
	trs := s.det.Observe(&st.State, obs.t, obs.n)
	st.LastEvent = now
	if obs.t.After(st.Newest) {
		st.Newest, st.NewestAt = obs.t, now
	}
	// Arm a timer unless one is pending; one overdue by a window is taken
	// for lost (a stale timer that fires later only closes windows).
	if st.Timer.IsZero() || st.Timer.Before(now.Add(-s.step())) {
		if err := s.arm(c, key, &st, now); err != nil {
			return err
		}
	}
	if err := s.report(c, key, &st, trs, st.Closed != closed, now); err != nil {
		return err
	}
	return c.SetState(st)
}

// fire closes the windows of a key whose events stopped: it advances the
// key to the event time it and its partition have reached (see marks) and,
// if the timer is the key's current one and the key is still of interest,
// arms the next.
func (s *stage) fire(c *processor.Context[KeyState], key string, tv timerValue) error {
	st, ok, err := c.State()
	if err != nil || !ok {
		return nil // nothing to close: a deleted or unreadable state starts afresh with the next event
	}
	now := c.Now()
	closed := st.Closed
	var trs []Transition
	t, known := s.marks.estimate(c.Partition(), now, &st, s.step())
	if known {
		trs = s.det.Advance(&st.State, t)
	}
	current := tv.Due.Equal(st.Timer)
	if !current && st.Closed == closed {
		return nil // a stale timer that changed nothing
	}
	if current {
		st.Timer = time.Time{}
		if !known || st.Firing || st.Streak > 0 || now.Sub(st.LastEvent) < s.cfg.IdleAfter {
			if err := s.arm(c, key, &st, now); err != nil {
				return err
			}
		}
	}
	if err := s.report(c, key, &st, trs, st.Closed != closed, now); err != nil {
		return err
	}
	return c.SetState(st)
}

// step is a window and its lateness: the longest a timer waits.
func (s *stage) step() time.Duration { return s.det.Bucket + s.det.lateness() }

// arm sets a timer for when the key's oldest open window should close, as
// far as the estimate of its event time tells, and at most a step from now.
func (s *stage) arm(c *processor.Context[KeyState], key string, st *KeyState, now time.Time) error {
	wait := s.step()
	if t, known := s.marks.estimate(c.Partition(), now, st, s.step()); known {
		wait = min(max(s.det.NextClose(&st.State).Sub(t), time.Millisecond), wait)
	}
	due := now.Add(wait)
	b, err := json.Marshal(timerValue{Due: due.UTC()})
	if err != nil {
		return err
	}
	st.Timer = due.UTC()
	return c.At(due, key, b)
}

// report emits the transitions and pushes the key's latest alert status.
func (s *stage) report(c *processor.Context[KeyState], key string, st *KeyState, trs []Transition, closed bool, now time.Time) error {
	var last *AlertEvent
	for _, tr := range trs {
		ev := s.alertEvent(key, tr, now)
		if err := s.out.Emit(c, key, ev); err != nil {
			return err
		}
		last = &ev
		if tr.Status == Firing {
			st.Fired = &tr
		} else {
			st.Fired = nil
		}
	}
	if s.push == nil {
		return nil
	}
	switch {
	case last != nil:
		// One alert per key: its latest status is all Alertmanager needs.
		s.push.send(c, now, s.amAlert(*last, now))
	case closed && st.Firing && st.Fired != nil:
		// Keep the firing alert alive past its endsAt.
		s.push.send(c, now, s.amAlert(s.alertEvent(key, *st.Fired, now), now))
	}
	return nil
}

// load returns the key's state; an unreadable one is replaced, since it
// would otherwise send every later event of the key to the error topic.
func (s *stage) load(c *processor.Context[KeyState]) KeyState {
	st, _, err := c.State()
	if err != nil {
		c.Logger().Warn("anomaly: unreadable state replaced; the key learns its baseline again", "err", err)
		return KeyState{}
	}
	return st
}

// pusher pushes alerts to Alertmanager from the handlers, pausing after a
// failed push so an outage costs one push's retries per pause, not one per
// window of every firing key.
type pusher struct {
	client *Client
	pause  time.Duration
	mu     struct {
		sync.Mutex
		until   time.Time // no pushes before
		skipped int       // alerts not pushed during the pause
	}
}

// send pushes a, logging (not returning) a failure: the alert is in the
// output stream already, and a firing alert is pushed again with the next
// window.
func (p *pusher) send(c *processor.Context[KeyState], now time.Time, a Alert) {
	p.mu.Lock()
	if now.Before(p.mu.until) {
		p.mu.skipped++
		p.mu.Unlock()
		return
	}
	skipped := p.mu.skipped
	p.mu.skipped = 0
	p.mu.Unlock()
	if skipped > 0 {
		c.Logger().Info("anomaly: pushing to Alertmanager again", "skipped", skipped)
	}
	if err := p.client.Push(c.Context(), []Alert{a}); err != nil {
		c.Logger().Warn("anomaly: alert not pushed to Alertmanager; it is in the output stream, and a firing alert is pushed again with its next window",
			"err", err, "pause", p.pause, "alert", a.Annotations["summary"])
		p.mu.Lock()
		p.mu.until = now.Add(p.pause)
		p.mu.Unlock()
	}
}

// marks tracks how far event time has come in each partition: the time of
// the last event processed there and when it was processed.
//
// A timer advances its key to the event time both its partition and the key
// itself have reached, each extrapolated by the processing time since:
// the partition's, so a job that lags behind its input (after a restart, or
// under load) does not close windows whose events it has not read yet; the
// key's own, so a key whose producer runs behind the others in its
// partition does not have its windows closed by their clock. Neither is the
// wall clock.
type marks struct {
	mu sync.Mutex
	m  map[int32]mark
}

type mark struct {
	event, at time.Time // the last event's time and when it was processed
	first     time.Time // when this process first asked about the partition
}

func (m *marks) saw(p int32, t, now time.Time) {
	m.mu.Lock()
	mk := m.m[p]
	mk.event, mk.at = t, now
	if mk.first.IsZero() {
		mk.first = now
	}
	m.m[p] = mk
	m.mu.Unlock()
}

// estimate returns the event time the key of st has reached at processing
// time now. Until an event of its partition has been processed by this
// process it is unknown for a step (the input may be about to deliver a
// backlog); after that the partition is taken to be idle and the key's own
// time stands alone.
func (m *marks) estimate(p int32, now time.Time, st *KeyState, step time.Duration) (time.Time, bool) {
	m.mu.Lock()
	mk, ok := m.m[p]
	if !ok {
		mk.first = now
		m.m[p] = mk
	}
	m.mu.Unlock()
	key := now
	if !st.NewestAt.IsZero() {
		key = st.Newest.Add(now.Sub(st.NewestAt))
	}
	switch {
	case !mk.at.IsZero():
		return earliest(key, mk.event.Add(now.Sub(mk.at))), true
	case now.Sub(mk.first) < step:
		return time.Time{}, false
	default:
		return key, true
	}
}
