// Package testenv gives integration tests the addresses of the real services
// (Apache Kafka, Dgraph, Prometheus Alertmanager) that `make test` starts on
// loopback, read from RIPPLE_KAFKA_BROKERS, RIPPLE_DGRAPH_GRPC and
// RIPPLE_ALERTMANAGER_URL. When a service is missing it fails the test with
// the exact command that starts it; it never skips.
package testenv
