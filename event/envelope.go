package event

import (
	"crypto/rand"
	"encoding/hex"
	"strings"
	"time"
)

// CanaryDomain is the meta.domain of canary events: synthetic events that
// Wikimedia's producers send to every stream to prove it works end to end.
// Jobs drop them by default.
const CanaryDomain = "canary"

// Meta is the meta object of an event: where it belongs and when the system
// received it.
type Meta struct {
	// Stream is the name of the stream (dataset) the event belongs in.
	Stream string `json:"stream"`
	// ID identifies this event; a UUID for events ripple produces.
	ID string `json:"id,omitempty"`
	// DT is when the system received the event (processing time).
	DT time.Time `json:"dt,omitzero"`
	// URI identifies the event or the entity it is about.
	URI string `json:"uri,omitempty"`
	// Domain is the domain the event pertains to, such as en.wikipedia.org.
	Domain string `json:"domain,omitempty"`
	// RequestID identifies the request that caused the event.
	RequestID string `json:"request_id,omitempty"`
}

// RootEvent identifies the change at the root of a cascade of derived events.
// Two cascades with the same Signature come from the same resource; the one
// with the newer DT supersedes the other.
type RootEvent struct {
	// Signature identifies the root resource, such as the URI of an edited
	// template.
	Signature string `json:"signature"`
	// DT is the event time of the root event.
	DT time.Time `json:"dt"`
}

// Envelope is the part every Wikimedia event shares. Event types embed it:
//
//	type PurgeEvent struct {
//		event.Envelope
//		Tags []string `json:"tags,omitempty"`
//	}
type Envelope struct {
	// Schema is the $schema URI of the event, such as
	// /mediawiki/page/change/1.2.0.
	Schema string `json:"$schema"`
	// Meta says where the event belongs and when it was received.
	Meta Meta `json:"meta"`
	// DT is when the event happened (event time).
	DT time.Time `json:"dt,omitzero"`
	// RootEvent is set on derived events: the change that started the cascade.
	RootEvent *RootEvent `json:"root_event,omitempty"`
	// TriggeredBy lists the events that led to this one, comma-separated,
	// each as <stream>:<uri>, oldest first.
	TriggeredBy string `json:"triggered_by,omitempty"`
}

// New returns an envelope for a new event of the given schema and stream
// that happened at dt. It fills meta.id with a fresh UUID and meta.dt with the
// current time; both times are in UTC.
func New(schema, stream string, dt time.Time) Envelope {
	return Envelope{
		Schema: schema,
		Meta: Meta{
			Stream: stream,
			ID:     NewID(),
			DT:     time.Now().UTC(),
		},
		DT: dt.UTC(),
	}
}

// Derive returns the envelope of an event caused by parent, like New, and
// links it to its origin: root_event is parent's root event, or parent itself
// when parent is a root (signature meta.uri, falling back to meta.id; time
// dt, falling back to meta.dt), and triggered_by is parent's chain followed
// by parent's <stream>:<uri>. The domain and request id carry over so a
// canary cascade stays a canary cascade.
func Derive(parent Envelope, schema, stream string, dt time.Time) Envelope {
	e := New(schema, stream, dt)
	e.Meta.Domain = parent.Meta.Domain
	e.Meta.RequestID = parent.Meta.RequestID
	e.RootEvent = parent.root()
	link := parent.Meta.Stream + ":" + parent.Meta.URI
	if parent.TriggeredBy == "" {
		e.TriggeredBy = link
	} else {
		e.TriggeredBy = parent.TriggeredBy + "," + link
	}
	return e
}

// root returns the root event of e: its own RootEvent, or e itself.
func (e Envelope) root() *RootEvent {
	if e.RootEvent != nil {
		r := *e.RootEvent
		return &r
	}
	sig := e.Meta.URI
	if sig == "" {
		sig = e.Meta.ID
	}
	dt := e.DT
	if dt.IsZero() {
		dt = e.Meta.DT
	}
	return &RootEvent{Signature: sig, DT: dt.UTC()}
}

// IsCanary reports whether e is a canary event (meta.domain "canary").
func (e Envelope) IsCanary() bool {
	return e.Meta.Domain == CanaryDomain
}

// SchemaTitle returns the title part of e.Schema, such as
// mediawiki/page/change for /mediawiki/page/change/1.2.0, or "" when
// e.Schema is not a schema URI.
func (e Envelope) SchemaTitle() string {
	title, _, err := ParseSchemaURI(e.Schema)
	if err != nil {
		return ""
	}
	return title
}

// SchemaVersion returns the version part of e.Schema, such as 1.2.0 for
// /mediawiki/page/change/1.2.0, or "" when e.Schema is not a schema URI.
func (e Envelope) SchemaVersion() string {
	_, version, err := ParseSchemaURI(e.Schema)
	if err != nil {
		return ""
	}
	return version
}

// NewID returns a random (version 4) UUID in its canonical text form.
func NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails since Go 1.24.
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var sb strings.Builder
	sb.Grow(36)
	for i, part := range [][]byte{b[0:4], b[4:6], b[6:8], b[8:10], b[10:16]} {
		if i > 0 {
			sb.WriteByte('-')
		}
		sb.WriteString(hex.EncodeToString(part))
	}
	return sb.String()
}
