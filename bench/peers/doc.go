// Command peers measures ripple against its peers on the same three jobs
// (issue 14): a per-key count, a dedupe by meta.id with expiry and a
// one-minute tumbling count per key, each run by
//   - ripple: processor.Runner with its defaults (Pebble state,
//     CommitInterval 100 ms), the jobs of processor/dedupe and
//     processor/window;
//   - goka-leveldb: the same logic as plain goka processors on goka's
//     default LevelDB storage;
//   - kstreams: a Kafka Streams 4.1.1 application (bench/kstreams), commit
//     interval 100 ms and a 10 MiB record cache, RocksDB state.
//
// `peers run` (make bench-peers) writes one input to the broker, runs every
// engine on every job as its own process (its own process group, pinned to
// the same cores, its output in a file per run), in turn and for several
// rounds, and prints a Markdown table: events/s and events per CPU-second
// of the engine process (from /proc/<pid>/stat), whole run and warmed (the
// second half of the input), p50/p99 end-to-end latency under a fixed
// input rate, peak RSS (VmHWM), and ripple's ratio to each peer. `peers
// engine` is one engine process; the driver starts it. bench/README.md
// says how each number is taken.
//
// It owns nothing the project uses: it is a measuring tool.
package main
