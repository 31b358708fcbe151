package kafkaclient

import (
	"context"
	"net"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

// Kgo returns the franz-go client options of c: its brokers, client id and
// Security (TLS and SASL), for the clients that need what sarama lacks,
// such as the intake's idempotent batching producer. Callers add their
// own producer or consumer options. c must be valid (Validate).
func (c Config) Kgo() []kgo.Opt {
	c = c.WithDefaults()
	opts := []kgo.Opt{kgo.SeedBrokers(c.Brokers...), kgo.ClientID(c.ClientID)}
	s := c.Security
	if s.TLS.Enable {
		// Validate read the files; should they have become unreadable
		// since, the dial fails with the reason (see Security.apply).
		tc, err := s.TLS.config()
		if err != nil {
			opts = append(opts, kgo.Dialer(failDial(err)))
		} else {
			opts = append(opts, kgo.DialTLSConfig(tc))
		}
	}
	switch s.SASL.Mechanism {
	case ScramSHA512:
		opts = append(opts, kgo.SASL(scram.Auth{User: s.SASL.User, Pass: string(s.SASL.Password)}.AsSha512Mechanism()))
	case ScramSHA256:
		opts = append(opts, kgo.SASL(scram.Auth{User: s.SASL.User, Pass: string(s.SASL.Password)}.AsSha256Mechanism()))
	case Plain:
		opts = append(opts, kgo.SASL(plain.Auth{User: s.SASL.User, Pass: string(s.SASL.Password)}.AsMechanism()))
	}
	return opts
}

// failDial is a dialer that fails every connection with err.
func failDial(err error) func(context.Context, string, string) (net.Conn, error) {
	return func(context.Context, string, string) (net.Conn, error) { return nil, err }
}
