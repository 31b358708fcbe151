package filter

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// Filter holds the current Matcher behind an atomic pointer, so a pattern
// list can be replaced (Reload, Watch) while events are being matched: each
// event is matched against one list, the old or the new.
type Filter struct {
	cfg     Config
	matcher atomic.Pointer[Matcher]
	reloads atomic.Int64
	failed  atomic.Int64
	mu      struct {
		sync.Mutex
		fileSum [sha256.Size]byte // of the pattern file loaded last
	}
}

// New returns a Filter for cfg, compiling cfg.Patterns or reading
// cfg.PatternsFile.
func New(cfg Config) (*Filter, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	f := &Filter{cfg: cfg}
	if cfg.PatternsFile != "" {
		if _, err := f.ReloadFile(); err != nil {
			return nil, err
		}
		return f, nil
	}
	if err := f.Reload(cfg.Patterns); err != nil {
		return nil, err
	}
	return f, nil
}

// Matcher returns the current Matcher.
func (f *Filter) Matcher() *Matcher { return f.matcher.Load() }

// Reload compiles patterns and makes them current. On error the current
// list stays.
func (f *Filter) Reload(patterns []Pattern) error {
	m, err := Compile(patterns, f.cfg.Options)
	if err != nil {
		f.failed.Add(1)
		return err
	}
	f.matcher.Store(m)
	f.reloads.Add(1)
	return nil
}

// ReloadFile reads cfg.PatternsFile and makes it current if its content
// changed since it was last loaded; it reports whether it did. On error the
// current list stays.
func (f *Filter) ReloadFile() (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.reloadFileLocked()
}

func (f *Filter) reloadFileLocked() (bool, error) {
	b, err := readBounded(f.cfg.PatternsFile, f.cfg.MaxFileBytes)
	if err != nil {
		f.failed.Add(1)
		return false, err
	}
	sum := sha256.Sum256(b)
	if f.matcher.Load() != nil && sum == f.mu.fileSum {
		return false, nil
	}
	ps, err := ParsePatterns(bytes.NewReader(b))
	if err != nil {
		f.failed.Add(1)
		return false, fmt.Errorf("%s: %w", f.cfg.PatternsFile, err)
	}
	if err := f.Reload(ps); err != nil {
		return false, fmt.Errorf("%s: %w", f.cfg.PatternsFile, err)
	}
	f.mu.fileSum = sum
	return true, nil
}

// readBounded reads at most limit bytes of path, failing if it is longer.
func readBounded(path string, limit int) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("filter: pattern file: %w", err)
	}
	defer fh.Close()
	b, err := io.ReadAll(io.LimitReader(fh, int64(limit)+1))
	if err != nil {
		return nil, fmt.Errorf("filter: pattern file %s: %w", path, err)
	}
	if len(b) > limit {
		return nil, fmt.Errorf("%w: pattern file %s is larger than MaxFileBytes (%d)", ErrBadPatterns, path, limit)
	}
	return b, nil
}

// Watch re-reads cfg.PatternsFile every cfg.PollInterval and reloads it
// when its content changed, until ctx is done; then it returns nil. A file
// that is missing or does not compile is logged and counted (Stats), and
// the current list stays. Run it in a goroutine you wait for.
func (f *Filter) Watch(ctx context.Context) error {
	if f.cfg.PatternsFile == "" {
		return fmt.Errorf("%w: Watch needs PatternsFile", ErrInvalidConfig)
	}
	tick := time.NewTicker(f.cfg.PollInterval)
	defer tick.Stop()
	var lastMod time.Time
	var lastSize int64 = -1
	missing := false // said once per time the file goes missing
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		// Stat first: reading and hashing happen only when the file looks
		// changed, so an idle watch costs one stat per interval.
		fi, err := os.Stat(f.cfg.PatternsFile)
		if err != nil {
			if !missing {
				f.cfg.Logger.Warn("filter: pattern file unreadable; keeping the current patterns", "file", f.cfg.PatternsFile, "err", err)
				f.failed.Add(1)
				missing = true
			}
			lastSize = -1
			continue
		}
		missing = false
		// A file rewritten within the file system's timestamp granularity
		// keeps its mtime: while the mtime is recent, compare content.
		racy := time.Since(fi.ModTime()) < 2*time.Second
		if fi.ModTime().Equal(lastMod) && fi.Size() == lastSize && !racy {
			continue
		}
		changed, err := f.ReloadFile()
		if err != nil {
			f.cfg.Logger.Warn("filter: pattern file not reloaded; keeping the current patterns", "file", f.cfg.PatternsFile, "err", err)
			continue
		}
		lastMod, lastSize = fi.ModTime(), fi.Size()
		if changed {
			f.cfg.Logger.Info("filter: patterns reloaded", "file", f.cfg.PatternsFile, "patterns", f.Matcher().Len())
		}
	}
}

// Stats counts reloads, for metrics.
type Stats struct {
	// Reloads counts the pattern lists made current, the first included.
	Reloads int64
	// Failed counts reloads refused (an unreadable file, a bad pattern)
	// and, under Watch, each time the file goes missing.
	Failed int64
	// Patterns is the length of the current list.
	Patterns int
}

// Stats returns the Filter's counts.
func (f *Filter) Stats() Stats {
	return Stats{Reloads: f.reloads.Load(), Failed: f.failed.Load(), Patterns: f.Matcher().Len()}
}
