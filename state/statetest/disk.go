package statetest

import (
	"os"
	"sync"
	"syscall"

	"github.com/cockroachdb/pebble/v2/vfs"
)

// Disk is a vfs.FS (over another, such as vfs.NewMem) that can fill up
// the way a real disk does: after Fill, a write to a file fails with
// ENOSPC unless files removed since have freed room for it; after Free
// there is room again. It counts the bytes written to each file, so that
// removing one frees what it holds (a store's ballast, say).
type Disk struct {
	vfs.FS
	mu struct {
		sync.Mutex
		full  bool
		room  int64 // while full: bytes freed since Fill and not written again
		sizes map[string]int64
		fills int // writes refused
	}
}

// NewDisk returns fs as a Disk with room.
func NewDisk(fs vfs.FS) *Disk {
	d := &Disk{FS: fs}
	d.mu.sizes = map[string]int64{}
	return d
}

// Fill takes the disk's room away.
func (d *Disk) Fill() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.mu.full, d.mu.room = true, 0
}

// Free gives the disk room again.
func (d *Disk) Free() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.mu.full = false
}

// Refused returns how many writes failed for want of room.
func (d *Disk) Refused() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.mu.fills
}

// take accounts for n bytes written to name, or fails as a full disk does.
func (d *Disk) take(name string, n int) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.mu.full {
		if int64(n) > d.mu.room {
			d.mu.fills++
			return &os.PathError{Op: "write", Path: name, Err: syscall.ENOSPC}
		}
		d.mu.room -= int64(n)
	}
	d.mu.sizes[name] += int64(n)
	return nil
}

// release frees what name holds.
func (d *Disk) release(name string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.mu.full {
		d.mu.room += d.mu.sizes[name]
	}
	delete(d.mu.sizes, name)
}

func (d *Disk) rename(from, to string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.mu.full {
		d.mu.room += d.mu.sizes[to]
	}
	d.mu.sizes[to] = d.mu.sizes[from]
	delete(d.mu.sizes, from)
}

func (d *Disk) wrap(name string, f vfs.File, err error) (vfs.File, error) {
	if err != nil {
		return nil, err
	}
	return &diskFile{File: f, d: d, name: name}, nil
}

// Create implements vfs.FS; it empties an existing file.
func (d *Disk) Create(name string, c vfs.DiskWriteCategory) (vfs.File, error) {
	f, err := d.FS.Create(name, c)
	if err == nil {
		d.release(name)
	}
	return d.wrap(name, f, err)
}

// OpenReadWrite implements vfs.FS.
func (d *Disk) OpenReadWrite(name string, c vfs.DiskWriteCategory, opts ...vfs.OpenOption) (vfs.File, error) {
	f, err := d.FS.OpenReadWrite(name, c, opts...)
	return d.wrap(name, f, err)
}

// ReuseForWrite implements vfs.FS.
func (d *Disk) ReuseForWrite(from, to string, c vfs.DiskWriteCategory) (vfs.File, error) {
	f, err := d.FS.ReuseForWrite(from, to, c)
	if err == nil {
		d.rename(from, to)
	}
	return d.wrap(to, f, err)
}

// Remove implements vfs.FS.
func (d *Disk) Remove(name string) error {
	err := d.FS.Remove(name)
	if err == nil {
		d.release(name)
	}
	return err
}

// Rename implements vfs.FS.
func (d *Disk) Rename(from, to string) error {
	err := d.FS.Rename(from, to)
	if err == nil {
		d.rename(from, to)
	}
	return err
}

// Unwrap implements vfs.FS.
func (d *Disk) Unwrap() vfs.FS { return d.FS }

type diskFile struct {
	vfs.File
	d    *Disk
	name string
}

func (f *diskFile) Write(p []byte) (int, error) {
	if err := f.d.take(f.name, len(p)); err != nil {
		return 0, err
	}
	return f.File.Write(p)
}

func (f *diskFile) WriteAt(p []byte, off int64) (int, error) {
	if err := f.d.take(f.name, len(p)); err != nil {
		return 0, err
	}
	return f.File.WriteAt(p, off)
}
