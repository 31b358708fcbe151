package testenv

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ripplestream/ripple/internal/kafkaclient"
)

// Environment variables that name the broker's SASL_SSL listener and its
// credentials, as `deploy/local/kafka env` prints them (with-services
// exports them).
const (
	EnvKafkaSASL         = "RIPPLE_KAFKA_SASL_BROKERS"
	EnvKafkaSASLUser     = "RIPPLE_KAFKA_SASL_USER"
	EnvKafkaSASLPassword = "RIPPLE_KAFKA_SASL_PASSWORD"
	EnvKafkaSASLCA       = "RIPPLE_KAFKA_SASL_CA"
	EnvKafkaSASLCert     = "RIPPLE_KAFKA_SASL_CERT"
	EnvKafkaSASLKey      = "RIPPLE_KAFKA_SASL_KEY"
)

// KafkaSASL returns the client configuration for a SASL_SSL listener
// (SCRAM-SHA-512 over TLS with a client certificate): the shared broker's,
// when RIPPLE_KAFKA_SASL_BROKERS names it, or else a broker of the test's
// own on 127.0.0.1:port with its SASL_SSL listener on port+2 (the shared
// broker predates its listener until it is restarted; give each package
// its own port). Its PLAINTEXT listener, for setting up topics, is in
// Plain.
func KafkaSASL(t testing.TB, port int) (secure, plain kafkaclient.Config) {
	t.Helper()
	env := os.Getenv
	if env(EnvKafkaSASL) == "" {
		k := startPrivateKafka(t, port, true)
		out, err := k.script("env")
		if err != nil {
			t.Fatalf("deploy/local/kafka env on port %d: %v\n%s", port, err, out)
		}
		vars := exports(string(out))
		env = func(k string) string { return vars[k] }
		plain = k.Config
	} else {
		plain = Kafka(t)
	}
	secure = plain
	secure.Brokers = strings.Split(env(EnvKafkaSASL), ",")
	secure.Security = kafkaclient.Security{
		TLS: kafkaclient.TLS{CAFile: env(EnvKafkaSASLCA), CertFile: env(EnvKafkaSASLCert), KeyFile: env(EnvKafkaSASLKey)},
		SASL: kafkaclient.SASL{Mechanism: kafkaclient.ScramSHA512, User: env(EnvKafkaSASLUser),
			Password: kafkaclient.Secret(env(EnvKafkaSASLPassword))},
	}
	secure = secure.WithDefaults()
	if err := secure.Validate(); err != nil {
		t.Fatalf("the SASL_SSL settings (%s and the others of `deploy/local/kafka env`): %v", EnvKafkaSASL, err)
	}
	for _, b := range secure.Brokers {
		reachable(t, b, "the SASL_SSL listener of Apache Kafka", "deploy/local/kafka down && deploy/local/kafka up && eval \"$(deploy/local/kafka env)\"")
	}
	return secure, plain
}

// exports reads the `export K=V ...` lines of deploy/local/kafka env.
func exports(out string) map[string]string {
	vars := map[string]string{}
	for _, f := range strings.Fields(out) {
		if k, v, ok := strings.Cut(f, "="); ok {
			vars[k] = v
		}
	}
	return vars
}

// UntrustedCA writes the PEM certificate of a CA made for this test, which
// signed no broker's certificate, and returns its path.
func UntrustedCA(t testing.TB) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ripple untrusted test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "untrusted-ca.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
