package filter

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/processor"
)

// EventSchema is the $schema of the events the stage emits.
const EventSchema = "/ripple/filter/match/1.0.0"

// Event is what the stage emits for an input event whose field matched,
// under the input event's key.
type Event struct {
	event.Envelope
	// Field is the path of the field that was matched.
	Field string `json:"field"`
	// Matches are the patterns that matched, in pattern-list order.
	Matches []Match `json:"matches"`
	// Event is the input event, unchanged.
	Event json.RawMessage `json:"event"`
}

// State is the filter stage's per-key state: there is none, the stage is
// stateless.
type State struct{}

// ErrBadEvent is wrapped by the errors about input events the stage cannot
// match: not a JSON object, no such field, a field that is not a string or
// is longer than MaxTextBytes.
var ErrBadEvent = errors.New("filter: cannot match event")

// Job returns the filter stage over the Filter's current patterns: it
// reads cfg.Input, matches cfg.Field of each event, and emits an Event to
// cfg.Output for each event with at least one match. Events without the
// field go to the job's error topic.
func (f *Filter) Job() processor.Job[State] {
	out := processor.NewOutput(f.cfg.Output, event.JSON[Event]{})
	return processor.Job[State]{
		Name: f.cfg.Name,
		Inputs: []processor.Input[State]{processor.On(f.cfg.Input, event.Raw{},
			func(c *processor.Context[State], key string, raw []byte) error {
				ev, ok, err := f.Apply(raw)
				if err != nil {
					return processor.Permanent(fmt.Errorf("%w (stream %s, key %q, offset %d)", err, c.Stream(), key, c.Offset()))
				}
				if !ok {
					return nil
				}
				return out.Emit(c, key, ev)
			}, f.cfg.InputOptions...)},
		Outputs: []processor.Declared{out},
	}
}

// Job returns the stage of New(cfg). To reload its patterns, build the
// Filter with New and run Filter.Watch or call Filter.Reload.
func Job(cfg Config) (processor.Job[State], error) {
	f, err := New(cfg)
	if err != nil {
		return processor.Job[State]{}, err
	}
	return f.Job(), nil
}

// Apply is the stage's pure core: it matches the configured field of raw,
// a JSON event, and returns the Event to emit and whether there is one.
func (f *Filter) Apply(raw []byte) (Event, bool, error) {
	text, err := field(raw, f.cfg.Field)
	if err != nil {
		return Event{}, false, err
	}
	if len(text) > f.cfg.MaxTextBytes {
		return Event{}, false, fmt.Errorf("%w: field %s has %d bytes, more than MaxTextBytes (%d)",
			ErrBadEvent, f.cfg.Field, len(text), f.cfg.MaxTextBytes)
	}
	matches := f.Matcher().Match(text)
	if len(matches) == 0 {
		return Event{}, false, nil
	}
	parent, _ := event.PeekEnvelope(raw) // a malformed envelope only loses the link to it
	dt := parent.DT
	if dt.IsZero() {
		dt = parent.Meta.DT
	}
	return Event{
		Envelope: event.Derive(parent, EventSchema, string(f.cfg.Output), dt),
		Field:    f.cfg.Field,
		Matches:  matches,
		Event:    json.RawMessage(raw),
	}, true, nil
}

// field returns the string at the dotted path in the JSON object raw.
func field(raw []byte, path string) (string, error) {
	cur := json.RawMessage(raw)
	names := strings.Split(path, ".")
	for i, name := range names {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(cur, &obj); err != nil || obj == nil {
			at := "the event"
			if i > 0 {
				at = strings.Join(names[:i], ".")
			}
			return "", fmt.Errorf("%w: %s is not a JSON object", ErrBadEvent, at)
		}
		v, ok := obj[name]
		if !ok {
			return "", fmt.Errorf("%w: no field %s", ErrBadEvent, strings.Join(names[:i+1], "."))
		}
		cur = v
	}
	var s string
	if err := json.Unmarshal(cur, &s); err != nil || jsonKind(cur) != "a string" {
		return "", fmt.Errorf("%w: field %s is %s, want a string", ErrBadEvent, path, jsonKind(cur))
	}
	return s, nil
}

// jsonKind names the kind of a JSON value for errors.
func jsonKind(v json.RawMessage) string {
	switch s := strings.TrimSpace(string(v)); {
	case s == "null":
		return "null"
	case strings.HasPrefix(s, "{"):
		return "an object"
	case strings.HasPrefix(s, "["):
		return "an array"
	case strings.HasPrefix(s, `"`):
		return "a string"
	case s == "true" || s == "false":
		return "a boolean"
	}
	return "a number"
}
