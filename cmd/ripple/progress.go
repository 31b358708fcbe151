package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progress shows a long command's progress on stderr when stderr is a
// terminal, and nothing otherwise (a pipe, a file, a test's buffer). Its
// methods do nothing on a nil *progress.
type progress struct{ bar *progressbar.ProgressBar }

// newProgress returns a progress bar on w of total units, such as
// "lines" or "bytes" (-1: unknown, a spinner with a count), or nil when w
// is not a terminal.
func newProgress(w io.Writer, total int64, what, unit string) *progress {
	if !terminal(w) {
		return nil
	}
	opts := []progressbar.Option{
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(what),
		progressbar.OptionThrottle(100 * time.Millisecond),
		progressbar.OptionShowCount(),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionSetPredictTime(total > 0),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionFullWidth(),
	}
	if unit == "bytes" {
		opts = append(opts, progressbar.OptionShowBytes(true))
	} else {
		opts = append(opts, progressbar.OptionShowIts(), progressbar.OptionSetItsString(unit))
	}
	return &progress{bar: progressbar.NewOptions64(total, opts...)}
}

// Set shows n units done.
func (p *progress) Set(n int64) {
	if p != nil {
		p.bar.Set64(n)
	}
}

// Describe changes the text before the bar.
func (p *progress) Describe(format string, args ...any) {
	if p != nil {
		p.bar.Describe(fmt.Sprintf(format, args...))
	}
}

// Done clears the bar, so that the summary line that follows stands alone.
func (p *progress) Done() {
	if p != nil {
		p.bar.Finish()
		p.bar.Clear()
	}
}

// terminal reports whether w is a terminal, where progress bars go.
func terminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
