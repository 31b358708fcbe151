package testenv

import (
	"errors"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// Browser is a headless Chromium a test started with Chromium.
type Browser struct {
	// Out is what Chromium and its script wrote, for failure messages.
	Out *Buffer

	done chan struct{} // closed when the script has exited
	err  error         // how it exited; read once done is closed
}

// Chromium opens page in a headless Chromium, started by the project's
// script (deploy/local/chromium, which installs it on first use), and
// stops it when the test ends.
//
// The script runs in a process group of its own, and the whole group is
// stopped: Chromium forks zygote and renderer processes, which outlive a
// browser killed alone and would pile up on the machine test after test.
// The group gets SIGTERM, then SIGKILL for what is left 10 s later.
func Chromium(t testing.TB, page string) *Browser {
	t.Helper()
	script := filepath.Join(RepoRoot(t), "deploy/local/chromium")
	b := &Browser{Out: &Buffer{}, done: make(chan struct{})}
	cmd := exec.Command(script, page)
	cmd.Stdout, cmd.Stderr = b.Out, b.Out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// A child that left the group would hold the output pipe open and
	// keep Wait from returning.
	cmd.WaitDelay = 10 * time.Second
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", script, err)
	}
	pgid := cmd.Process.Pid // Setpgid: the script leads its group
	go func() {
		b.err = cmd.Wait()
		close(b.done)
	}()
	t.Cleanup(func() {
		_ = syscall.Kill(-pgid, syscall.SIGTERM)
		select {
		case <-b.done:
		case <-time.After(10 * time.Second):
		}
		// Whatever ignored SIGTERM, or was orphaned by a parent that did
		// not pass it on; ESRCH when the group is gone.
		if err := syscall.Kill(-pgid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
			t.Errorf("killing Chromium's process group %d: %v", pgid, err)
		}
		select {
		case <-b.done:
		case <-time.After(60 * time.Second):
			t.Errorf("%s still running 60 s after SIGKILL to its process group %d", script, pgid)
		}
	})
	return b
}

// Exited reports whether Chromium's script has exited, and its error
// (nil when it exited with status 0).
func (b *Browser) Exited() (bool, error) {
	select {
	case <-b.done:
		return true, b.err
	default:
		return false, nil
	}
}
