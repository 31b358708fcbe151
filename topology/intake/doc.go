// Package intake is ripple's event intake service, with the HTTP API of
// Wikimedia's EventGate: clients POST one event or a JSON array of them
// to /v1/events; each is validated against the schema its $schema names
// in a schema repository, its meta.id and meta.dt are filled when
// missing, its meta.stream must be a stream the topology declares with
// the same schema title, a sampled stream keeps only the events of its
// sampled units (streamconfig.SampledEvent, as ripple produce decides),
// and the accepted events go to the Kafka topic named like their stream
// through one idempotent producer (acks from all in-sync replicas), in
// batches shared by concurrent requests.
//
// The answer is EventGate's: 201 when every event was accepted and
// acknowledged by the brokers (never before), 202 at once with
// ?hasty=true, 207 with {"invalid": [...], "error": [...]} when some
// were, 400 with {"invalid": [...]} when every event was invalid, 500
// when every event failed and one failed to be produced, 413 for a body
// over Config.MaxBodyBytes, and 503 once Close has begun (Close waits
// for the events of the requests taken before, hasty ones included). A
// body is JSON whatever its Content-Type, so navigator.sendBeacon's
// text/plain posts are accepted as EventGate accepts them.
//
// Besides /v1/events a Service serves /metrics, /healthz and /readyz
// (processor/prommetrics), the streams' settings on /v1/streams
// (topology/streamconfig), and a small client page on /client/ that
// posts events with navigator.sendBeacon.
//
// It does not own the schemas (package event), the streams' settings
// (topology and topology/streamconfig) or the topics: create those with
// the topology's plan (ripple topology plan --apply).
package intake
