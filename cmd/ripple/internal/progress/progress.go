// Package progress shows a long command's progress as a bar when its
// output is a terminal, and nothing otherwise (a pipe, a file, a test's
// buffer): the ripple commands and the demo use it.
package progress

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// Bar is a progress bar. Its methods do nothing on a nil *Bar.
type Bar struct{ bar *progressbar.ProgressBar }

// New returns a progress bar on w of total units, such as "lines" or
// "bytes" (-1: unknown, a spinner with a count), or nil when w is not a
// terminal.
func New(w io.Writer, total int64, what, unit string) *Bar {
	if !Terminal(w) {
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
	return &Bar{bar: progressbar.NewOptions64(total, opts...)}
}

// Set shows n units done.
func (p *Bar) Set(n int64) {
	if p != nil {
		p.bar.Set64(n)
	}
}

// Describe changes the text before the bar.
func (p *Bar) Describe(format string, args ...any) {
	if p != nil {
		p.bar.Describe(fmt.Sprintf(format, args...))
	}
}

// Done clears the bar, so that the summary line that follows stands alone.
func (p *Bar) Done() {
	if p != nil {
		p.bar.Finish()
		p.bar.Clear()
	}
}

// Terminal reports whether w is a terminal, where progress bars go.
func Terminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
