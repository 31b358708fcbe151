package main

import (
	"github.com/spf13/pflag"

	"github.com/ripplestream/ripple/internal/kafkaclient"
)

// securityFlags are the TLS and SASL flags of every command that talks to
// Kafka; they make one kafkaclient.Security.
type securityFlags struct {
	tls                                   bool
	caFile, certFile, keyFile, serverName string
	mechanism, user, password             string
}

func (s *securityFlags) declare(fs *pflag.FlagSet) {
	fs.BoolVar(&s.tls, "kafka-tls", false, "connect to Kafka over TLS (implied by the other --kafka-tls-* flags)")
	fs.StringVar(&s.caFile, "kafka-ca-file", "", "PEM file of the CAs that sign the brokers' certificates (default: the system's)")
	fs.StringVar(&s.certFile, "kafka-cert-file", "", "PEM client certificate, for brokers that ask for one (with --kafka-key-file)")
	fs.StringVar(&s.keyFile, "kafka-key-file", "", "PEM private key of --kafka-cert-file")
	fs.StringVar(&s.serverName, "kafka-server-name", "", "name the brokers' certificates must carry (default: the host dialled)")
	fs.StringVar(&s.mechanism, "kafka-sasl-mechanism", "", "SASL mechanism: SCRAM-SHA-512 (the default with --kafka-user), SCRAM-SHA-256 or PLAIN (TLS only)")
	fs.StringVar(&s.user, "kafka-user", "", "SASL user name")
	fs.StringVar(&s.password, "kafka-password", "", "SASL password; set RIPPLE_KAFKA_PASSWORD or put it in the --config file instead, since other users of the machine can see the command line")
}

// security returns the flags as one Security.
func (s *securityFlags) security() kafkaclient.Security {
	return kafkaclient.Security{
		TLS:  kafkaclient.TLS{Enable: s.tls, CAFile: s.caFile, CertFile: s.certFile, KeyFile: s.keyFile, ServerName: s.serverName},
		SASL: kafkaclient.SASL{Mechanism: s.mechanism, User: s.user, Password: kafkaclient.Secret(s.password)},
	}
}
