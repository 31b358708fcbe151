//go:build unix

package pebblestore

import (
	"errors"
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// isLockConflict reports whether err is fcntl refusing a lock another
// process holds.
func isLockConflict(err error) bool {
	return errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EACCES)
}

// lockHolder returns the process that holds a write lock on the file, or
// 0. It asks the kernel (F_GETLK), as Pebble locks with fcntl.
func lockHolder(path string) int {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	lk := unix.Flock_t{Type: unix.F_WRLCK, Whence: io.SeekStart}
	if err := unix.FcntlFlock(f.Fd(), unix.F_GETLK, &lk); err != nil || lk.Type == unix.F_UNLCK {
		return 0
	}
	return int(lk.Pid)
}
