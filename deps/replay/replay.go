// Package replay applies a stream of dependency-tracking input events (JSON
// lines: ripple/page/dependencies, mediawiki/page/change and
// ripple/entity/change, mixed, in order) to a deps.Store through the
// propagation engine, and writes every output event as a JSON line. It is
// what `ripple deps replay` runs, and the way to test propagation without
// Kafka.
package replay

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/ripplestream/ripple/deps"
	"github.com/ripplestream/ripple/deps/propagate"
	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/internal/linereader"
)

// Config tunes a replay.
type Config struct {
	// Engine tunes the propagation engine.
	Engine propagate.Config
	// Window is W for the coalescing rules the changeprop job applies
	// (see propagate.Coalesced), by the input's event time: a URI's first
	// purge is written at once, those within W after it are merged into
	// one written when W has passed (or the input ends), after every
	// change it covers; a purge that one written after its change covers
	// is dropped. 0: only the dropping. Negative: every purge is written.
	Window time.Duration
	// MaxOpen caps the URIs held by the window (default
	// propagate.DefaultMaxOpen); beyond it purges are written early.
	MaxOpen int
	// Sites is the site table purge URIs are built from. Default
	// propagate.WikimediaSites(). An input line on a wiki it lacks is a
	// bad line.
	Sites propagate.Sites
	// MobilePurges also writes a purge of each page's mobile URL, for
	// wikis with a mobile site.
	MobilePurges bool
	// Rerender also writes page_rerender events.
	Rerender bool
	// Progress, if set, is called after every input line.
	Progress func(Summary)
	// LoadOnly applies dependency sets and skips (counts) changes: it
	// loads a graph without emitting anything.
	LoadOnly bool
	// Batch is the most consecutive dependency sets stored with one
	// deps.PutPages call (default DefaultBatch; 1 stores each set alone).
	// The sets before a change are stored before it is applied, so the
	// output is that of a replay line by line; after a fatal error, up to
	// Batch sets before the failing line may not be stored (replaying
	// them again is harmless).
	Batch int
	// Observe, if set, sees every purge a change yields, before
	// coalescing, with the number of the input line. Scorers use it to
	// compare against an oracle.
	Observe func(line int, p propagate.Purge, uri string)
	// Emitted, if set, sees every purge written and the input's event
	// time when it was written (never before a change it covers).
	Emitted func(rc propagate.ResourceChange, at time.Time)
}

// Summary counts what a replay did.
type Summary struct {
	Lines, Dependencies, PageChanges, EntityChanges int
	Bad, Skipped                                    int
	Purges, Coalesced, Rerenders                    int
	// Early counts purges the window wrote before their time to stay
	// within MaxOpen.
	Early int
}

func (s Summary) String() string {
	early := ""
	if s.Early > 0 {
		early = fmt.Sprintf(", %d written early at the window's cap", s.Early)
	}
	return fmt.Sprintf("%d lines: %d dependency sets, %d page changes, %d entity changes, %d bad, %d skipped; "+
		"%d purges emitted (%d coalesced away%s), %d re-renders",
		s.Lines, s.Dependencies, s.PageChanges, s.EntityChanges, s.Bad, s.Skipped, s.Purges, s.Coalesced, early, s.Rerenders)
}

// MaxLine is the longest input line Run reads; a longer one is a bad line.
const MaxLine = linereader.DefaultMax

