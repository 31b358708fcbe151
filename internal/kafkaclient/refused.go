package kafkaclient

import (
	"crypto/x509"
	"errors"
	"fmt"
	"strings"

	"github.com/IBM/sarama"
)

// RefusedError is a connection that failed for its security settings: the
// brokers refused the credentials, or TLS could not verify one side.
// Retrying cannot cure it; the configuration must change, and Hint says
// how.
type RefusedError struct {
	// Hint says what failed and what to do next.
	Hint string
	// Err is the client's error.
	Err error
}

func (e *RefusedError) Error() string { return "kafkaclient: " + e.Hint + ": " + e.Err.Error() }
func (e *RefusedError) Unwrap() error { return e.Err }

// Refused reports whether err is a refusal Security cannot ride out (see
// RefusedError), explained or not: callers that retry connection errors
// must not retry these.
func Refused(err error) bool {
	var re *RefusedError
	return err != nil && (errors.As(err, &re) || refusal(err) != refusedNot)
}

// Explain returns err as a RefusedError with what to do next when it is a
// refusal, and err itself otherwise (nil for nil). Its hints name s's user
// and files, never the password.
func (s Security) Explain(err error) error {
	var re *RefusedError
	if err == nil || errors.As(err, &re) {
		return err
	}
	s = s.WithDefaults()
	var hint string
	switch refusal(err) {
	case refusedNot:
		return err
	case refusedCredentials:
		hint = fmt.Sprintf("the brokers refused the SASL credentials of user %q (%s): check the password, and that the user exists on the cluster for this mechanism "+
			"(kafka-configs --bootstrap-server HOST:PORT --alter --entity-type users --entity-name %s --add-config '%s=[password=...]')",
			s.SASL.User, s.SASL.Mechanism, s.SASL.User, s.SASL.Mechanism)
		if s.SASL.Mechanism == "" {
			hint = "the brokers asked for SASL credentials: set the SASL user and password"
		}
	case refusedMechanism:
		hint = fmt.Sprintf("the brokers' listener does not offer SASL mechanism %s: use one it offers (its sasl.enabled.mechanisms), or the address of a listener that offers it", s.SASL.Mechanism)
	case refusedUnknownCA:
		hint = "the brokers' TLS certificate is not signed by a CA the system trusts: give the CA that signed it as the TLS CA file"
		if s.TLS.CAFile != "" {
			hint = fmt.Sprintf("the brokers' TLS certificate is not signed by the CA in %s: give the CA file of the CA that signed it", s.TLS.CAFile)
		}
	case refusedHostname:
		hint = "the brokers' TLS certificate does not carry the name dialled: dial a name it carries, or set the TLS server name to one"
	case refusedClientCert:
		hint = "the brokers refused the TLS client certificate: give one signed by a CA they trust (their ssl.truststore), or none if they do not require it"
	}
	return &RefusedError{Hint: hint, Err: err}
}

type refusalKind int

const (
	refusedNot refusalKind = iota
	refusedCredentials
	refusedMechanism
	refusedUnknownCA
	refusedHostname
	refusedClientCert
)

// refusal classifies err. goka wraps the errors of its parts in
// multi-errors that do not unwrap, so the text is read too.
func refusal(err error) refusalKind {
	var (
		unknownCA x509.UnknownAuthorityError
		hostname  x509.HostnameError
	)
	msg := err.Error()
	has := func(subs ...string) bool {
		for _, s := range subs {
			if strings.Contains(msg, s) {
				return true
			}
		}
		return false
	}
	switch {
	case errors.Is(err, sarama.ErrSASLAuthenticationFailed), has(sarama.ErrSASLAuthenticationFailed.Error()):
		return refusedCredentials
	case errors.Is(err, sarama.ErrUnsupportedSASLMechanism), has(sarama.ErrUnsupportedSASLMechanism.Error()):
		return refusedMechanism
	case errors.As(err, &unknownCA), has("certificate signed by unknown authority"):
		return refusedUnknownCA
	case errors.As(err, &hostname), has("certificate is valid for", "certificate is not valid for any names", "doesn't contain any IP SANs"):
		return refusedHostname
	case has("remote error: tls: bad certificate", "remote error: tls: unknown certificate authority", "remote error: tls: certificate required"):
		return refusedClientCert
	}
	return refusedNot
}
