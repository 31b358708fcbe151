package event

import (
	"bytes"
	"errors"
	"path/filepath"
	"testing"

	"github.com/ripplestream/ripple/schemas"
)

// FuzzDecode feeds arbitrary bytes to PeekEnvelope, the JSON codec and
// Repository.Validate. None may panic; every failure must be one of the typed
// errors a job routes on; and an envelope that decodes must survive an
// encode/decode round trip unchanged. The seeds are the captured events and
// schema examples in the fixtures, so `go test` runs them every time.
func FuzzDecode(f *testing.F) {
	for _, dir := range [][]string{
		{"wikidata-query-rdf"},
		{"eventgate", "test"},
		{"examples"},
	} {
		for _, file := range jsonFiles(f, wmf(f, dir...)) {
			f.Add(readFixture(f, file))
		}
	}
	for _, ev := range purgedMessages(f) {
		f.Add(ev)
	}
	f.Add([]byte(`{"$schema":"/resource_change/1.0.0","meta":{"stream":"purge","dt":"2020-04-30T11:37:53+02:00"},"root_event":{"signature":"x","dt":"2020-04-30T11:37:53.123456789Z"}}`))
	f.Add([]byte(` null `))

	repo, err := OpenRepositoryFS(schemas.FS())
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		env, err := PeekEnvelope(data)
		if err != nil {
			requireDecodeError(t, err)
		} else {
			checkRoundTrip(t, env)
		}
		if _, err := (JSON[map[string]any]{}).Decode(data); err != nil {
			requireDecodeError(t, err)
		}
		if _, err := (String{}).Decode(data); err != nil {
			requireDecodeError(t, err)
		}
		err = repo.Validate(data)
		var de *DecodeError
		var ve *ValidationError
		var se *SchemaError
		if err != nil && !errors.As(err, &de) && !errors.As(err, &ve) && !errors.As(err, &se) {
			t.Fatalf("Validate returned %T: %v", err, err)
		}
	})
}

// purgedMessages returns the newline-delimited purge events of the purged
// fixtures.
func purgedMessages(f *testing.F) [][]byte {
	data := readFixture(f, filepath.Join("testdata", "purges.ndjson"))
	var out [][]byte
	for line := range bytes.Lines(data) {
		out = append(out, line)
	}
	return out
}

// requireDecodeError fails unless err is a *DecodeError with a reason.
func requireDecodeError(t *testing.T, err error) {
	t.Helper()
	var de *DecodeError
	if !errors.As(err, &de) || de.Reason == "" {
		t.Fatalf("got %T %v, want *DecodeError with a reason", err, err)
	}
}

// checkRoundTrip encodes env, decodes it again and requires the same bytes.
func checkRoundTrip(t *testing.T, env Envelope) {
	t.Helper()
	c := JSON[Envelope]{}
	b1, err := c.Encode(env)
	if err != nil {
		// A time that parsed but cannot be written back, such as a
		// year-9999 date with a negative offset, is the only excuse.
		if env.DT.Year() >= 0 && env.DT.Year() <= 9999 && env.Meta.DT.Year() >= 0 && env.Meta.DT.Year() <= 9999 && env.RootEvent == nil {
			t.Fatalf("Encode(%+v): %v", env, err)
		}
		return
	}
	env2, err := PeekEnvelope(b1)
	if err != nil {
		t.Fatalf("decode of encoded %s: %v", b1, err)
	}
	b2, err := c.Encode(env2)
	if err != nil || !bytes.Equal(b1, b2) {
		t.Fatalf("round trip changed the envelope:\n%s\n%s (%v)", b1, b2, err)
	}
}

// FuzzSchemaYAML feeds arbitrary bytes to the schema file parser, whose
// retry rewrites \/ in double-quoted scalars. It must not panic; what it
// parses must encode (EncodeSchema) and parse back to the same value. The
// seeds are small: with whole schema files as seeds the fuzzer made next to
// no progress.
func FuzzSchemaYAML(f *testing.F) {
	f.Add([]byte("title: t\n$id: /t/1.0.0\nproperties:\n  uri: {type: string, examples: [\"https:\\/\\/x\"]}\n  n: {type: number, minimum: 1.0}\nrequired: [uri]\n"))
	f.Add([]byte("a: 'it''s \\/' # \"\\/\nb: [\"x\\/\", {c: \"\\/\"}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := parseYAML(data)
		if err != nil || countValues(v) > 10000 {
			return // aliases may expand a few bytes to a million values: slow, not wrong
		}
		for _, ct := range []string{"yaml", "json"} {
			b, err := EncodeSchema(v, ct)
			if err != nil {
				t.Fatalf("%s: %v", ct, err)
			}
			back, err := parseYAML(b)
			if err != nil || !sameJSON(v, back) {
				t.Fatalf("%s round trip: %v\n%q\n%q", ct, err, data, b)
			}
		}
	})
}

// countValues counts the values in a parsed document.
func countValues(v any) int {
	n := 1
	switch v := v.(type) {
	case map[string]any:
		for _, e := range v {
			n += countValues(e)
		}
	case []any:
		for _, e := range v {
			n += countValues(e)
		}
	}
	return n
}
