package testenv

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// PrivatePostgres is a PostgreSQL server of one test's own, started by the
// project's script (deploy/local/postgres) on a free port, so that the
// test can stop and restart it without touching the shared one.
type PrivatePostgres struct {
	t    testing.TB
	port int
	root string
	// URL is the connection URL of its database ripple.
	URL string
}

// StartPrivatePostgres starts a server on a free port of 127.0.0.1 with a
// fresh cluster, and stops and deletes it when the test ends. It needs the
// shared server (its package is installed), so it runs only where
// PostgreSQL does (it fails the test otherwise).
func StartPrivatePostgres(t testing.TB) *PrivatePostgres {
	t.Helper()
	Postgres(t)
	port := FreePort(t)
	p := &PrivatePostgres{t: t, port: port, root: RepoRoot(t),
		URL: "postgres://ripple@127.0.0.1:" + strconv.Itoa(port) + "/ripple?sslmode=disable"}
	_, _ = p.script("clean") // leftovers of an interrupted run
	t.Cleanup(func() { _, _ = p.script("clean") })
	p.Up()
	return p
}

// Up starts the server with `up`: on the data a Stop kept, or on a fresh
// cluster after Clean.
func (p *PrivatePostgres) Up() { p.t.Helper(); p.must("up") }

// Stop stops the server, keeping its data: an outage.
func (p *PrivatePostgres) Stop() { p.t.Helper(); p.must("down") }

// Start starts the stopped server on its data again.
func (p *PrivatePostgres) Start() { p.t.Helper(); p.must("start") }

// Clean stops the server and deletes its data.
func (p *PrivatePostgres) Clean() { p.t.Helper(); p.must("clean") }

func (p *PrivatePostgres) must(verb string) {
	p.t.Helper()
	if out, err := p.script(verb); err != nil {
		p.t.Fatalf("deploy/local/postgres %s on port %d: %v\n%s", verb, p.port, err, out)
	}
}

func (p *PrivatePostgres) script(verb string) ([]byte, error) {
	cmd := exec.Command(filepath.Join(p.root, "deploy", "local", "postgres"), verb)
	cmd.Env = append(os.Environ(), "RIPPLE_POSTGRES_PORT="+strconv.Itoa(p.port))
	return cmd.CombinedOutput()
}

// FreePort returns a TCP port of 127.0.0.1 that nothing listens on, for a
// server a test starts: the kernel picks it, so tests that run at once
// never pick the same one.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("finding a free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
