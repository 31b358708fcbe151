package kafkaclient

import (
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

// Kgo returns the franz-go client options of c: its brokers, client id and
// Security (TLS and SASL), for the clients that need what sarama lacks or
// do it cheaper: the jobs' producer (see JobProducer), the intake's
// idempotent batching producer, the sinks' readers of partitions without a
// consumer group. Callers add their own producer or
// consumer options; the protocol version is negotiated with the brokers,
// as franz-go does. It fails, with an error wrapping ErrInvalidConfig,
// when a TLS file cannot be read.
func (c Config) Kgo() ([]kgo.Opt, error) {
	c = c.WithDefaults()
	opts := []kgo.Opt{kgo.SeedBrokers(c.Brokers...), kgo.ClientID(c.ClientID)}
	s := c.Security
	if s.TLS.Enable {
		tc, err := s.TLS.config()
		if err != nil {
			return nil, err
		}
		opts = append(opts, kgo.DialTLSConfig(tc))
	}
	user, pass := s.SASL.User, string(s.SASL.Password)
	switch s.SASL.Mechanism {
	case ScramSHA512:
		opts = append(opts, kgo.SASL(scram.Auth{User: user, Pass: pass}.AsSha512Mechanism()))
	case ScramSHA256:
		opts = append(opts, kgo.SASL(scram.Auth{User: user, Pass: pass}.AsSha256Mechanism()))
	case Plain:
		opts = append(opts, kgo.SASL(plain.Auth{User: user, Pass: pass}.AsMechanism()))
	}
	return opts, nil
}

// JobProducer returns Kgo's options with the producer settings a job's
// records are sent with (processor's engine, and the benchmarks that
// measure its ceiling): idempotent and acknowledged by every in-sync
// replica (franz-go's defaults), LZ4 as Sarama's, a linger of 2 ms, and at
// most 8,192 records buffered before Produce blocks. The caller adds its
// partitioner.
func (c Config) JobProducer() ([]kgo.Opt, error) {
	opts, err := c.Kgo()
	if err != nil {
		return nil, err
	}
	return append(opts,
		kgo.ProducerBatchCompression(kgo.Lz4Compression()),
		kgo.ProducerLinger(2*time.Millisecond),
		kgo.MaxBufferedRecords(8192),
	), nil
}
