package streamconfig

import (
	"crypto/sha256"
	"encoding/binary"
)

// Settings of one stream, named as in Wikimedia's EventStreamConfig.
type Settings struct {
	// SchemaTitle is the title of the schema every event of the stream
	// must have (mediawiki/page/change); "" accepts any.
	SchemaTitle string
	// DestinationEventService names the intake service that producers
	// send the stream's events to (eventgate-analytics-external).
	DestinationEventService string
	// CanaryEventsEnabled says whether canary events (meta.domain
	// "canary") are produced to the stream to check it works; nil is
	// unset.
	CanaryEventsEnabled *bool
	// Sample, when set, keeps only a share of the events.
	Sample *Sample
	// Producers are settings for each named producer (eventgate,
	// metrics_platform_client), kept as declared: their meaning belongs
	// to the producer.
	Producers map[string]any
}

// Sample is a stream's sampling: a share Rate (0 keeps none, 1 all) of
// the units, where every event of one unit (a session, a pageview, a
// device) is kept or dropped together.
type Sample struct {
	Rate float64
	Unit string
}

// Units returns the sampling units Wikimedia's clients know (the
// Metrics Platform clients and EventLogging: session, pageview, device).
func Units() []string { return []string{"session", "pageview", "device"} }

// KnownUnit reports whether u is a known sampling unit.
func KnownUnit(u string) bool {
	for _, k := range Units() {
		if k == u {
			return true
		}
	}
	return false
}

// Sampled reports whether the events of the unit unitID are in the
// sample s. The decision depends only on s.Rate and unitID, so every
// process (ripple produce, the intake service, a client) decides alike:
// the first 8 bytes of SHA-256(unitID), read big-endian, keep their top
// 53 bits as x, and the unit is in when x / 2^53 < s.Rate. Rate 0 (or
// less) keeps none, 1 (or more) keeps all; a larger rate keeps every
// unit a smaller one keeps.
func Sampled(s Sample, unitID string) bool {
	switch {
	case s.Rate >= 1:
		return true
	case s.Rate <= 0:
		return false
	}
	sum := sha256.Sum256([]byte(unitID))
	x := binary.BigEndian.Uint64(sum[:8]) >> 11
	return float64(x) < s.Rate*(1<<53)
}
