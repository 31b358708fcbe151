package pebblestore

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// LockedError reports a store that another process (or another Open in
// this one) has open: Pebble allows one at a time.
type LockedError struct {
	// Dir is the store's directory.
	Dir string
	// PID is the process that holds it, 0 when unknown.
	PID int
	// Command is that process's command line, when known.
	Command string
	// Err is Pebble's error.
	Err error
}

func (e *LockedError) Error() string {
	who := "another process"
	switch {
	case e.PID == os.Getpid():
		who = "this process (it opened the store twice)"
	case e.PID > 0 && e.Command != "":
		who = fmt.Sprintf("process %d (%s)", e.PID, e.Command)
	case e.PID > 0:
		who = fmt.Sprintf("process %d", e.PID)
	}
	return fmt.Sprintf("pebblestore: %s is in use by %s; stop it or wait for it to finish, or use another directory", e.Dir, who)
}

// Unwrap returns Pebble's error.
func (e *LockedError) Unwrap() error { return e.Err }

// lockedError returns a *LockedError if err is Pebble failing to lock
// dir, and nil otherwise.
func lockedError(dir string, err error) error {
	if strings.Contains(err.Error(), "lock held by current process") {
		return &LockedError{Dir: dir, PID: os.Getpid(), Err: err}
	}
	if !isLockConflict(err) {
		return nil
	}
	e := &LockedError{Dir: dir, Err: err}
	e.PID = lockHolder(filepath.Join(dir, "LOCK"))
	if e.PID > 0 {
		if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", e.PID)); err == nil {
			e.Command = strings.TrimSpace(strings.ReplaceAll(string(b), "\x00", " "))
		}
	}
	return e
}
