// Package topology owns a deployment described as data: streams, jobs,
// partitions and schemas, their validation, the topic plan, rendering to DOT
// and Mermaid, and a runner for several jobs in one process.
package topology
