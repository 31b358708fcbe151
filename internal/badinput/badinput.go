// Package badinput generates a corpus of malformed events mixed among valid
// ones, deterministic by seed, for the tests that check a job sends every
// bad event to its error topic with its bytes intact, processes every good
// one and does not stop (issue 14, RELIABILITY.md).
//
// The caller gives the valid events (a JSON object each, with $schema and
// meta as the job's input has them); each bad event is derived from one of
// them, so that it fails in one way only.
package badinput

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Kind is how an event of the corpus is malformed.
type Kind string

const (
	Valid           Kind = "valid"
	InvalidJSON     Kind = "invalid-json"     // a strict prefix of a valid event, or garbage
	WrongTypes      Kind = "wrong-types"      // meta a string, $schema a number
	MissingEnvelope Kind = "missing-envelope" // no $schema and no meta
	Huge            Kind = "huge"             // HugeBytes of a JSON string, not an object
	DeepNesting     Kind = "deep-nesting"     // arrays nested Depth deep
	InvalidUTF8     Kind = "invalid-utf8"     // bytes that are not UTF-8 in a string
	WrongSchema     Kind = "wrong-schema"     // $schema of another event type
	DuplicateID     Kind = "duplicate-id"     // meta.id of an earlier event, other content
)

// BadKinds are the kinds of malformed event, in the order Generate cycles
// through them.
var BadKinds = []Kind{InvalidJSON, WrongTypes, MissingEnvelope, Huge, DeepNesting, InvalidUTF8, WrongSchema, DuplicateID}

// Malformed are the bad kinds but DuplicateID: what a job that validates
// its input's schema rejects, every one.
var Malformed = []Kind{InvalidJSON, WrongTypes, MissingEnvelope, Huge, DeepNesting, InvalidUTF8, WrongSchema}

// Event is one event of the corpus.
type Event struct {
	Kind  Kind
	Key   string
	Value []byte
}

// Bad reports whether the event is malformed. A DuplicateID event is not:
// it is well formed, and what a job does with it is the job's (dedupe
// drops it, others process it).
func (e Event) Bad() bool { return e.Kind != Valid && e.Kind != DuplicateID }

// Config says what to generate.
type Config struct {
	Seed int64
	// Bad is how many malformed events; Huge and DeepNesting ones are at
	// most MaxHuge of the total each (they are slow to send). Default
	// 10,000 and 20.
	Bad     int
	MaxHuge int
	// Only, when set, limits the kinds generated.
	Only []Kind
	// HugeBytes and Depth size Huge and DeepNesting events. Default 2 MiB
	// and 10,001 (one more than encoding/json accepts).
	HugeBytes int
	Depth     int
}

// Generate returns the valid events, keyed as given, with cfg.Bad
// malformed ones derived from them inserted at places chosen by cfg.Seed.
// Each valid value must be a JSON object.
func Generate(cfg Config, valid []Event) ([]Event, error) {
	if cfg.Bad == 0 {
		cfg.Bad = 10_000
	}
	if cfg.MaxHuge == 0 {
		cfg.MaxHuge = 20
	}
	if cfg.HugeBytes == 0 {
		cfg.HugeBytes = 2 << 20
	}
	if cfg.Depth == 0 {
		cfg.Depth = 10_001
	}
	kinds := BadKinds
	if cfg.Only != nil {
		kinds = cfg.Only
	}
	if len(valid) == 0 {
		return nil, fmt.Errorf("badinput: no valid events to derive from")
	}
	rng := rand.New(rand.NewPCG(uint64(cfg.Seed), 0x6261647))
	objs := make([]map[string]any, len(valid))
	for i, e := range valid {
		if err := json.Unmarshal(e.Value, &objs[i]); err != nil || objs[i] == nil {
			return nil, fmt.Errorf("badinput: valid event %d is not a JSON object: %q", i, e.Value)
		}
		valid[i].Kind = Valid
	}
	out := make([]Event, 0, len(valid)+cfg.Bad)
	out = append(out, valid...)
	huge := map[Kind]int{}
	for i := 0; i < cfg.Bad; i++ {
		k := kinds[i%len(kinds)]
		if (k == Huge || k == DeepNesting) && huge[k] >= cfg.MaxHuge {
			k = InvalidJSON
		}
		huge[k]++
		j := rng.IntN(len(valid))
		b := bad(k, rng, valid[j].Value, objs[j], cfg)
		out = append(out, Event{Kind: k, Key: valid[j].Key, Value: b})
	}
	// Shuffle the bad among the valid, keeping the valid ones in their
	// order (a job may depend on it).
	rng.Shuffle(len(out)-len(valid), func(a, b int) {
		out[len(valid)+a], out[len(valid)+b] = out[len(valid)+b], out[len(valid)+a]
	})
	mixed := make([]Event, 0, len(out))
	vi, bi := 0, len(valid)
	for vi < len(valid) || bi < len(out) {
		if bi == len(out) || (vi < len(valid) && rng.IntN(len(out)) < len(valid)) {
			mixed = append(mixed, out[vi])
			vi++
			continue
		}
		mixed = append(mixed, out[bi])
		bi++
	}
	return mixed, nil
}

