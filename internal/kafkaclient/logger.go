package kafkaclient

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/lovoo/goka"
)

// GokaLogger adapts an slog.Logger to goka's Logger, so goka's messages land
// in the job's structured log (at debug level: goka is chatty about
// rebalances) instead of the process-wide standard logger. A nil logger
// discards everything.
func GokaLogger(l *slog.Logger) goka.Logger {
	if l == nil {
		l = slog.New(slog.DiscardHandler)
	}
	return gokaLogger{l: l.With("component", "goka")}
}

type gokaLogger struct{ l *slog.Logger }

func (g gokaLogger) Print(v ...any)   { g.log(fmt.Sprint(v...)) }
func (g gokaLogger) Println(v ...any) { g.log(fmt.Sprintln(v...)) }
func (g gokaLogger) Printf(format string, v ...any) {
	g.log(fmt.Sprintf(format, v...))
}

func (g gokaLogger) log(msg string) { g.l.Log(context.Background(), slog.LevelDebug, msg) }
