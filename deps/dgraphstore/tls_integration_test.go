//go:build integration

package dgraphstore

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ripplestream/ripple/deps"
	"github.com/ripplestream/ripple/internal/testenv"
)

// tlsOffset is the port offset of the alpha with TLS (gRPC 9580).
const tlsOffset = 500

// TestTLS runs an alpha that serves TLS (deploy/local/dgraph with
// certificates from `dgraph cert`): the store connects with the CA, with
// or without a client certificate and with a server name, and writes and
// reads a page; plaintext, an unknown CA and a wrong server name fail
// Open with deps.ErrUnavailable and say what is wrong, naming no key's
// contents.
func TestTLS(t *testing.T) {
	dir := t.TempDir()
	dg := testenv.StartPrivateDgraphWith(t, tlsOffset, testenv.DgraphOptions{TLSDir: dir})
	ca, cert, key := filepath.Join(dir, "ca.crt"), filepath.Join(dir, "client.ripple.crt"), filepath.Join(dir, "client.ripple.key")
	keyPEM, err := os.ReadFile(key)
	if err != nil {
		t.Fatal(err)
	}

	for _, c := range []struct {
		name string
		tls  TLSConfig
	}{
		{"CA and client certificate", TLSConfig{CAFile: ca, CertFile: cert, KeyFile: key}},
		{"CA only, server name", TLSConfig{CAFile: ca, ServerName: "localhost"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := openCfg(t, Config{Addrs: dg.Addrs, Prefix: "tlstest", TLS: c.tls})
			ctx := context.Background()
			p := deps.PageDeps{Wiki: "enwiki", Page: deps.PageRef{ID: 1, Title: "A"}, RevID: 1, Templates: []string{"Template:T"}}
			if _, err := s.PutPage(ctx, p); err != nil {
				t.Fatal(err)
			}
			got, ok, err := s.Page(ctx, "enwiki", "A")
			if err != nil || !ok || got.RevID != 1 {
				t.Fatalf("Page over TLS = %+v, %v, %v", got, ok, err)
			}
		})
	}

	// A second CA that did not sign the alpha's certificate.
	other := t.TempDir()
	otherCA := testenv.DgraphCerts(t, other)
	for _, c := range []struct {
		name string
		tls  TLSConfig
		want string
	}{
		{"plaintext", TLSConfig{}, "set dgraphstore.Config.TLS"},
		{"unknown CA", TLSConfig{CAFile: otherCA, CertFile: cert, KeyFile: key}, "certificate signed by unknown authority"},
		{"wrong server name", TLSConfig{CAFile: ca, ServerName: "alpha.example.org"}, "alpha.example.org"},
		{"TLS to a plaintext alpha", TLSConfig{CAFile: ca}, "leave dgraphstore.Config.TLS empty"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			start := time.Now()
			addrs := dg.Addrs
			if c.name == "TLS to a plaintext alpha" {
				addrs = []string{testenv.Dgraph(t)} // the shared alpha, plaintext
			}
			s, err := Open(ctx, Config{Addrs: addrs, Prefix: "tlstest", TLS: c.tls, AlterTimeout: 10 * time.Second})
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			if !errors.Is(err, deps.ErrUnavailable) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("Open = %v; want deps.ErrUnavailable saying %q", err, c.want)
			}
			if strings.Contains(err.Error(), strings.TrimSpace(string(keyPEM))[40:80]) {
				t.Errorf("the error shows the client key: %v", err)
			}
			t.Logf("%s fails Open in %v: %v", c.name, time.Since(start).Round(time.Millisecond), err)
		})
	}
}
