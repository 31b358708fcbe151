//go:build integration

package testenv_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	goredis "github.com/redis/go-redis/v9"

	"github.com/ripplestream/ripple/internal/testenv"
)

// TestPrivatePostgresDownKeepsData checks deploy/local/postgres's verbs on
// a server of the test's own: down then up keeps a table, clean then up
// starts from a fresh cluster that has the database ripple.
func TestPrivatePostgresDownKeepsData(t *testing.T) {
	pg := testenv.StartPrivatePostgres(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	run := func(sql string) error {
		conn, err := pgx.Connect(ctx, pg.URL)
		if err != nil {
			return err
		}
		defer conn.Close(ctx)
		_, err = conn.Exec(ctx, sql)
		return err
	}
	if err := run("CREATE TABLE kept (v text); INSERT INTO kept VALUES ('x')"); err != nil {
		t.Fatal(err)
	}
	pg.Stop()
	pg.Up()
	if err := run("SELECT v FROM kept"); err != nil {
		t.Fatalf("after down and up: %v, want the table kept", err)
	}
	pg.Clean()
	pg.Up()
	if err := run("SELECT v FROM kept"); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("after clean and up: %v, want the table gone", err)
	}
}

// TestPrivateRedisDownKeepsData checks deploy/local/redis's verbs on a
// server of the test's own: down then up keeps a key, clean then up starts
// empty, and a bad RIPPLE_READY_WAIT is refused with its name.
func TestPrivateRedisDownKeepsData(t *testing.T) {
	r := testenv.StartPrivateRedis(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	get := func() (string, error) {
		cl := goredis.NewClient(&goredis.Options{Addr: r.Addr})
		defer cl.Close()
		return cl.Get(ctx, "kept").Result()
	}
	cl := goredis.NewClient(&goredis.Options{Addr: r.Addr})
	if err := cl.Set(ctx, "kept", "x", 0).Err(); err != nil {
		t.Fatal(err)
	}
	cl.Close()
	r.Stop()
	r.Up()
	if v, err := get(); v != "x" || err != nil {
		t.Fatalf("after down and up: %q, %v; want the key kept", v, err)
	}
	r.Clean()
	r.Up()
	if v, err := get(); !errors.Is(err, goredis.Nil) {
		t.Fatalf("after clean and up: %q, %v; want no key", v, err)
	}

	cmd := exec.Command(filepath.Join(testenv.RepoRoot(t), "deploy", "local", "redis"), "up")
	cmd.Env = append(os.Environ(), "RIPPLE_READY_WAIT=soon")
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "RIPPLE_READY_WAIT=soon") {
		t.Errorf("up with RIPPLE_READY_WAIT=soon: %v, want a refusal naming it:\n%s", err, out)
	}
}
