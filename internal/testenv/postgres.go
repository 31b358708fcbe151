package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// PrivatePostgres is a PostgreSQL server of one test's own, started by the
// project's script (deploy/local/postgres) on its own port, so that the
// test can stop and restart it without touching the shared one.
type PrivatePostgres struct {
	t    testing.TB
	port int
	root string
	// URL is the connection URL of its database ripple.
	URL string
}

// StartPrivatePostgres starts a server on 127.0.0.1:port with a fresh
// cluster, and stops and deletes it when the test ends. It needs the
// shared server (its package is installed), so it runs only where
// PostgreSQL does (it fails the test otherwise).
func StartPrivatePostgres(t testing.TB, port int) *PrivatePostgres {
	t.Helper()
	Postgres(t)
	p := &PrivatePostgres{t: t, port: port, root: RepoRoot(t),
		URL: "postgres://ripple@127.0.0.1:" + strconv.Itoa(port) + "/ripple?sslmode=disable"}
	_, _ = p.script("down") // leftovers of an interrupted run
	t.Cleanup(func() { _, _ = p.script("down") })
	p.must("up")
	return p
}

// Stop stops the server, keeping its data: an outage.
func (p *PrivatePostgres) Stop() { p.t.Helper(); p.must("stop") }

// Start starts the stopped server on its data again.
func (p *PrivatePostgres) Start() { p.t.Helper(); p.must("start") }

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