// Run replays the JSON lines of in against store, writing output events to
// out and one message per bad line (with its line number) to errs. Bad
// lines are skipped and counted; Run fails only when it cannot go on (a
// store error, or writing output failed).
func Run(ctx context.Context, store deps.Store, in io.Reader, out, errs io.Writer, cfg Config) (Summary, error) {
	engine, err := propagate.New(store, cfg.Engine)
	if err != nil {
		return Summary{}, err
	}
	if cfg.Batch <= 0 {
		cfg.Batch = DefaultBatch
	}
	if cfg.Sites == nil {
		cfg.Sites = propagate.WikimediaSites()
	}
	if err := cfg.Sites.Validate(); err != nil {
		return Summary{}, fmt.Errorf("replay: Config.Sites: %w", err)
	}
	r := &replayer{ctx: ctx, engine: engine, cfg: cfg, out: bufio.NewWriter(out),
		targets: propagate.Targets{Sites: cfg.Sites, Mobile: cfg.MobilePurges}}
	r.batch = &depsBatch{ctx: ctx, store: store, max: cfg.Batch, errs: errs, sum: &r.sum}
	if r.output, err = newOutput(cfg, json.NewEncoder(r.out), &r.sum); err != nil {
		return Summary{}, err
	}
	lines := linereader.New(in, MaxLine)
	for {
		if err := ctx.Err(); err != nil {
			return r.sum, r.finish(err)
		}
		b, num, err := lines.Next()
		if err == io.EOF {
			break
		}
		var tooLong *linereader.TooLongError
		if err != nil && !errors.As(err, &tooLong) {
			// The dependency sets read before it are stored.
			return r.sum, r.finish(errors.Join(fmt.Errorf("reading input after line %d: %w", num, err), r.batch.flush()))
		}
		r.sum.Lines = num
		if err == nil {
			b = bytes.TrimSpace(b)
			if len(b) == 0 {
				continue
			}
			err = r.line(b)
		}
		if err != nil {
			var bad badLine
			switch {
			case errors.As(err, &bad):
				err = bad.err
			case tooLong == nil:
				return r.sum, r.finish(fmt.Errorf("line %d: %w", r.sum.Lines, err))
			}
			r.sum.Bad++
			fmt.Fprintf(errs, "line %d: %v (skipped)\n", r.sum.Lines, err)
			continue
		}
		if cfg.Progress != nil {
			cfg.Progress(r.sum)
		}
	}
	return r.sum, r.finish(r.batch.flush())
}

// finish writes the purges the window still holds, even when the replay
// stops on an error (their changes were applied), and flushes the output.
func (r *replayer) finish(err error) error {
	if ferr := r.output.flush(); err == nil {
		err = ferr
	}
	if ferr := r.out.Flush(); err == nil {
		err = ferr
	}
	return err
}

// badLine marks an input line that cannot be routed: skipped, not fatal.
type badLine struct{ err error }

func (b badLine) Error() string { return b.err.Error() }

type replayer struct {
	ctx     context.Context
	engine  *propagate.Engine
	cfg     Config
	targets propagate.Targets
	output  *output
	out     *bufio.Writer
	sum     Summary
	batch   *depsBatch // dependency sets not yet stored
}

func (r *replayer) line(b []byte) error {
	env, err := event.PeekEnvelope(b)
	if err != nil {
		return badLine{err}
	}
	at := env.DT
	if at.IsZero() {
		at = env.Meta.DT
	}
	if err := r.output.advance(at); err != nil {
		return err
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
		// A page whose purges cannot be built is not stored.
		if _, err := r.cfg.Sites.Site(ev.WikiID); err != nil {
			return badLine{err}
		}
		// Stored in batches, straight into the store, as
		// Engine.ApplyDependencies would store each.
		return r.batch.add(r.sum.Lines, ev.PageDeps())
	case "mediawiki/page/change":
		ev, err := event.JSON[propagate.PageChangeEvent]{}.Decode(b)
		if err != nil {
			return badLine{err}
		}
		if change, err = propagate.FromPageChange(ev); err != nil {
			return badLine{err}
		}
		if _, err := r.cfg.Sites.Site(change.Wiki); err != nil {
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
	if err := r.batch.flush(); err != nil {
		return err
	}
	return r.propagate(change, at)
}

func (r *replayer) propagate(c propagate.Change, at time.Time) error {
	now, f, err := r.engine.Begin(r.ctx, c)
	if err != nil {
		return storeOrBad(err)
	}
	emit := func(p propagate.Purge) error {
		rcs, rr, err := f.Events(p, r.targets, time.Now().UTC())
		if err != nil {
			return badLine{err}
		}
		for i, rc := range rcs {
			if i > 0 {
				rr = nil // one re-render per page, with its canonical URL
			}
			if err := r.output.purge(r.sum.Lines, p, rc, rr, at); err != nil {
				return err
			}
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
