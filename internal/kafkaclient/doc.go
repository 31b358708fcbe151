// Package kafkaclient builds the sarama configuration and the goka builders
// ripple uses to talk to a Kafka broker: a pinned protocol version (Kafka 4
// refuses protocol versions older than 2.1, goka's default), replication for
// the topics goka creates, no use of goka's process-wide global config, and
// the one Security (TLS and SASL) every client takes: Sarama applies it, a
// Secret never prints, and Explain turns a refused password or certificate
// into an error that says what to change.
//
// It does not own processing; package processor uses these builders.
package kafkaclient
