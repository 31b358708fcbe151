package testenv

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// privateServer is a server of one test's own, started by one of the
// project's scripts (deploy/local/NAME up, down, clean) on a free port
// given in the script's port variable, so that the test can stop and
// restart it without touching the shared one.
type privateServer struct {
	t       testing.TB
	name    string // the script, deploy/local/<name>
	portEnv string // the script's port variable
	port    int
	root    string
}

// startPrivateServer starts the server of the script name on a free port
// of 127.0.0.1 with no data, and stops it and deletes its data when the
// test ends.
func startPrivateServer(t testing.TB, name, portEnv string) privateServer {
	t.Helper()
	s := privateServer{t: t, name: name, portEnv: portEnv, port: FreePort(t), root: RepoRoot(t)}
	_, _ = s.script("clean") // leftovers of an interrupted run
	t.Cleanup(func() { _, _ = s.script("clean") })
	s.Up()
	return s
}

// Up starts the server with `up`: on the data a Stop kept, or with no
// data after Clean.
func (s privateServer) Up() { s.t.Helper(); s.must("up") }

// Stop stops the server, keeping its data: an outage.
func (s privateServer) Stop() { s.t.Helper(); s.must("down") }

// Clean stops the server and deletes its data.
func (s privateServer) Clean() { s.t.Helper(); s.must("clean") }

func (s privateServer) must(verb string) {
	s.t.Helper()
	if out, err := s.script(verb); err != nil {
		s.t.Fatalf("deploy/local/%s %s on port %d: %v\n%s", s.name, verb, s.port, err, out)
	}
}

func (s privateServer) script(verb string) ([]byte, error) {
	cmd := exec.Command(filepath.Join(s.root, "deploy", "local", s.name), verb)
	cmd.Env = append(os.Environ(), s.portEnv+"="+strconv.Itoa(s.port))
	return cmd.CombinedOutput()
}

// PrivatePostgres is a PostgreSQL server of one test's own, started by the
// project's script (deploy/local/postgres) on a free port, so that the
// test can stop and restart it without touching the shared one.
type PrivatePostgres struct {
	privateServer
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
	s := startPrivateServer(t, "postgres", "RIPPLE_POSTGRES_PORT")
	return &PrivatePostgres{privateServer: s,
		URL: "postgres://ripple@127.0.0.1:" + strconv.Itoa(s.port) + "/ripple?sslmode=disable"}
}

// Start starts the stopped server on its data again.
func (p *PrivatePostgres) Start() { p.t.Helper(); p.must("start") }

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
