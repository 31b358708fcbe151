// Package streamconfig owns the settings of a stream in the shape of
// Wikimedia's EventStreamConfig ($wgEventStreams): schema_title,
// destination_event_service, canary_events_enabled, sample {rate, unit}
// and producers; the HTTP view of them in the shape of MediaWiki's
// action=streamconfigs API (Handler); and the one sampling decision
// (Sampled) that every producer of a sampled stream must share.
//
// It imports nothing of ripple. It does not own where settings are
// declared or how their errors are reported with file positions: the
// topology package parses them from a topology file and validates them.
package streamconfig
