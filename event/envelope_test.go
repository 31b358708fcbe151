package event

import (
	"errors"
	"regexp"
	"testing"
	"time"
)

func TestParseSchemaURI(t *testing.T) {
	tests := []struct {
		uri, title, version string
		ok                  bool
	}{
		{"/mediawiki/page/change/1.2.0", "mediawiki/page/change", "1.2.0", true},
		{"/mediawiki/page/change/1.2.0.yaml", "mediawiki/page/change", "1.2.0", true},
		{"/resource_change/1.0.0.json", "resource_change", "1.0.0", true},
		{"resource_change/1.0.0", "resource_change", "1.0.0", true},
		{"/error/latest", "error", "latest", true},
		{"/error/current", "error", "current", true},
		{"/error/10.20.300", "error", "10.20.300", true},
		{"/error/1.0", "", "", false},
		{"/error/1.0.0-rc1", "", "", false},
		{"/error/01.0.0", "", "", false},
		{"/1.0.0", "", "", false},
		{"1.0.0", "", "", false},
		{"", "", "", false},
		{"//x/1.0.0", "", "", false},
		{"/a/../b/1.0.0", "", "", false},
		{"/a/./b/1.0.0", "", "", false},
	}
	for _, tt := range tests {
		title, version, err := ParseSchemaURI(tt.uri)
		if (err == nil) != tt.ok || title != tt.title || version != tt.version {
			t.Errorf("ParseSchemaURI(%q) = %q, %q, %v", tt.uri, title, version, err)
		}
		if err != nil && !errors.Is(err, ErrBadSchemaURI) {
			t.Errorf("ParseSchemaURI(%q) error %v does not wrap ErrBadSchemaURI", tt.uri, err)
		}
	}
}

func TestEnvelopeHelpers(t *testing.T) {
	tests := []struct {
		env            Envelope
		title, version string
		canary         bool
	}{
		{Envelope{Schema: "/mediawiki/page/change/1.2.0", Meta: Meta{Domain: "en.wikipedia.org"}}, "mediawiki/page/change", "1.2.0", false},
		{Envelope{Schema: "/resource_change/1.0.0", Meta: Meta{Domain: "canary"}}, "resource_change", "1.0.0", true},
		{Envelope{Schema: "not a uri"}, "", "", false},
		{Envelope{}, "", "", false},
	}
	for _, tt := range tests {
		if got := tt.env.SchemaTitle(); got != tt.title {
			t.Errorf("%q SchemaTitle() = %q, want %q", tt.env.Schema, got, tt.title)
		}
		if got := tt.env.SchemaVersion(); got != tt.version {
			t.Errorf("%q SchemaVersion() = %q, want %q", tt.env.Schema, got, tt.version)
		}
		if got := tt.env.IsCanary(); got != tt.canary {
			t.Errorf("%+v IsCanary() = %v", tt.env.Meta, got)
		}
	}
}

func TestNewID(t *testing.T) {
	v4 := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	seen := map[string]bool{}
	for range 1000 {
		id := NewID()
		if !v4.MatchString(id) {
			t.Fatalf("NewID() = %q, not a v4 UUID", id)
		}
		if seen[id] {
			t.Fatalf("NewID() repeated %q", id)
		}
		seen[id] = true
	}
}

func TestNewAndDerive(t *testing.T) {
	edit := time.Date(2024, 10, 4, 17, 16, 26, 0, time.FixedZone("CEST", 2*3600))
	before := time.Now()
	root := New("/mediawiki/page/change/1.2.0", "mediawiki.page_change.v1", edit)
	root.Meta.URI = "https://en.wikipedia.org/wiki/Template:Infobox"
	root.Meta.Domain = "en.wikipedia.org"
	if root.Meta.ID == "" || root.Meta.DT.Before(before) || root.Meta.DT.Location() != time.UTC || !root.DT.Equal(edit) || root.DT.Location() != time.UTC {
		t.Errorf("New = %+v", root)
	}

	child := Derive(root, "/resource_change/1.0.0", "purge", edit.Add(time.Second))
	want := RootEvent{Signature: root.Meta.URI, DT: root.DT}
	if child.RootEvent == nil || *child.RootEvent != want {
		t.Errorf("child root_event = %+v, want %+v", child.RootEvent, want)
	}
	if child.TriggeredBy != "mediawiki.page_change.v1:https://en.wikipedia.org/wiki/Template:Infobox" {
		t.Errorf("child triggered_by = %q", child.TriggeredBy)
	}
	if child.Meta.Domain != root.Meta.Domain || child.Meta.ID == root.Meta.ID || child.Meta.Stream != "purge" {
		t.Errorf("child meta = %+v", child.Meta)
	}

	child.Meta.URI = "https://en.wikipedia.org/wiki/Douglas_Adams"
	grandchild := Derive(child, "/resource_change/1.0.0", "purge", edit)
	if *grandchild.RootEvent != want {
		t.Errorf("grandchild root_event = %+v, want the root's %+v", grandchild.RootEvent, want)
	}
	if grandchild.TriggeredBy != child.TriggeredBy+",purge:https://en.wikipedia.org/wiki/Douglas_Adams" {
		t.Errorf("grandchild triggered_by = %q", grandchild.TriggeredBy)
	}
	grandchild.RootEvent.Signature = "changed"
	if child.RootEvent.Signature != want.Signature {
		t.Error("Derive shares the parent's RootEvent")
	}
}
