package kafkaclient

import (
	"crypto/tls"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/IBM/sarama"

	"github.com/ripplestream/ripple/internal/tlsfiles"
)

// SASL mechanisms Security accepts.
const (
	ScramSHA512 = sarama.SASLTypeSCRAMSHA512
	ScramSHA256 = sarama.SASLTypeSCRAMSHA256
	Plain       = sarama.SASLTypePlaintext
)

// Security says how a client proves who it is to the brokers and how it
// protects the connection. The zero value is Kafka's PLAINTEXT: no TLS, no
// SASL. It is the one place ripple's clients take their security from:
// Config.Sarama applies it to every sarama config ripple builds (goka
// processors, views, emitters, the engine, the CLI, the admin clients).
type Security struct {
	TLS  TLS
	SASL SASL
}

// TLS configures TLS to the brokers (Kafka's SSL and SASL_SSL listeners).
type TLS struct {
	// Enable turns TLS on. Setting any other field implies it.
	Enable bool
	// CAFile is a PEM file of the certificate authorities that may sign the
	// brokers' certificates. Default: the system's roots.
	CAFile string
	// CertFile and KeyFile are the PEM client certificate and its private
	// key, for brokers that ask for one (ssl.client.auth). Both or neither.
	CertFile, KeyFile string
	// ServerName is the name the brokers' certificates must carry.
	// Default: the host of the broker address dialled.
	ServerName string
}

// SASL configures SASL authentication (Kafka's SASL_SSL and SASL_PLAINTEXT
// listeners).
type SASL struct {
	// Mechanism is SCRAM-SHA-512 (the default once User is set),
	// SCRAM-SHA-256 or PLAIN (only over TLS: it sends the password as is).
	Mechanism string
	// User and Password are the credentials. Password never prints.
	User     string
	Password Secret
}

// Secret is a string that never prints: every fmt verb, slog and text or
// JSON encoding show "[redacted]" (or "" when it is empty), so a config
// logged or wrapped into an error does not leak it. Convert it with
// string(s) where the value itself is needed.
type Secret string

const redacted = "[redacted]"

// String returns "[redacted]", or "" for an empty secret.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return redacted
}

// GoString redacts s under %#v.
func (s Secret) GoString() string { return fmt.Sprintf("%q", s.String()) }

// Format redacts s under every fmt verb, %x and %q included.
func (s Secret) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		io.WriteString(f, s.GoString())
		return
	}
	io.WriteString(f, s.String())
}

// LogValue redacts s in slog records.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalText redacts s in JSON, YAML and other text encodings.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// WithDefaults returns a copy of s with TLS turned on when a TLS field is
// set and the SASL mechanism set to SCRAM-SHA-512 when a user is.
func (s Security) WithDefaults() Security {
	t := s.TLS
	if t.CAFile != "" || t.CertFile != "" || t.KeyFile != "" || t.ServerName != "" {
		s.TLS.Enable = true
	}
	if s.SASL.User != "" && s.SASL.Mechanism == "" {
		s.SASL.Mechanism = ScramSHA512
	}
	return s
}

