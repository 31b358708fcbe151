package replay

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/ripplestream/ripple/deps"
)

// DefaultBatch is the default Config.Batch.
const DefaultBatch = 500

// depsBatch collects consecutive dependency sets and stores them with one
// deps.PutPages call, which a networked store (deps.BatchPutter) turns into
// a few transactions instead of one per set. The replay flushes it before
// every change, so that a change sees the graph of every line before it.
type depsBatch struct {
	ctx   context.Context
	store deps.Store
	max   int
	errs  io.Writer
	sum   *Summary
	pages []deps.PageDeps
	lines []int // the input line of each page
}

// add collects p, read from input line line, and flushes a full batch.
func (b *depsBatch) add(line int, p deps.PageDeps) error {
	b.pages = append(b.pages, p)
	b.lines = append(b.lines, line)
	if len(b.pages) >= b.max {
		return b.flush()
	}
	return nil
}

// flush stores the collected sets, in order. A store rejects a whole batch
// when one set is invalid; the sets are then stored one by one, and the
// invalid ones reported as bad lines, as a replay line by line would.
func (b *depsBatch) flush() error {
	if len(b.pages) == 0 {
		return nil
	}
	pages, lines := b.pages, b.lines
	b.pages, b.lines = b.pages[:0], b.lines[:0]
	_, err := deps.PutPages(b.ctx, b.store, pages)
	switch {
	case err == nil:
		b.sum.Dependencies += len(pages)
		return nil
	case !errors.Is(err, deps.ErrInvalid):
		return fmt.Errorf("storing the dependency sets of lines %d to %d: %w", lines[0], lines[len(lines)-1], err)
	}
	for i, p := range pages {
		if _, err := b.store.PutPage(b.ctx, p); err != nil {
			if !errors.Is(err, deps.ErrInvalid) {
				return fmt.Errorf("storing the dependency set of line %d: %w", lines[i], err)
			}
			b.sum.Bad++
			fmt.Fprintf(b.errs, "line %d: %v (skipped)\n", lines[i], err)
			continue
		}
		b.sum.Dependencies++
	}
	return nil
}
