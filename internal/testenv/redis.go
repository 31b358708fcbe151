package testenv

import (
	"strconv"
	"testing"
)

// PrivateRedis is a Redis server of one test's own, started by the
// project's script (deploy/local/redis) on a free port, so that the test
// can stop and restart it without touching the shared one.
type PrivateRedis struct {
	privateServer
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
	s := startPrivateServer(t, "redis", "RIPPLE_REDIS_PORT")
	return &PrivateRedis{privateServer: s, Addr: "127.0.0.1:" + strconv.Itoa(s.port)}
}
