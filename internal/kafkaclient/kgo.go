package kafkaclient

import (
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

// Kgo returns the franz-go client options of c: its brokers, client id and
// Security (TLS and SASL), for the clients that need what sarama lacks:
// the intake's idempotent batching producer, the sinks' readers of
// partitions without a consumer group. Callers add their own producer or
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
