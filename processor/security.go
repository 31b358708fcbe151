package processor

import (
	"github.com/ripplestream/ripple/internal/kafkaclient"
)

// Kafka security settings of Config.Security; every client a job builds
// (its consumers, producers, admin and the goka parts) uses them.
type (
	// Security is TLS and SASL to the brokers; the zero value is
	// PLAINTEXT. Its String names no secret.
	Security = kafkaclient.Security
	// TLS turns TLS on and names the CA, the client certificate and the
	// server name.
	TLS = kafkaclient.TLS
	// SASL is the mechanism (SCRAM-SHA-512 by default, SCRAM-SHA-256,
	// PLAIN) and the credentials.
	SASL = kafkaclient.SASL
	// Secret is a string that prints as "[redacted]", for passwords.
	Secret = kafkaclient.Secret
)

// KafkaClient returns the Kafka client configuration of c, with clientID
// (default "ripple"), for ripple's packages that talk to the brokers
// besides a job (topology's topic plan). c must be valid.
func (c Config) KafkaClient(clientID string) kafkaclient.Config {
	c = c.WithDefaults()
	version, _ := kafkaVersion(c.KafkaVersion) // checked by Validate
	return kafkaclient.Config{Brokers: c.Brokers, Version: version, Replication: c.Replication,
		ClientID: clientID, StartAtNewest: c.StartAtNewest, Security: c.Security}.WithDefaults()
}
