// Package replay applies a stream of dependency-tracking input events (JSON
// lines: ripple/page/dependencies, mediawiki/page/change and
// ripple/entity/change, mixed, in order) to a deps.Store through the
// propagation engine, and writes every output event as a JSON line. It is
// what `ripple deps replay` runs, and the way to test propagation without
// Kafka.
package replay

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ripplestream/ripple/deps"
	"github.com/ripplestream/ripple/deps/propagate"
	"github.com/ripplestream/ripple/event"
)

// Config tunes a replay.
type Config struct {
	// Engine tunes the propagation engine.
	Engine propagate.Config
	// Window is how long the coalescer remembers a purged URI (default 1
	// hour of event time; negative disables coalescing). See
	// propagate.Coalescer: a purge is dropped only when one already emitted
	// covers its change.
	Window time.Duration
	// Domains maps wikis to domains for purge URIs (see propagate.Domains).
	Domains propagate.Domains
	// Rerender also writes page_rerender events.
	Rerender bool
	// Progress, if set, is called after every input line.
	Progress func(Summary)
	// LoadOnly applies dependency sets and skips (counts) changes: it
	// loads a graph without emitting anything.
	LoadOnly bool
	// Observe, if set, sees every purge a change yields (before
	// coalescing: admitted says whether it was emitted), with the number
	// of the input line. Scorers use it to compare against an oracle.
	Observe func(line int, p propagate.Purge, uri string, admitted bool)
}

// Summary counts what a replay did.
type Summary struct {
	Lines, Dependencies, PageChanges, EntityChanges int
	Bad, Skipped                                    int
	Purges, Coalesced, Rerenders                    int
}

func (s Summary) String() string {
	return fmt.Sprintf("%d lines: %d dependency sets, %d page changes, %d entity changes, %d bad, %d skipped; "+
		"%d purges emitted (%d coalesced away), %d re-renders",
		s.Lines, s.Dependencies, s.PageChanges, s.EntityChanges, s.Bad, s.Skipped, s.Purges, s.Coalesced, s.Rerenders)
}

// Run replays the JSON lines of in against store, writing output events to
// out and one message per bad line (with its line number) to errs. Bad
// lines are skipped and counted; Run fails only when it cannot go on (a
// store error, or writing output failed).
func Run(ctx context.Context, store deps.Store, in io.Reader, out, errs io.Writer, cfg Config) (Summary, error) {
	if cfg.Window == 0 {
		cfg.Window = time.Hour
	}
	engine, err := propagate.New(store, cfg.Engine)
	if err != nil {
		return Summary{}, err
	}
	r := &replayer{ctx: ctx, engine: engine, cfg: cfg, coalesce: propagate.NewCoalescer(cfg.Window),
		out: bufio.NewWriter(out), enc: nil}
	r.enc = json.NewEncoder(r.out)
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		if err := ctx.Err(); err != nil {
			return r.sum, err
		}
		r.sum.Lines++
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		if err := r.line([]byte(line)); err != nil {
			var bad badLine
			if errors.As(err, &bad) {
				r.sum.Bad++
				fmt.Fprintf(errs, "line %d: %v (skipped)\n", r.sum.Lines, bad.err)
				continue
			}
			return r.sum, fmt.Errorf("line %d: %w", r.sum.Lines, err)
		}
		if cfg.Progress != nil {
			cfg.Progress(r.sum)
		}
	}
	if err := sc.Err(); err != nil {
		return r.sum, fmt.Errorf("reading input after line %d: %w", r.sum.Lines, err)
	}
	return r.sum, r.out.Flush()
}

// badLine marks an input line that cannot be routed: skipped, not fatal.
type badLine struct{ err error }

func (b badLine) Error() string { return b.err.Error() }

type replayer struct {
	ctx      context.Context
	engine   *propagate.Engine
	cfg      Config
	coalesce *propagate.Coalescer
	out      *bufio.Writer
	enc      *json.Encoder
	sum      Summary
}

func (r *replayer) line(b []byte) error {
	env, err := event.PeekEnvelope(b)
	if err != nil {
		return badLine{err}
	}
	var change propagate.Change
	title := env.SchemaTitle()
	if r.cfg.LoadOnly && title != "ripple/page/dependencies" {
		r.sum.Skipped++
		return nil
	}
	switch title {
	case "ripple/page/dependencies":
		ev, err := event.JSON[deps.PageDependencies]{}.Decode(b)
		if err != nil {
			return badLine{err}
		}
		if _, err := r.engine.ApplyDependencies(r.ctx, ev.PageDeps()); err != nil {
			return storeOrBad(err)
		}
		r.sum.Dependencies++
		return nil
	case "mediawiki/page/change":
		ev, err := event.JSON[propagate.PageChangeEvent]{}.Decode(b)
		if err != nil {
			return badLine{err}
		}
		if change, err = propagate.FromPageChange(ev); err != nil {
			return badLine{err}
		}
		r.sum.PageChanges++
	case "ripple/entity/change":
		ev, err := event.JSON[deps.EntityChange]{}.Decode(b)
		if err != nil {
			return badLine{err}
		}
		if change, err = propagate.FromEntityChange(ev); err != nil {
			return badLine{err}
		}
		r.sum.EntityChanges++
	default:
		return badLine{fmt.Errorf("$schema %q is not an input of dependency tracking "+
			"(want /ripple/page/dependencies/*, /mediawiki/page/change/* or /ripple/entity/change/*)", env.Schema)}
	}
	return r.propagate(change, env.DT)
}

func (r *replayer) propagate(c propagate.Change, at time.Time) error {
	now, f, err := r.engine.Begin(r.ctx, c)
	if err != nil {
		return storeOrBad(err)
	}
	emit := func(p propagate.Purge) error {
		rc, rr, err := f.Events(p, r.cfg.Domains, c.Wiki, time.Now().UTC())
		if err != nil {
			return badLine{err}
		}
		// Replays have no processing time of their own: the input's
		// event time is the clock purges are emitted at.
		admitted := r.coalesce.Admit(rc.Meta.URI, f.Root.DT, at)
		if r.cfg.Observe != nil {
			r.cfg.Observe(r.sum.Lines, p, rc.Meta.URI, admitted)
		}
		if !admitted {
			r.sum.Coalesced++
			return nil
		}
		r.sum.Purges++
		if err := r.enc.Encode(rc); err != nil {
			return err
		}
		if r.cfg.Rerender && rr != nil {
			r.sum.Rerenders++
			return r.enc.Encode(rr)
		}
		return nil
	}
	for _, p := range now {
		if err := emit(p); err != nil {
			return err
		}
	}
	return r.engine.Run(r.ctx, f, emit)
}

// storeOrBad keeps invalid input a bad line and anything else fatal.
func storeOrBad(err error) error {
	if errors.Is(err, deps.ErrInvalid) || errors.Is(err, propagate.ErrBadChange) {
		return badLine{err}
	}
	return err
}
