package event

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

// TestURIFormats checks the uri and uri-reference formats against RFC 3986.
func TestURIFormats(t *testing.T) {
	tests := []struct {
		s        string
		uri, ref bool // valid as uri, as uri-reference
	}{
		{"https://en.wikipedia.org/wiki/Main_Page", true, true},
		{"https://en.wikipedia.org/wiki/Caf%C3%A9?action=history#top", true, true},
		{"//en.m.wikipedia.org/wiki/A", false, true},
		{"/wiki/A_(b)", false, true},
		{"urn:uuid:2a1d1c3e-5d6f-4b57-9d2b-0e7c1d3e4f5a", true, true},
		{"http://[::1]:8080/x", true, true},
		{"mailto:a@example.org", true, true},
		{"", false, true},
		{"https://en.wikipedia.org/wiki/Main Page", false, false},
		{"https://en.wikipedia.org/wiki/Falcão", false, false},
		{`https://en.wikipedia.org/wiki/"quoted"`, false, false},
		{"https://en.wikipedia.org/wiki/{{tpl}}", false, false},
		{"https://en.wikipedia.org/wiki/a|b", false, false},
		{"https://en.wikipedia.org/wiki/a\\b", false, false},
		{"https://en.wikipedia.org/wiki/100%", false, false},
		{"https://en.wikipedia.org/wiki/%zz", false, false},
		{"https://en.wikipedia.org/a#b#c", false, false},
		{"https://en.wikipedia.org/a[1]", false, false},
		{"http://[::1/x", false, false},
		// "1http:" is no scheme (a scheme starts with a letter), and the first
		// segment of a relative reference may not hold a colon.
		{"1http://x", false, false},
		{"wiki/Main_Page", false, true},
		{"https://en.wikipedia.org/wiki/Main_Page\n", false, false},
	}
	for _, tt := range tests {
		if err := validateURI(tt.s); (err == nil) != tt.uri {
			t.Errorf("uri %q: got %v, want valid=%v", tt.s, err, tt.uri)
		}
		if err := validateURIReference(tt.s); (err == nil) != tt.ref {
			t.Errorf("uri-reference %q: got %v, want valid=%v", tt.s, err, tt.ref)
		}
	}
}

// TestURIFormatsOnEvents checks the formats where events use them: a
// resource_change (meta.uri is a uri-reference) whose URI holds a space is
// invalid, naming the field and the character. So is the second purge of
// testdata/purges.ndjson (shaped like purged's integration-test messages),
// whose URI holds a raw "ã" (an IRI, which EventGate's AJV would reject
// too); the first is valid.
func TestURIFormatsOnEvents(t *testing.T) {
	r := openRepo(t, wmf(t, "schemas-event-primary"))
	msgs := bytes.Split(bytes.TrimSpace(readFixture(t, filepath.Join("testdata", "purges.ndjson"))), []byte("\n"))
	if len(msgs) != 2 {
		t.Fatalf("%d purges, want 2", len(msgs))
	}
	if err := r.Validate(msgs[0]); err != nil {
		t.Errorf("purge 1: %v", err)
	}
	ve := asValidationError(t, r.Validate(msgs[1]))
	if !hasViolation(ve, "/meta/uri", "format") || !strings.Contains(ve.Error(), "RFC 3986") {
		t.Errorf("purge 2: got %v, want a format violation at /meta/uri", ve)
	}

	ev := []byte(`{"$schema":"/resource_change/1.0.0","meta":{"stream":"resource_change","dt":"2026-12-01T00:00:00Z","uri":"https://en.wikipedia.org/wiki/Main Page"},"tags":["purge"]}`)
	ve = asValidationError(t, r.Validate(ev))
	t.Logf("URI with a space: %v", ve)
	if !hasViolation(ve, "/meta/uri", "format") || !strings.Contains(ve.Error(), "' '") {
		t.Errorf("URI with a space: got %v, want a format violation at /meta/uri naming ' '", ve)
	}
	fixed := bytes.Replace(ev, []byte("Main Page"), []byte("Main_Page"), 1)
	if err := r.Validate(fixed); err != nil {
		t.Errorf("URI without the space: %v", err)
	}
}
