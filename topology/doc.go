// Package topology owns a deployment described as data: streams, jobs,
// partitions and schemas, their validation, the topic plan, rendering to DOT
// and Mermaid, and a runner for several jobs in one process.
//
// Load or Parse a topology file, then Validate it against a Registry of job
// kinds: errors carry the file position (line:col) of the stream or binding
// at fault. Plan lists the topics of its streams and Plan.Apply creates
// them on the brokers. Run (or Start) builds every job through its kind and
// runs them with one Prometheus registry and /metrics, /healthz and /readyz
// (processor/prommetrics).
//
// A stream may carry settings in the shape of Wikimedia's
// EventStreamConfig (sample, destination_event_service, ...): the topology
// parses and validates them; topology/streamconfig owns their meaning, the
// sampling decision and the HTTP view that Running.Handler serves on
// /v1/streams. Package topology/intake takes events in over HTTP
// (EventGate's API) into the streams a topology declares.
//
// Job kinds are registered by the packages under jobs/ (changeprop.Register,
// entitychange.Register) into a Registry value: jobs import topology, which
// imports processor, never the other way. It does not own the jobs' internal
// topics (state, retry, error, loopback), which the processor creates when a
// job starts.
package topology
