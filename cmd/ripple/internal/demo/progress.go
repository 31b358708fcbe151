package demo

import (
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progress shows how many changes the jobs have handled, as a bar that
// clears itself when done, on a terminal only: piped or captured output
// stays free of control characters.
type progress struct{ bar *progressbar.ProgressBar }

func newProgress(out io.Writer, total int, what string) progress {
	f, ok := out.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return progress{}
	}
	return progress{bar: progressbar.NewOptions(total,
		progressbar.OptionSetWriter(f),
		progressbar.OptionSetDescription("  "+what),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString(what),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(50*time.Millisecond),
		progressbar.OptionClearOnFinish())}
}

// Set shows n done.
func (p progress) Set(n int) {
	if p.bar != nil {
		_ = p.bar.Set(n) // drawing errors only; the summary follows anyway
	}
}

func (p progress) Finish() {
	if p.bar != nil {
		_ = p.bar.Finish()
	}
}
