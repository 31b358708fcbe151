// Package event owns the Wikimedia event envelope ($schema, meta, dt,
// root_event, triggered_by), the JSON codecs for events, and the schema
// repository with JSON Schema (draft-07) validation.
//
// # Envelope
//
// [Envelope] holds the fields every event shares, with the JSON names of the
// Wikimedia common schema fragment. Event types embed it so the fields are
// promoted into their JSON. [New] and [Derive] build envelopes with a fresh
// meta.id; [PeekEnvelope] reads just the envelope of any JSON event.
//
// # Codecs
//
// [Codec] turns values into bytes and back. [JSON], [Raw] and [String] cover
// the event streams ripple reads; every decode failure is a *[DecodeError] so
// a job can route the event to its error topic with the reason.
//
// # Schemas
//
// A [Repository] reads a schema tree laid out like Wikimedia's
// schemas-event-primary (jsonschema/<title>/<version>.yaml plus current.yaml)
// from a directory or an [io/fs.FS], resolves $ref only inside that tree,
// compiles schemas on first use and validates events against the schema their
// $schema names. A failed validation is a *[ValidationError] naming the field
// and the rule it broke.
//
// A current.yaml is compiled as Wikimedia's jsonschema-tools would write it as
// its next version: $refs inlined and every allOf merged into the schema that
// holds it, so that its additionalProperties: false applies to the fragments'
// fields as it does in the versioned file. The uri and uri-reference formats
// follow RFC 3986 (no spaces, quotes or raw non-ASCII).
//
// [MaterializeRepository] writes each current.yaml as the version its $id
// names, as jsonschema-tools writes it (JSON byte for byte), following the
// repository's .jsonschema-tools.yaml ([RepoConfig]); [CheckRepository]
// checks a repository's conventions and the compatibility of its versions,
// each [Problem] naming the schema, version and field and what to do.
//
// [Validated] is the codec for an input that reads one schema title: it
// rejects an event of another title, without $schema, or invalid, with a
// *[WrongEventError] that says what the event is not.
//
// It does not own transport: reading and writing Kafka is the processor's job.
// Nor does it own the project's schema files: package schemas embeds those.
package event
