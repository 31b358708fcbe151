package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// PrivateRedis is a Redis server of one test's own, started by the
// project's script (deploy/local/redis) on a free port, so that the test
// can stop and restart it without touching the shared one.
type PrivateRedis struct {
	t    testing.TB
	port int
	root string
	// Addr is its host:port.
	Addr string
}

// StartPrivateRedis starts a server on a free port of 127.0.0.1 with no
// data, and stops it and deletes its data when the test ends. It needs the
// shared server (its package is installed), so it runs only where Redis
// does (it fails the test otherwise).
func StartPrivateRedis(t testing.TB) *PrivateRedis {
	t.Helper()
	Redis(t)
	port := FreePort(t)
	r := &PrivateRedis{t: t, port: port, root: RepoRoot(t), Addr: "127.0.0.1:" + strconv.Itoa(port)}
	_, _ = r.script("clean") // leftovers of an interrupted run
	t.Cleanup(func() { _, _ = r.script("clean") })
	r.Up()
	return r
}

// Up starts the server, on the data a Stop kept.
func (r *PrivateRedis) Up() { r.t.Helper(); r.must("up") }

// Stop stops the server, keeping its data.
func (r *PrivateRedis) Stop() { r.t.Helper(); r.must("down") }

// Clean stops the server and deletes its data.
func (r *PrivateRedis) Clean() { r.t.Helper(); r.must("clean") }

func (r *PrivateRedis) must(verb string) {
	r.t.Helper()
	if out, err := r.script(verb); err != nil {
		r.t.Fatalf("deploy/local/redis %s on port %d: %v\n%s", verb, r.port, err, out)
	}
}

func (r *PrivateRedis) script(verb string) ([]byte, error) {
	cmd := exec.Command(filepath.Join(r.root, "deploy", "local", "redis"), verb)
	cmd.Env = append(os.Environ(), "RIPPLE_REDIS_PORT="+strconv.Itoa(r.port))
	return cmd.CombinedOutput()
}
