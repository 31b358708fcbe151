package dgraphstore

import (
	"fmt"

	"google.golang.org/grpc/credentials"

	"github.com/ripplestream/ripple/internal/tlsfiles"
)

// TLSConfig connects the store to alphas that serve TLS (Dgraph's --tls
// server-cert and server-key). Its zero value means plaintext.
type TLSConfig struct {
	// CAFile is the PEM file of the certificate authority that signed the
	// alphas' certificates (Dgraph's ca.crt). Default: the system's
	// roots, once any field is set.
	CAFile string
	// CertFile and KeyFile are the PEM files of the client certificate
	// and its key (client.NAME.crt and .key of `dgraph cert`), for alphas
	// that verify clients (--tls client-auth-type). Both or neither.
	CertFile string
	KeyFile  string
	// ServerName is the name the alphas' certificates must carry. Default:
	// the host of each address.
	ServerName string
}

// enabled reports whether any field is set, so that the store uses TLS.
func (c TLSConfig) enabled() bool { return c != TLSConfig{} }

// validate checks the fields' shape; Open reads the files.
func (c TLSConfig) validate() error {
	if (c.CertFile == "") != (c.KeyFile == "") {
		return fmt.Errorf("%w: TLS.CertFile %q and TLS.KeyFile %q: give both (a client certificate) or neither",
			ErrInvalidConfig, c.CertFile, c.KeyFile)
	}
	return nil
}

// credentials reads the files into gRPC transport credentials. Its errors
// name the files, never their contents.
func (c TLSConfig) credentials() (credentials.TransportCredentials, error) {
	conf, err := tlsfiles.Files{CAFile: c.CAFile, CertFile: c.CertFile, KeyFile: c.KeyFile, ServerName: c.ServerName}.Client()
	if err != nil {
		return nil, fmt.Errorf("%w: dgraphstore.Config.TLS: %v", ErrInvalidConfig, err)
	}
	return credentials.NewTLS(conf), nil
}