// Validate reports settings that cannot work, wrapping ErrInvalidConfig:
// an unknown mechanism, a user without a password, a certificate without
// its key, and files that are missing or hold no usable PEM. It does not
// change s. Its errors never contain the password or a key.
func (s Security) Validate() error {
	s = s.WithDefaults()
	a := s.SASL
	switch {
	case a.Mechanism == "" && a.Password != "":
		return fmt.Errorf("%w: a SASL password without a user: set the SASL user too", ErrInvalidConfig)
	case a.Mechanism == "":
	case a.Mechanism != ScramSHA512 && a.Mechanism != ScramSHA256 && a.Mechanism != Plain:
		return fmt.Errorf("%w: SASL mechanism %q: use %s, %s or %s", ErrInvalidConfig, a.Mechanism, ScramSHA512, ScramSHA256, Plain)
	case a.User == "":
		return fmt.Errorf("%w: SASL mechanism %s without a user: set the SASL user and password", ErrInvalidConfig, a.Mechanism)
	case a.Password == "":
		return fmt.Errorf("%w: SASL user %q has no password: set it (from the environment or a config file rather than the command line, where other users can see it)", ErrInvalidConfig, a.User)
	case a.Mechanism != Plain && !saslprepOK(a.User, a.Password):
		return fmt.Errorf("%w: %v", ErrInvalidConfig, errSASLprep)
	case a.Mechanism == Plain && !s.TLS.Enable:
		return fmt.Errorf("%w: SASL PLAIN without TLS would send the password in clear: turn TLS on or use %s", ErrInvalidConfig, ScramSHA512)
	}
	if (s.TLS.CertFile == "") != (s.TLS.KeyFile == "") {
		return fmt.Errorf("%w: a TLS client certificate needs both the certificate file and its key file (cert %q, key %q)", ErrInvalidConfig, s.TLS.CertFile, s.TLS.KeyFile)
	}
	_, err := s.TLS.config()
	return err
}

// String describes s without its secrets, such as
// "SASL_SSL (SCRAM-SHA-512 as ripple, CA ca.pem)", for logs.
func (s Security) String() string {
	s = s.WithDefaults()
	var parts []string
	if s.SASL.Mechanism != "" {
		parts = append(parts, s.SASL.Mechanism+" as "+s.SASL.User)
	}
	if s.TLS.CAFile != "" {
		parts = append(parts, "CA "+s.TLS.CAFile)
	}
	if s.TLS.CertFile != "" {
		parts = append(parts, "client certificate "+s.TLS.CertFile)
	}
	if s.TLS.ServerName != "" {
		parts = append(parts, "server name "+s.TLS.ServerName)
	}
	proto := "PLAINTEXT"
	switch {
	case s.TLS.Enable && s.SASL.Mechanism != "":
		proto = "SASL_SSL"
	case s.TLS.Enable:
		proto = "SSL"
	case s.SASL.Mechanism != "":
		proto = "SASL_PLAINTEXT"
	}
	if len(parts) == 0 {
		return proto
	}
	return proto + " (" + strings.Join(parts, ", ") + ")"
}

// LogValue logs s as its String.
func (s Security) LogValue() slog.Value { return slog.StringValue(s.String()) }

// config returns the TLS client configuration of t, nil when TLS is off.
func (t TLS) config() (*tls.Config, error) {
	if !t.Enable {
		return nil, nil
	}
	tc, err := tlsfiles.Files{CAFile: t.CAFile, CertFile: t.CertFile, KeyFile: t.KeyFile, ServerName: t.ServerName}.Client()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidConfig, err)
	}
	return tc, nil
}

// apply sets s on sc. A TLS file that became unreadable since Validate
// fails every connection with the reason instead of connecting without it.
func (s Security) apply(sc *sarama.Config) {
	s = s.WithDefaults()
	if s.TLS.Enable {
		tc, err := s.TLS.config()
		if err != nil {
			tc = &tls.Config{
				MinVersion:           tls.VersionTLS12,
				GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return nil, err },
				VerifyConnection:     func(tls.ConnectionState) error { return err },
			}
		}
		sc.Net.TLS.Enable = true
		sc.Net.TLS.Config = tc
	}
	if s.SASL.Mechanism == "" {
		return
	}
	sc.Net.SASL.Enable = true
	sc.Net.SASL.Handshake = true
	sc.Net.SASL.Mechanism = sarama.SASLMechanism(s.SASL.Mechanism)
	sc.Net.SASL.User = s.SASL.User
	sc.Net.SASL.Password = string(s.SASL.Password)
	switch s.SASL.Mechanism {
	case ScramSHA512:
		sc.Net.SASL.SCRAMClientGeneratorFunc = func() sarama.SCRAMClient { return newScramClient(sha512) }
	case ScramSHA256:
		sc.Net.SASL.SCRAMClientGeneratorFunc = func() sarama.SCRAMClient { return newScramClient(sha256) }
	}
}
