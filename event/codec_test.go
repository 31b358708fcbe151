package event

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// purge is an event type built on Envelope, as jobs write them.
type purge struct {
	Envelope
	Tags []string `json:"tags,omitempty"`
}

func TestJSONCodecRoundTrip(t *testing.T) {
	in := purge{Envelope: New("/resource_change/1.0.0", "purge", time.Date(2024, 10, 4, 15, 16, 26, 0, time.UTC)), Tags: []string{"changeprop"}}
	in.Meta.URI = "https://en.wikipedia.org/wiki/Douglas_Adams"
	c := JSON[purge]{}
	b, err := c.Encode(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if out.Meta.URI != in.Meta.URI || out.Meta.ID != in.Meta.ID || !out.DT.Equal(in.DT) || !out.Meta.DT.Equal(in.Meta.DT) || len(out.Tags) != 1 {
		t.Errorf("round trip: got %+v, want %+v", out, in)
	}
	r := openRepo(t, wmf(t, "schemas-event-primary"))
	if err := r.Validate(b); err != nil {
		t.Errorf("encoded purge does not validate: %v\n%s", err, b)
	}
	// The envelope's optional fields stay out of the JSON when unset.
	if bytes.Contains(b, []byte("root_event")) || bytes.Contains(b, []byte("triggered_by")) || bytes.Contains(b, []byte("request_id")) {
		t.Errorf("unset fields encoded: %s", b)
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name   string
		decode func([]byte) error
		in     string
		offset int64
	}{
		{"syntax", peek, `{"meta": }`, 10},
		{"wrong type", peek, `{"meta": {"stream": 5}}`, 21},
		{"bad dt", peek, `{"dt": "2021-01-01"}`, -1},
		{"null", peek, ` null`, 1},
		{"array", peek, `[]`, 1},
		{"trailing", peek, `{} x`, 4},
		{"empty", peek, ``, -1},
		{"json map", func(b []byte) error { _, err := JSON[map[string]any]{}.Decode(b); return err }, `{"a":`, -1},
		{"string", func(b []byte) error { _, err := String{}.Decode(b); return err }, "ok\xc3", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.decode([]byte(tt.in))
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("got %v (%T), want *DecodeError", err, err)
			}
			if de.Reason == "" || de.Error() == "" {
				t.Errorf("no reason in %#v", de)
			}
			if tt.offset >= 0 && de.Offset != tt.offset {
				t.Errorf("offset %d, want %d (%v)", de.Offset, tt.offset, de)
			}
		})
	}
}

// peek decodes b with PeekEnvelope and returns the error.
func peek(b []byte) error {
	_, err := PeekEnvelope(b)
	return err
}

func TestRawAndStringCodecs(t *testing.T) {
	data := []byte("\x00\xff binary")
	if got, _ := (Raw{}).Decode(data); &got[0] != &data[0] {
		t.Error("Raw.Decode copied its input")
	}
	if got, _ := (Raw{}).Encode(data); !bytes.Equal(got, data) {
		t.Error("Raw.Encode changed its input")
	}
	b, _ := String{}.Encode("Q42 ✓")
	if s, err := (String{}).Decode(b); err != nil || s != "Q42 ✓" {
		t.Errorf("String round trip: %q, %v", s, err)
	}
	var _ Codec[[]byte] = Raw{}
	var _ Codec[string] = String{}
	var _ Codec[Envelope] = JSON[Envelope]{}
}

func TestPeekEnvelope(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(wmf(t, "wikidata-query-rdf", "streaming-updater-producer", "src", "test", "resources", "page_change_events", "wikibase"), "item-edit.json"))
	if err != nil {
		t.Fatal(err)
	}
	env, err := PeekEnvelope(data)
	if err != nil {
		t.Fatal(err)
	}
	want := Envelope{
		Schema: "/mediawiki/page/change/1.2.0",
		Meta: Meta{
			Stream:    "mediawiki.page_change.v1",
			ID:        "4072ddcb-f522-45e5-9a66-6f0b5a495d1f",
			DT:        time.Date(2024, 10, 4, 15, 16, 26, 0, time.UTC),
			URI:       "https://test.wikidata.org/wiki/Q235989",
			Domain:    "test.wikidata.org",
			RequestID: "48e89d12-59b9-45bc-8183-a4462784f126",
		},
		DT: time.Date(2024, 10, 4, 15, 16, 26, 0, time.UTC),
	}
	if env.Schema != want.Schema || env.Meta != want.Meta || !env.DT.Equal(want.DT) || env.RootEvent != nil {
		t.Errorf("PeekEnvelope = %+v, want %+v", env, want)
	}
}
