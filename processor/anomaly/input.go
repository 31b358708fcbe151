package anomaly

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ripplestream/ripple/event"
)

// Errors describing events the job refuses; the error record's message
// wraps them with the event's stream, partition, offset and key.
var (
	// ErrNotObject: the event is not a JSON object.
	ErrNotObject = errors.New("anomaly: event is not a JSON object")
	// ErrTooLarge: the event is larger than Config.MaxEventBytes.
	ErrTooLarge = errors.New("anomaly: event too large")
	// ErrNotUTF8: the event is not valid UTF-8.
	ErrNotUTF8 = errors.New("anomaly: event is not valid UTF-8")
	// ErrNoTime: the event has no usable event time.
	ErrNoTime = errors.New("anomaly: event has no event time: want dt (or meta.dt) as an RFC 3339 string")
	// ErrAhead: the event's time is more than Config.MaxAhead ahead.
	ErrAhead = errors.New("anomaly: event time is ahead of processing time")
	// ErrBadValue: Config.Value found no count in the event.
	ErrBadValue = errors.New("anomaly: event has no usable count")
	// ErrBadKey: the event has no key to count it under.
	ErrBadKey = errors.New("anomaly: event has no key")
)

// observation is what an event tells the detector.
type observation struct {
	t time.Time
	n float64
}

// read checks raw and returns its event time and count. now is the
// processing time, for Config.MaxAhead; zero skips that check.
func (s *stage) read(raw []byte, now time.Time) (observation, error) {
	if len(raw) > s.cfg.MaxEventBytes {
		return observation{}, fmt.Errorf("%w: %d bytes, limit %d (Config.MaxEventBytes)", ErrTooLarge, len(raw), s.cfg.MaxEventBytes)
	}
	if !utf8.Valid(raw) {
		return observation{}, fmt.Errorf("%w (first bad byte at %d)", ErrNotUTF8, firstInvalid(raw))
	}
	if t := bytes.TrimLeft(raw, " \t\r\n"); len(t) == 0 || t[0] != '{' {
		return observation{}, ErrNotObject
	}
	t, err := eventTime(raw)
	if err != nil {
		return observation{}, err
	}
	if !now.IsZero() && t.Sub(now) > s.cfg.MaxAhead {
		return observation{}, fmt.Errorf("%w: %s is %v after %s (Config.MaxAhead %v); check the producer's clock",
			ErrAhead, t.Format(time.RFC3339Nano), t.Sub(now).Round(time.Millisecond), now.UTC().Format(time.RFC3339Nano), s.cfg.MaxAhead)
	}
	obs := observation{t: t, n: 1}
	if s.cfg.Value != nil {
		if obs.n, err = s.cfg.Value(raw); err != nil {
			return observation{}, err
		}
		if !(obs.n >= 0) || obs.n > MaxCount {
			return observation{}, fmt.Errorf("%w: Config.Value returned %v (want 0 to %g)", ErrBadValue, obs.n, MaxCount)
		}
	}
	return obs, nil
}

// eventTime returns the event's dt, or its meta.dt when it has no dt.
func eventTime(raw []byte) (time.Time, error) {
	type probe struct {
		DT   json.RawMessage `json:"dt"`
		Meta json.RawMessage `json:"meta"`
	}
	p, err := event.JSON[probe]{}.Decode(raw)
	if err != nil {
		return time.Time{}, fmt.Errorf("anomaly: %w", err)
	}
	if t, ok, err := timeField("dt", p.DT); ok || err != nil {
		return t, err
	}
	if isNull(p.Meta) {
		return time.Time{}, fmt.Errorf("%w; the event has neither", ErrNoTime)
	}
	var meta struct {
		DT json.RawMessage `json:"dt"`
	}
	if p.Meta[0] != '{' || json.Unmarshal(p.Meta, &meta) != nil {
		return time.Time{}, fmt.Errorf("%w; meta is %s, not an object", ErrNoTime, excerpt(p.Meta))
	}
	t, ok, err := timeField("meta.dt", meta.DT)
	if !ok && err == nil {
		err = fmt.Errorf("%w; the event has neither", ErrNoTime)
	}
	return t, err
}

// timeField parses the JSON value v of field name as an RFC 3339 time; ok
// is false when the field is missing or null.
func timeField(name string, v json.RawMessage) (t time.Time, ok bool, err error) {
	if isNull(v) {
		return time.Time{}, false, nil
	}
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		return time.Time{}, true, fmt.Errorf("%w; %s is %s", ErrNoTime, name, excerpt(v))
	}
	if t, err = time.Parse(time.RFC3339Nano, s); err != nil {
		return time.Time{}, true, fmt.Errorf("%w; %s is %q", ErrNoTime, name, excerpt([]byte(s)))
	}
	return t, true, nil
}

func isNull(v json.RawMessage) bool { return len(v) == 0 || string(v) == "null" }

// key returns the event's key by Config.Key.
func (s *stage) key(raw []byte) (string, error) {
	k, err := s.cfg.Key(raw)
	if err != nil {
		return "", err
	}
	return k, checkKey(k, "Config.Key's key")
}

func checkKey(k, what string) error {
	switch {
	case k == "":
		return fmt.Errorf("%w: %s is empty", ErrBadKey, what)
	case !utf8.ValidString(k):
		return fmt.Errorf("%w: %s is not valid UTF-8 (Alertmanager labels must be)", ErrBadKey, what)
	}
	return nil
}

// Field returns a Config.Value that reads the number at path in a JSON
// event, such as Field("count") or Field("stats", "errors"). A missing
// field or a value that is not a number is an error, so such events go to
// the error topic.
func Field(path ...string) func(raw []byte) (float64, error) {
	return func(raw []byte) (float64, error) {
		v, err := lookup(raw, path, ErrBadValue)
		if err != nil {
			return 0, err
		}
		var f float64
		if err := json.Unmarshal(v, &f); err != nil {
			return 0, fmt.Errorf("%w: field %s is %s", ErrBadValue, pathString(path), excerpt(v))
		}
		return f, nil
	}
}

// KeyField returns a Config.Key that reads the string at path in a JSON
// event, such as KeyField("meta", "domain") or KeyField("error_signature").
// A missing field or a value that is not a string is an error, so such
// events go to the error topic.
func KeyField(path ...string) func(raw []byte) (string, error) {
	return func(raw []byte) (string, error) {
		v, err := lookup(raw, path, ErrBadKey)
		if err != nil {
			return "", err
		}
		var k string
		if err := json.Unmarshal(v, &k); err != nil {
			return "", fmt.Errorf("%w: field %s is %s, not a string", ErrBadKey, pathString(path), excerpt(v))
		}
		return k, nil
	}
}

// lookup returns the JSON value at path in raw.
func lookup(raw []byte, path []string, sentinel error) (json.RawMessage, error) {
	v := json.RawMessage(raw)
	for i, name := range path {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(v, &obj); err != nil || obj == nil {
			return nil, fmt.Errorf("%w: %s is not an object", sentinel, pathString(path[:i]))
		}
		next, ok := obj[name]
		if !ok {
			return nil, fmt.Errorf("%w: event has no field %s", sentinel, pathString(path[:i+1]))
		}
		v = next
	}
	return v, nil
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
	i := n
	for i > n-utf8.UTFMax && !utf8.RuneStart(b[i]) {
		i-- // cut before a rune, not inside one
	}
	return string(b[:i]) + "..."
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
