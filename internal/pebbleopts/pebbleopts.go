// Package pebbleopts holds the Pebble settings ripple's two Pebble users
// (state and deps/pebblestore) share: the slog adapter for Pebble's logger
// and bloom filters on every level.
package pebbleopts

import (
	"fmt"
	"log/slog"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/bloom"
)

// Logger adapts l to pebble.Logger. Pebble's Infof lines (WAL replay, file
// deletions) go to Debug: a process may hold one store per partition and
// they would drown everything else at Info. owner prefixes the panic of
// Fatalf, which Pebble calls on invariant violations and does not expect to
// return.
func Logger(l *slog.Logger, owner string) pebble.Logger {
	return logger{l: l, owner: owner}
}

type logger struct {
	l     *slog.Logger
	owner string
}

func (p logger) Infof(format string, args ...any) {
	p.l.Debug(fmt.Sprintf(format, args...), "component", "pebble")
}

func (p logger) Errorf(format string, args ...any) {
	p.l.Error(fmt.Sprintf(format, args...), "component", "pebble")
}

func (p logger) Fatalf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	p.l.Error(msg, "component", "pebble")
	panic(p.owner + ": pebble fatal: " + msg)
}

// Bloom puts a bloom filter of bitsPerKey on every level's tables, so point
// reads of missing keys skip the disk.
func Bloom(o *pebble.Options, bitsPerKey int) {
	for i := range o.Levels {
		o.Levels[i].FilterPolicy = bloom.FilterPolicy(bitsPerKey)
		o.Levels[i].FilterType = pebble.TableFilter
	}
}
