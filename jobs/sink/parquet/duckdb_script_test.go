package parquet

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ripplestream/ripple/internal/testenv"
)

// fakePython is a python3 for deploy/local/duckdb's install: its venv's
// python takes pip install as done, and as a query prints whether the
// install lock is free, which it is unless the query inherited the lock.
const fakePython = `#!/usr/bin/env bash
case $1 in
-m)
	mkdir -p "$3/bin"
	cat >"$3/bin/python" <<'PY'
#!/usr/bin/env bash
[ "$1" = -m ] && exit 0
if flock -n "$RIPPLE_CACHE/duckdb.lock" true; then echo '{"lock":"free"}'; else echo '{"lock":"held"}'; fi
PY
	chmod +x "$3/bin/python"
	;;
esac
exit 0
`

// duckdbScript returns the command deploy/local/duckdb args with a cache of
// the test's own and fakePython first in PATH, so it installs nothing.
func duckdbScript(t *testing.T, ctx context.Context, cache string, args ...string) *exec.Cmd {
	t.Helper()
	bin := t.TempDir()
	if err := os.WriteFile(filepath.Join(bin, "python3"), []byte(fakePython), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, filepath.Join(testenv.RepoRoot(t), "deploy", "local", "duckdb"), args...)
	cmd.Env = append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"), "RIPPLE_CACHE="+cache, "DUCKDB_VERSION=fake")
	// On timeout, kill the script's children too (a flock waiting for
	// the lock), which hold its output open.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// TestDuckDBQueryDoesNotHoldInstallLock checks that a query run right
// after the install that took the lock does not hold it: the exec'd query
// used to inherit the lock's fd, so every other test's install waited for
// the query to end.
func TestDuckDBQueryDoesNotHoldInstallLock(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := duckdbScript(t, ctx, t.TempDir(), "query", t.TempDir(), "SELECT 1").CombinedOutput()
	if err != nil {
		t.Fatalf("deploy/local/duckdb query: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), `{"lock":"free"}`) {
		t.Errorf("the query ran holding the install lock (or did not run):\n%s", out)
	}
}

// TestDuckDBInstallLockWaitIsBounded checks that an install waiting for
// another's lock gives up after RIPPLE_DUCKDB_LOCK_WAIT seconds with a
// reason, instead of hanging as long as the other holds it.
func TestDuckDBInstallLockWaitIsBounded(t *testing.T) {
	cache := t.TempDir()
	f, err := os.Create(filepath.Join(cache, "duckdb.lock"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := duckdbScript(t, ctx, cache, "install")
	cmd.Env = append(cmd.Env, "RIPPLE_DUCKDB_LOCK_WAIT=1")
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("install waited for the held lock past a minute, with RIPPLE_DUCKDB_LOCK_WAIT=1:\n%s", out)
	}
	if err == nil || !strings.Contains(string(out), "waited 1 s for") {
		t.Errorf("install with the lock held elsewhere: %v, want a failure saying it waited 1 s:\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(cache, "duckdb-fake")); err == nil {
		t.Error("install went on without the lock")
	}
}
