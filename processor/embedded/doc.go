// Package embedded runs an in-process Kafka-protocol broker (franz-go's
// kfake) on loopback: the broker of `ripple demo` with nothing installed,
// of the examples, and of users' unit tests of a job on the same engine as
// production. Start one, create topics, produce records, point a
// processor.Config at it, and read what the job wrote:
//
//	b, err := embedded.Start()
//	...
//	defer b.Close()
//	cfg := processor.Config{Brokers: b.Addrs(), KafkaVersion: embedded.KafkaVersion}
//
// It owns the broker and a few blocking helpers to feed and read it
// (CreateTopic, Produce, Count, Consume). It does not own running jobs
// (processor.Start does) and it is not Apache Kafka: ripple's integration
// tests and benchmarks use the real broker that deploy/local/kafka starts,
// and a user's tests of broker behaviour (rebalances, outages, transactions)
// belong there too.
package embedded
