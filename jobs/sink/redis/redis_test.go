package redis

import (
	"errors"
	"strings"
	"testing"

	"github.com/ripplestream/ripple/jobs/sink"
)

// TestEntry checks how a record becomes a key and value, and the reasons
// of the records that cannot.
func TestEntry(t *testing.T) {
	for _, c := range []struct {
		cfg        Config
		key, value string // the record's
		wantKey    string
		wantValue  string
		err        string
	}{
		{cfg: Config{}, key: "k", value: "not json at all", wantKey: "k", wantValue: "not json at all"},
		{cfg: Config{KeyPrefix: "p:"}, key: "k", value: "{}", wantKey: "p:k", wantValue: "{}"},
		{cfg: Config{KeyPointer: "/meta/id"}, key: "k", value: `{"meta":{"id":"e1"}}`, wantKey: "e1", wantValue: `{"meta":{"id":"e1"}}`},
		{cfg: Config{KeyPointer: "/page/page_id"}, value: `{"page":{"page_id":330275}}`, wantKey: "330275", wantValue: `{"page":{"page_id":330275}}`},
		{cfg: Config{ValuePointer: "/page/page_title"}, key: "k", value: `{"page":{"page_title":"Q1"}}`, wantKey: "k", wantValue: "Q1"},
		{cfg: Config{ValuePointer: "/page"}, key: "k", value: `{"page":{"page_id":1.50}}`, wantKey: "k", wantValue: `{"page_id":1.50}`},
		{cfg: Config{}, key: "", value: "{}", err: "empty key"},
		{cfg: Config{OffsetsKey: "ripple:sink:s:offsets"}, key: "ripple:sink:s:offsets", value: "{}", err: "is the sink's offsets key"},
		{cfg: Config{OffsetsKey: "o"}, key: "o2", value: "{}", wantKey: "o2", wantValue: "{}"},
		{cfg: Config{KeyPointer: "/meta/id"}, key: "k", value: `{"meta":{}}`, err: "no key at /meta/id"},
		{cfg: Config{KeyPointer: "/meta"}, key: "k", value: `{"meta":{}}`, err: "not a string or number"},
		{cfg: Config{ValuePointer: "/page"}, key: "k", value: `{`, err: "not JSON"},
		{cfg: Config{ValuePointer: "/page"}, key: "k", value: `{}`, err: "no value at /page"},
		{cfg: Config{ValuePointer: "/page"}, key: "k", value: `{"page":1}}`, err: "not one JSON value"},
		{cfg: Config{KeyPointer: "/meta/id"}, key: "k", value: `{"meta":{"id":"e1"}} trailing`, err: "not one JSON value"},
		{cfg: Config{KeyPointer: "/0"}, key: "k", value: `["e1"]`, err: "not a JSON object but an array"},
		{cfg: Config{ValuePointer: "/0"}, key: "k", value: `"s"`, err: "not a JSON object but a string"},
	} {
		s := &Store{cfg: c.cfg}
		k, v, inv := s.entry(sink.Record{Key: []byte(c.key), Value: []byte(c.value)})
		switch {
		case c.err != "" && (inv == nil || !strings.Contains(inv.Error(), c.err)):
			t.Errorf("%+v %q: %v, want a rejection saying %q", c.cfg, c.value, inv, c.err)
		case c.err == "" && (inv != nil || k != c.wantKey || v != c.wantValue):
			t.Errorf("%+v %q: %q = %q (%v), want %q = %q", c.cfg, c.value, k, v, inv, c.wantKey, c.wantValue)
		}
	}
}

// TestValidateOffsetsKey checks that a configuration whose offsets key lies
// among the values' keys is refused, and that the default key follows the
// sink's name.
func TestValidateOffsetsKey(t *testing.T) {
	base := Config{Name: "edits", Addr: "127.0.0.1:16379"}
	for _, c := range []struct {
		prefix, offsets string
		ok              bool
	}{
		{prefix: "", offsets: "", ok: true},
		{prefix: "edits:", offsets: "", ok: true},
		{prefix: "edits:", offsets: "offsets:edits", ok: true},
		{prefix: "ripple:", offsets: "", ok: false}, // the default, ripple:sink:edits:offsets
		{prefix: "ripple:sink:edits:offsets", offsets: "", ok: false},
		{prefix: "edits:", offsets: "edits:offsets", ok: false},
		{prefix: "e", offsets: "edits-offsets", ok: false},
	} {
		cfg := base
		cfg.KeyPrefix, cfg.OffsetsKey = c.prefix, c.offsets
		err := cfg.Validate()
		switch {
		case c.ok && err != nil:
			t.Errorf("KeyPrefix %q, OffsetsKey %q: %v", c.prefix, c.offsets, err)
		case !c.ok && (!errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), "lies among the values' keys")):
			t.Errorf("KeyPrefix %q, OffsetsKey %q: %v, want it refused for colliding", c.prefix, c.offsets, err)
		}
	}
	if got := base.WithDefaults().OffsetsKey; got != "ripple:sink:edits:offsets" {
		t.Errorf("default OffsetsKey %q", got)
	}
	if base.OffsetsKey != "" {
		t.Error("WithDefaults changed its receiver")
	}
}
