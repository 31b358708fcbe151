package dedupe

import (
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/processor"
)

// Errors describing events the stage cannot identify; the error record's
// message wraps them with the event's stream, partition, offset and key.
var (
	// ErrNotObject: the event is not a JSON object.
	ErrNotObject = errors.New("dedupe: event is not a JSON object")
	// ErrNoID: the event has no meta.id to dedupe by.
	ErrNoID = errors.New("dedupe: event has no meta.id (a non-empty string); set Config.ID to dedupe by another field")
	// ErrEmptyID: Config.ID returned "".
	ErrEmptyID = errors.New("dedupe: Config.ID returned an empty id")
	// ErrBadRoot: with Config.Supersede, the event's root_event is unusable.
	ErrBadRoot = errors.New("dedupe: root_event needs a non-empty signature and an RFC 3339 dt")
	// ErrTooLarge: the event is larger than Config.MaxEventBytes.
	ErrTooLarge = errors.New("dedupe: event too large")
	// ErrNotUTF8: the event is not valid UTF-8, so its id is not text.
	ErrNotUTF8 = errors.New("dedupe: event is not valid UTF-8")
)

// Job returns the dedupe stage: it reads cfg.Input and emits each event to
// cfg.Output, unchanged and under its key, unless an event with the same id
// was seen under the same key within cfg.TTL (or, with cfg.Supersede, its
// root_event is stale). It validates cfg first.
func Job(cfg Config) (processor.Job[State], error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return processor.Job[State]{}, err
	}
	s := &stage{cfg: cfg, out: processor.NewOutput[[]byte](cfg.Output, event.Raw{})}
	job := processor.Job[State]{
		Name:    cfg.Name,
		State:   StateCodec{},
		Inputs:  []processor.Input[State]{processor.On(cfg.Input, event.Raw{}, s.handle, cfg.InputOptions...)},
		Outputs: []processor.Declared{s.out},
	}
	if !cfg.NoTimers {
		job.Timer = processor.OnTimer(event.JSON[int64]{}, s.fire)
	}
	return job, nil
}

type stage struct {
	cfg Config
	out processor.Output[[]byte]
}

func (s *stage) handle(c *processor.Context[State], key string, raw []byte) error {
	id, root, err := s.identify(raw)
	if err != nil {
		return processor.Permanent(fmt.Errorf("%w (stream %s, partition %d, offset %d, key %q)",
			err, c.Stream(), c.Partition(), c.Offset(), key))
	}
	st, _, err := c.State()
	if err != nil {
		// Undecodable state would send every later event of the key to the
		// error topic; starting afresh lets at most one duplicate through.
		c.Logger().Warn("dedupe: unreadable state replaced", "err", err)
		st = State{}
	}
	now := s.now(c)
	s.limits(&st)
	if st.IDs.Seen(id, now) {
		// A duplicate changes nothing, unless the key has no expiry timer
		// yet (its state predates them) or lost it.
		if s.cfg.NoTimers || !s.needsTimer(&st, c.Now()) {
			return nil
		}
		return s.save(c, key, &st, now)
	}
	if root != nil && !st.Roots.Admit(*root, now) {
		return s.save(c, key, &st, now) // a redelivery is then dropped by id
	}
	if err := s.out.Emit(c, key, raw); err != nil {
		return err
	}
	return s.save(c, key, &st, now)
}

// limits applies the configured TTLs and bounds to the key's state, which
// may have been written under another configuration.
func (s *stage) limits(st *State) {
	st.IDs.TTL, st.IDs.Max = s.cfg.TTL, s.cfg.MaxIDs
	st.Roots.TTL, st.Roots.Max = s.cfg.RootTTL, s.cfg.MaxRoots
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

// identify checks raw and returns its id and, with Supersede, its root
// event (nil if it has none). The default id and the root come from one
// parse.
func (s *stage) identify(raw []byte) (string, *event.RootEvent, error) {
	if len(raw) > s.cfg.MaxEventBytes {
		return "", nil, fmt.Errorf("%w: %d bytes, limit %d (Config.MaxEventBytes)", ErrTooLarge, len(raw), s.cfg.MaxEventBytes)
	}
	if !utf8.Valid(raw) {
		return "", nil, fmt.Errorf("%w (first bad byte at %d)", ErrNotUTF8, firstInvalid(raw))
	}
	var (
		id   string
		root *event.RootEvent
		err  error
	)
	switch {
	case s.cfg.ID == nil && s.cfg.Supersede:
		var p struct {
			metaProbe
			rootProbe
		}
		if err := decodeObject(raw, &p); err != nil {
			return "", nil, err
		}
		id, err = p.id()
		root = p.RootEvent
	case s.cfg.ID == nil:
		id, err = MetaID(raw)
	default:
		if id, err = s.cfg.ID(raw); err == nil && id == "" {
			err = ErrEmptyID
		}
		if err == nil && s.cfg.Supersede {
			var p rootProbe
			err = decodeObject(raw, &p)
			root = p.RootEvent
		}
	}
	if err != nil {
		return "", nil, err
	}
	if root != nil && (root.Signature == "" || root.DT.IsZero()) {
		return "", nil, ErrBadRoot
	}
	return id, root, nil
}

type metaProbe struct {
	Meta struct {
		ID *string `json:"id"`
	} `json:"meta"`
}

func (p metaProbe) id() (string, error) {
	if p.Meta.ID == nil || *p.Meta.ID == "" {
		return "", ErrNoID
	}
	return *p.Meta.ID, nil
}

type rootProbe struct {
	RootEvent *event.RootEvent `json:"root_event"`
}

// MetaID returns the meta.id of a JSON event: the default identity of the
// dedupe stage.
func MetaID(raw []byte) (string, error) {
	var p metaProbe
	if err := decodeObject(raw, &p); err != nil {
		return "", err
	}
	return p.id()
}

// decodeObject decodes the JSON object raw into v, with the messages of
// event.DecodeError for wrong types and syntax.
func decodeObject[T any](raw []byte, v *T) error {
	i := 0
	for i < len(raw) && (raw[i] == ' ' || raw[i] == '\t' || raw[i] == '\n' || raw[i] == '\r') {
		i++
	}
	if i == len(raw) || raw[i] != '{' {
		return ErrNotObject
	}
	d, err := event.JSON[T]{}.Decode(raw)
	if err != nil {
		return fmt.Errorf("dedupe: %w", err)
	}
	*v = d
	return nil
}

func firstInvalid(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return -1
}