func bad(k Kind, rng *rand.Rand, raw []byte, obj map[string]any, cfg Config) []byte {
	switch k {
	case InvalidJSON:
		if rng.IntN(4) == 0 {
			return []byte(garbage[rng.IntN(len(garbage))])
		}
		// A strict prefix of an object is never JSON; of the object, not
		// of its bytes, which may end in white space (a file's newline).
		raw = bytes.TrimRight(raw, " \t\r\n")
		return raw[:1+rng.IntN(len(raw)-1)]
	case WrongTypes:
		return with(obj, map[string]any{"meta": "not an object", "$schema": 42})
	case MissingEnvelope:
		return with(obj, map[string]any{"meta": nil, "$schema": nil})
	case Huge:
		return []byte(`"` + strings.Repeat("x", cfg.HugeBytes) + `"`)
	case DeepNesting:
		return []byte(`{"$schema":` + strings.Repeat("[", cfg.Depth) + strings.Repeat("]", cfg.Depth) + `}`)
	case InvalidUTF8:
		// In a string the event has (meta.uri, meta.id or meta.stream), so
		// that it is otherwise valid against a closed schema.
		const mark = "\x00MARK\x00"
		b := withMeta(obj, func(meta map[string]any) bool {
			for _, f := range []string{"uri", "id", "stream"} {
				if v, ok := meta[f].(string); ok {
					meta[f] = v + mark
					return true
				}
			}
			return false
		}, map[string]any{"badinput_text": mark})
		seq := invalidUTF8[rng.IntN(len(invalidUTF8))]
		return bytes.Replace(b, []byte(`\u0000MARK\u0000`), []byte(seq), 1)
	case WrongSchema:
		return with(obj, map[string]any{"$schema": "/badinput/not_this_type/1.0.0"})
	case DuplicateID:
		// Same meta.id, another meta.dt (or another field when it has none).
		dt := time.Date(2026, 11, 2, 0, 0, rng.IntN(86_400), 0, time.UTC).Format(time.RFC3339)
		return withMeta(obj, func(meta map[string]any) bool {
			if _, ok := meta["dt"]; ok {
				meta["dt"] = dt
				return true
			}
			return false
		}, map[string]any{"badinput_other_content": dt})
	}
	panic("badinput: unknown kind " + string(k))
}

// withMeta returns obj encoded with edit applied to a copy of its meta, or,
// when it has no meta or edit returns false, with orSet applied.
func withMeta(obj map[string]any, edit func(meta map[string]any) bool, orSet map[string]any) []byte {
	if meta, ok := obj["meta"].(map[string]any); ok {
		m := make(map[string]any, len(meta))
		for k, v := range meta {
			m[k] = v
		}
		if edit(m) {
			return with(obj, map[string]any{"meta": m})
		}
	}
	return with(obj, orSet)
}

// with returns obj encoded with set applied (a nil value deletes the field).
func with(obj map[string]any, set map[string]any) []byte {
	m := make(map[string]any, len(obj)+len(set))
	for k, v := range obj {
		m[k] = v
	}
	for k, v := range set {
		if v == nil {
			delete(m, k)
			continue
		}
		m[k] = v
	}
	b, err := json.Marshal(m)
	if err != nil {
		panic(err) // decoded from JSON: encodes again
	}
	return b
}

var garbage = []string{"", " ", "null{", "{]", "\x00\x01\x02", "{\"a\":1}}", "<html>", "{'single':'quotes'}", "[1,2,", "{\"a\":NaN}"}

// invalidUTF8 are byte sequences that are not UTF-8: lone continuation
// bytes, an overlong encoding, a surrogate, a truncated rune, 0xff.
var invalidUTF8 = []string{"\x80", "\xc0\xaf", "\xed\xa0\x80", "\xe2\x82", "\xff\xfe", "a\xf8\x88\x80\x80\x80b"}
