// Package tlsfiles builds the TLS configuration of a client from PEM files
// (the CA that signed the servers' certificates, a client certificate and
// its key), for the clients of Kafka and of Dgraph alike. Its errors name
// the files and what is wrong with them, never their contents.
package tlsfiles

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
)

// Files are a client's TLS files. An empty CAFile means the system's
// roots; an empty CertFile and KeyFile, no client certificate; an empty
// ServerName, the host each address names.
type Files struct {
	CAFile, CertFile, KeyFile, ServerName string
}

// Client reads f into a client configuration (TLS 1.2 at least).
func (f Files) Client() (*tls.Config, error) {
	tc := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: f.ServerName}
	if f.CAFile != "" {
		pem, err := os.ReadFile(f.CAFile)
		if err != nil {
			return nil, fmt.Errorf("TLS CA file: %w", err)
		}
		tc.RootCAs = x509.NewCertPool()
		if !tc.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("TLS CA file %s holds no PEM certificate: give the CA that signed the servers' certificates", f.CAFile)
		}
	}
	if f.CertFile != "" || f.KeyFile != "" {
		certPEM, err := os.ReadFile(f.CertFile)
		if err != nil {
			return nil, fmt.Errorf("TLS client certificate: %w", err)
		}
		keyPEM, err := os.ReadFile(f.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("TLS client key: %w", err)
		}
		// X509KeyPair's errors describe the PEM blocks, never their bytes.
		cert, err := tls.X509KeyPair(certPEM, keyPEM)
		if err != nil {
			return nil, fmt.Errorf("TLS client certificate %s with key %s: %w", f.CertFile, f.KeyFile, err)
		}
		tc.Certificates = []tls.Certificate{cert}
	}
	return tc, nil
}
