package kafkaclient_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/ripplestream/ripple/internal/kafkaclient"
)

const password = "s3cret-Pa55word"

// certFiles writes a self-signed certificate and its key and returns their
// paths and the key's PEM.
func certFiles(t *testing.T) (cert, key string, keyPEM []byte) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ripple test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cert, key = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	keyPEM = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder})
	if err := os.WriteFile(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(key, keyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	return cert, key, keyPEM
}

func TestSecurityValidate(t *testing.T) {
	cert, key, _ := certFiles(t)
	empty := filepath.Join(t.TempDir(), "empty.pem")
	if err := os.WriteFile(empty, []byte("not PEM"), 0o644); err != nil {
		t.Fatal(err)
	}
	scram := kafkaclient.SASL{User: "ripple", Password: password}
	for _, tc := range []struct {
		name string
		sec  kafkaclient.Security
		want string // "" for valid
	}{
		{"plaintext", kafkaclient.Security{}, ""},
		{"SCRAM over TLS with a client certificate", kafkaclient.Security{TLS: kafkaclient.TLS{CAFile: cert, CertFile: cert, KeyFile: key}, SASL: scram}, ""},
		{"SCRAM without TLS", kafkaclient.Security{SASL: scram}, ""},
		{"TLS with the system's roots", kafkaclient.Security{TLS: kafkaclient.TLS{Enable: true}}, ""},
		{"PLAIN over TLS", kafkaclient.Security{TLS: kafkaclient.TLS{Enable: true}, SASL: kafkaclient.SASL{Mechanism: "PLAIN", User: "u", Password: password}}, ""},
		{"PLAIN without TLS", kafkaclient.Security{SASL: kafkaclient.SASL{Mechanism: "PLAIN", User: "u", Password: password}}, "SASL PLAIN without TLS would send the password in clear"},
		{"unknown mechanism", kafkaclient.Security{SASL: kafkaclient.SASL{Mechanism: "GSSAPI", User: "u", Password: password}}, `SASL mechanism "GSSAPI": use SCRAM-SHA-512, SCRAM-SHA-256 or PLAIN`},
		{"user without password", kafkaclient.Security{SASL: kafkaclient.SASL{User: "ripple"}}, `SASL user "ripple" has no password`},
		{"password without user", kafkaclient.Security{SASL: kafkaclient.SASL{Password: password}}, "a SASL password without a user"},
		{"mechanism without user", kafkaclient.Security{SASL: kafkaclient.SASL{Mechanism: "SCRAM-SHA-256"}}, "SASL mechanism SCRAM-SHA-256 without a user"},
		{"password SCRAM cannot use", kafkaclient.Security{SASL: kafkaclient.SASL{User: "u", Password: "bell\x07" + password}}, "characters SCRAM cannot use"},
		{"certificate without key", kafkaclient.Security{TLS: kafkaclient.TLS{CertFile: cert}}, "needs both the certificate file and its key file"},
		{"missing CA file", kafkaclient.Security{TLS: kafkaclient.TLS{CAFile: "/nonexistent/ca.pem"}}, "TLS CA file: open /nonexistent/ca.pem"},
		{"CA file without PEM", kafkaclient.Security{TLS: kafkaclient.TLS{CAFile: empty}}, "holds no PEM certificate"},
		{"key that is no key", kafkaclient.Security{TLS: kafkaclient.TLS{CertFile: cert, KeyFile: empty}}, "TLS client certificate " + cert + " with key " + empty},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := tc.sec
			err := tc.sec.Validate()
			if tc.sec != before {
				t.Errorf("Validate changed the config: %v", tc.sec)
			}
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("Validate: %v", err)
			case tc.want == "":
				return
			case err == nil:
				t.Fatalf("Validate accepted it; want %q", tc.want)
			case !errors.Is(err, kafkaclient.ErrInvalidConfig) || !strings.Contains(err.Error(), tc.want):
				t.Fatalf("Validate: %v\nwant ErrInvalidConfig and %q", err, tc.want)
			}
			if strings.Contains(err.Error(), password) {
				t.Errorf("the error %q holds the password", err)
			}
			kc := kafkaclient.Config{Brokers: []string{"127.0.0.1:1"}, Security: tc.sec}
			if kerr := kc.Validate(); kerr == nil || kerr.Error() != err.Error() {
				t.Errorf("Config.Validate: %v; want the Security's error", kerr)
			}
		})
	}
}

