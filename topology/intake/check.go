package intake

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	gojson "github.com/goccy/go-json"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/topology/streamconfig"
)

// outcome is what became of one event; its name is the outcome label of
// ripple_intake_events_total.
type outcome string

const (
	accepted  outcome = "accepted"  // acknowledged by the brokers (or handed to the producer, hasty)
	unsampled outcome = "unsampled" // valid, of a unit its stream does not sample: accepted, not produced
	invalid   outcome = "invalid"   // refused: the client must fix it
	failed    outcome = "error"     // valid, but the intake failed to produce it
)

// checked is one event of a request after its checks.
type checked struct {
	raw     json.RawMessage // as posted
	stream  string          // meta.stream when it is a declared stream, else ""
	value   []byte          // what to produce, when outcome is accepted
	outcome outcome
	err     error // why the event is invalid or failed
}

// invalidError is why an event is invalid: a message and, for a schema
// violation, the violations (EventGate's AJV errors).
type invalidError struct {
	msg        string
	violations []event.Violation
}

func (e *invalidError) Error() string { return e.msg }

func invalidf(format string, args ...any) *invalidError {
	return &invalidError{msg: fmt.Sprintf(format, args...)}
}

// check validates one event and fills its meta.id and meta.dt when
// missing (with now, RFC 3339 in UTC). On success c.value is the event to
// produce, or c.outcome is unsampled.
func (s *Service) check(raw []byte, now string) (c checked) {
	c.raw = raw
	c.outcome = invalid
	doc, err := event.DecodeValue(raw)
	if err != nil {
		c.err = invalidf("not JSON: %v", err)
		return c
	}
	obj, ok := doc.(map[string]any)
	if !ok {
		c.err = invalidf("an event must be a JSON object")
		return c
	}
	uri, ok := obj["$schema"].(string)
	if !ok {
		c.err = invalidf("the event has no $schema string: name its schema, such as /resource_change/1.0.0")
		return c
	}
	meta, ok := obj["meta"].(map[string]any)
	if _, present := obj["meta"]; present && !ok {
		c.err = invalidf("meta is not an object")
		return c
	}
	if meta == nil {
		meta = map[string]any{}
		obj["meta"] = meta
	}
	filled := false
	if _, ok := meta["id"]; !ok {
		meta["id"] = event.NewID()
		filled = true
	}
	if _, ok := meta["dt"]; !ok {
		meta["dt"] = now
		filled = true
	}
	stream, _ := meta["stream"].(string)
	if stream == "" {
		c.err = invalidf("the event has no meta.stream string: name the stream it goes to")
		return c
	}
	settings, ok := s.cfg.Streams[stream]
	if !ok {
		c.err = invalidf("stream %q is not declared: declare it in the topology (streams), or send the event to a declared stream", stream)
		return c
	}
	c.stream = stream
	schema, err := s.cfg.Schemas.Schema(uri)
	if err != nil {
		if errors.Is(err, event.ErrBadSchema) {
			c.outcome, c.err = failed, err // the repository's fault, not the client's
			return c
		}
		c.err = invalidf("%v", err)
		return c
	}
	if settings.SchemaTitle != "" && schema.Title() != settings.SchemaTitle {
		c.err = invalidf("stream %s takes %s events, not %s (the title of $schema %s)", stream, settings.SchemaTitle, schema.Title(), uri)
		return c
	}
	if err := schema.ValidateValue(obj); err != nil {
		var ve *event.ValidationError
		if errors.As(err, &ve) {
			c.err = &invalidError{msg: ve.Error(), violations: ve.Violations}
		} else {
			c.err = invalidf("%v", err)
		}
		return c
	}
	if sm := settings.Sample; sm != nil && sm.Rate < 1 {
		in, err := streamconfig.SampledEvent(*sm, s.cfg.sampleField(sm.Unit), obj)
		if err != nil {
			c.err = invalidf("stream %s is sampled: %v", stream, err)
			return c
		}
		if !in {
			c.outcome, c.err = unsampled, nil
			return c
		}
	}
	if c.value, err = encode(raw, obj, filled); err != nil {
		c.outcome, c.err = failed, err
		return c
	}
	c.outcome = accepted
	return c
}

// encode returns the event to produce: as posted when nothing was filled
// in (on one line), else obj encoded.
func encode(raw []byte, obj map[string]any, filled bool) ([]byte, error) {
	if filled {
		return gojson.Marshal(obj)
	}
	if bytes.ContainsAny(raw, "\r\n") {
		var b bytes.Buffer
		if err := json.Compact(&b, raw); err != nil {
			return nil, err
		}
		return b.Bytes(), nil
	}
	return raw, nil
}

// splitBody returns the events of a request body: the elements of a JSON
// array, or the body itself.
func splitBody(body []byte) ([]json.RawMessage, error) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 || body[0] != '[' {
		return []json.RawMessage{body}, nil
	}
	var evs []json.RawMessage
	if err := gojson.Unmarshal(body, &evs); err != nil {
		// encoding/json says where, in its words
		if err2 := json.Unmarshal(body, &evs); err2 != nil {
			err = err2
		}
		return nil, fmt.Errorf("the body is not a JSON array of events: %v", err)
	}
	return evs, nil
}

// status is one entry of EventGate's response lists.
type status struct {
	Status  string          `json:"status"`
	Event   json.RawMessage `json:"event"`
	Context any             `json:"context"`
}

// invalidContext is the context of an invalid event: EventGate's
// ValidationError, with its AJV-style errors and their text.
type invalidContext struct {
	Message    string        `json:"message"`
	Errors     []schemaError `json:"errors,omitempty"`
	ErrorsText string        `json:"errorsText,omitempty"`
}

type schemaError struct {
	Keyword      string `json:"keyword"`
	InstancePath string `json:"instancePath"`
	Message      string `json:"message"`
}

// entry returns c as an entry of the response.
func (c checked) entry() status {
	ev := c.raw
	if !json.Valid(ev) {
		s, _ := json.Marshal(string(ev))
		ev = s
	}
	st := status{Status: string(c.outcome), Event: ev}
	var ie *invalidError
	if errors.As(c.err, &ie) {
		ctx := invalidContext{Message: ie.msg}
		var text []string
		for _, v := range ie.violations {
			ctx.Errors = append(ctx.Errors, schemaError{Keyword: v.Rule, InstancePath: v.Path, Message: v.Message})
			text = append(text, fmt.Sprintf("'%s' %s", v.Path, v.Message))
		}
		ctx.ErrorsText = strings.Join(text, ", ")
		st.Context = ctx
		return st
	}
	st.Context = map[string]string{"message": c.err.Error()}
	return st
}
