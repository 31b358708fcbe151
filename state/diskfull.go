package state

import (
	"errors"
	"fmt"
	"syscall"

	"github.com/cockroachdb/errors/oserror"
	"github.com/cockroachdb/pebble/v2/vfs"
)

// A full disk. Pebble cannot fail a write cleanly when its disk fills: a
// flush that fails leaves writes waiting in its write stall until space
// comes back, and a WAL write that fails panics in the committing
// goroutine (see DB.commitWrite and DB.rotateWAL in pebble v2.1.7). So a
// Store keeps a ballast file of Config.BallastBytes in its directory and
// watches its filesystem (vfs.OnDiskFull): on the first ENOSPC it removes
// the ballast, so that the writes Pebble has under way (a WAL block, the
// flush of a memtable) complete in the space freed, and it fails every
// later write with a DiskFullError instead of handing it to Pebble. The
// state on disk stays whole, at the last offset stored; a job stops with
// the error, and once space is back the store opens again and lays a new
// ballast.

// ballastName is the ballast file in a store's directory. Pebble ignores
// files it did not name.
const ballastName = "RIPPLE-BALLAST"

// ErrDiskFull is matched by the DiskFullError every write of a Store
// returns once its disk filled.
var ErrDiskFull = errors.New("state: disk full")

// DiskFullError says that the disk under a store's directory is full. It
// matches ErrDiskFull. It does not unwrap to syscall.ENOSPC, which its
// text names: a syscall.Errno is a net.Error, and code that retries
// network errors must not retry a full disk.
type DiskFullError struct {
	// Dir is the store's directory.
	Dir string
	// Op is what the store was doing: "write" (refused once the disk
	// filled), "close" (on a full disk), or "open" (no room for the
	// ballast).
	Op string
}

func (e *DiskFullError) Error() string {
	switch e.Op {
	case "close":
		return fmt.Sprintf("state: close %s: the disk is full (ENOSPC: no space left on device); "+
			"writes the store had not stored are dropped, and the changelog replays them", e.Dir)
	case "open":
		return fmt.Sprintf("state: open %s: the disk is full (ENOSPC: no space left on device): "+
			"free space on it, or give the job a state directory on a larger disk, then start the job again", e.Dir)
	}
	return fmt.Sprintf("state: %s %s: the disk is full (ENOSPC: no space left on device); "+
		"the store takes no more writes, so that its state stays whole at the last offset it stored: "+
		"free space on that disk, or give the job a state directory on a larger one, then start the job again: "+
		"the state reopens at that offset and the changelog replays the rest", e.Op, e.Dir)
}

// Unwrap returns ErrDiskFull.
func (e *DiskFullError) Unwrap() error { return ErrDiskFull }

// watchDisk returns fs wrapped so that an ENOSPC from it stops the store's
// writes and removes the ballast from fs.
func (s *Store) watchDisk(fs vfs.FS) vfs.FS {
	return vfs.OnDiskFull(fs, func() {
		// Runs on the goroutine whose write failed (Pebble's WAL flusher,
		// a flush, a commit) while every other write to fs waits: it must
		// not take s.mu, which a commit waiting on that write may hold.
		first := s.full.CompareAndSwap(false, true)
		s.removeBallast()
		if first {
			s.log.Error("the disk is full; the store takes no more writes", "err", syscall.ENOSPC,
				"ballast_bytes_freed", s.cfg.BallastBytes)
		}
	})
}

// diskFull returns a DiskFullError once the disk filled.
func (s *Store) diskFull(op string) error {
	if s.full.Load() {
		return &DiskFullError{Dir: s.cfg.Dir, Op: op}
	}
	return nil
}

// layBallast makes sure the ballast file exists at its full size, creating
// the store's directory if need be. A disk too full for it fails the open.
func (s *Store) layBallast() error {
	if s.cfg.BallastBytes < 0 {
		return nil
	}
	fs, path := s.disk, s.disk.PathJoin(s.cfg.Dir, ballastName)
	if fi, err := fs.Stat(path); err == nil && fi.Size() == s.cfg.BallastBytes {
		return nil
	}
	err := func() error {
		if err := fs.MkdirAll(s.cfg.Dir, 0o755); err != nil {
			return err
		}
		f, err := fs.Create(path, vfs.WriteCategoryUnspecified)
		if err != nil {
			return err
		}
		// Written, not only preallocated: a filesystem that cannot
		// preallocate (or a sparse file) would reserve nothing.
		buf := make([]byte, min(s.cfg.BallastBytes, 1<<20))
		for n := int64(0); n < s.cfg.BallastBytes; n += int64(len(buf)) {
			if _, err := f.Write(buf[:min(int64(len(buf)), s.cfg.BallastBytes-n)]); err != nil {
				return errors.Join(err, f.Close())
			}
		}
		return errors.Join(f.Sync(), f.Close())
	}()
	if err == nil {
		return nil
	}
	_ = fs.Remove(path)
	if errors.Is(err, syscall.ENOSPC) {
		return &DiskFullError{Dir: s.cfg.Dir, Op: "open"}
	}
	return fmt.Errorf("state: open %s: lay the ballast file: %w", s.cfg.Dir, err)
}

// removeBallast frees the ballast's space. It is called with every other
// write to the store's filesystem waiting, so it writes nothing itself.
func (s *Store) removeBallast() {
	if s.cfg.BallastBytes < 0 {
		return
	}
	if err := s.disk.Remove(s.disk.PathJoin(s.cfg.Dir, ballastName)); err != nil && !oserror.IsNotExist(err) {
		s.log.Warn("removing the ballast file", "err", err)
	}
}