// TestSaramaConfig: Config.Sarama carries the security into a sarama config
// that sarama itself accepts.
func TestSaramaConfig(t *testing.T) {
	cert, key, _ := certFiles(t)
	kc := kafkaclient.Config{Brokers: []string{"127.0.0.1:1"}, Security: kafkaclient.Security{
		TLS: kafkaclient.TLS{CAFile: cert, CertFile: cert, KeyFile: key, ServerName: "kafka.example"}, SASL: kafkaclient.SASL{User: "ripple", Password: password}}}
	sc := kc.Sarama()
	if err := sc.Validate(); err != nil {
		t.Fatalf("sarama refuses the config: %v", err)
	}
	n := sc.Net
	if !n.TLS.Enable || n.TLS.Config == nil || n.TLS.Config.RootCAs == nil || len(n.TLS.Config.Certificates) != 1 || n.TLS.Config.ServerName != "kafka.example" {
		t.Errorf("TLS: enable %v, config %+v", n.TLS.Enable, n.TLS.Config)
	}
	if !n.SASL.Enable || n.SASL.Mechanism != sarama.SASLTypeSCRAMSHA512 || n.SASL.User != "ripple" || n.SASL.Password != password || n.SASL.SCRAMClientGeneratorFunc == nil {
		t.Errorf("SASL: enable %v, mechanism %s, user %q, SCRAM client %v", n.SASL.Enable, n.SASL.Mechanism, n.SASL.User, n.SASL.SCRAMClientGeneratorFunc != nil)
	}
	if err := n.SASL.SCRAMClientGeneratorFunc().Begin("ripple", password, ""); err != nil {
		t.Errorf("SCRAM client: %v", err)
	}
	if err := n.SASL.SCRAMClientGeneratorFunc().Begin("ripple", "bell\x07"+password, ""); err == nil || strings.Contains(err.Error(), password) {
		t.Errorf("SCRAM client with a password SASLprep refuses: %v; want an error without the password", err)
	}

	plain := kafkaclient.Config{Brokers: []string{"127.0.0.1:1"}}.Sarama()
	if plain.Net.TLS.Enable || plain.Net.SASL.Enable {
		t.Errorf("the zero Security turned on TLS %v or SASL %v", plain.Net.TLS.Enable, plain.Net.SASL.Enable)
	}
}

// TestSecretsNeverPrint prints a config with a password and a client key
// every way a log line or an error could, and finds neither.
func TestSecretsNeverPrint(t *testing.T) {
	cert, key, keyPEM := certFiles(t)
	kc := kafkaclient.Config{Brokers: []string{"127.0.0.1:19094"}, Security: kafkaclient.Security{
		TLS: kafkaclient.TLS{CAFile: cert, CertFile: cert, KeyFile: key}, SASL: kafkaclient.SASL{User: "ripple", Password: password}}}
	var out bytes.Buffer
	for _, v := range []any{kc, &kc, kc.Security, kc.Security.SASL, kc.Security.SASL.Password} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%20s", "%-20v"} {
			fmt.Fprintf(&out, verb+"\n", v)
		}
		fmt.Fprintln(&out, v)
		fmt.Fprint(&out, fmt.Errorf("connecting with %v: %w", v, errors.New("refused")), "\n")
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		out.Write(b)
	}
	for _, h := range []slog.Handler{slog.NewTextHandler(&out, nil), slog.NewJSONHandler(&out, nil)} {
		slog.New(h).Info("connecting", "config", kc, "security", kc.Security, "sasl", kc.Security.SASL, "password", kc.Security.SASL.Password)
	}
	keyBody := strings.Split(string(keyPEM), "\n")[1]
	for what, s := range map[string]string{"the password": password, "the password in hex": fmt.Sprintf("%x", password), "the client key": keyBody} {
		if strings.Contains(out.String(), s) {
			t.Errorf("the output holds %s:\n%s", what, out.String())
		}
	}
	if !strings.Contains(out.String(), "[redacted]") {
		t.Errorf("the password is not shown as [redacted]:\n%s", out.String())
	}
	if got, want := kc.Security.String(), "SASL_SSL (SCRAM-SHA-512 as ripple, CA "+cert+", client certificate "+cert+")"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if got := kafkaclient.Secret("").String(); got != "" {
		t.Errorf("an empty Secret prints %q, want nothing", got)
	}
}

// TestExplain: refusals get what to do next, and only they.
func TestExplain(t *testing.T) {
	sec := kafkaclient.Security{TLS: kafkaclient.TLS{CAFile: "ca.pem"}, SASL: kafkaclient.SASL{User: "ripple", Password: password}}
	for _, tc := range []struct {
		name string
		err  error
		want string // "" when not a refusal
	}{
		{"SASL failure", sarama.Wrap(sarama.ErrOutOfBrokers, sarama.ErrSASLAuthenticationFailed), `refused the SASL credentials of user "ripple" (SCRAM-SHA-512)`},
		{"SASL failure as text (goka)", errors.New("goka: " + sarama.ErrSASLAuthenticationFailed.Error() + ": invalid credentials"), `refused the SASL credentials`},
		{"unknown CA", fmt.Errorf("dial: %w", x509.UnknownAuthorityError{}), "not signed by the CA in ca.pem"},
		{"wrong host", x509.HostnameError{Certificate: &x509.Certificate{}, Host: "10.0.0.1"}, "does not carry the name dialled"},
		{"unsupported mechanism", sarama.ErrUnsupportedSASLMechanism, "does not offer SASL mechanism SCRAM-SHA-512"},
		{"client certificate refused", errors.New("remote error: tls: unknown certificate authority"), "refused the TLS client certificate"},
		{"broker down", sarama.Wrap(sarama.ErrOutOfBrokers, errors.New("dial tcp: connection refused")), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := sec.Explain(tc.err)
			var re *kafkaclient.RefusedError
			if tc.want == "" {
				if err != tc.err || kafkaclient.Refused(tc.err) {
					t.Fatalf("Explain(%v) = %v, Refused %v; want it unchanged and not refused", tc.err, err, kafkaclient.Refused(tc.err))
				}
				return
			}
			if !errors.As(err, &re) || !kafkaclient.Refused(tc.err) || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, tc.err) {
				t.Fatalf("Explain(%v) = %v; want a RefusedError saying %q that wraps it", tc.err, err, tc.want)
			}
			if sec.Explain(err) != err {
				t.Error("explaining twice changed the error")
			}
			if strings.Contains(err.Error(), password) {
				t.Errorf("%q holds the password", err)
			}
		})
	}
	if sec.Explain(nil) != nil {
		t.Error("Explain(nil) is not nil")
	}
}
