// Example 0: the job of the repository's README, which shows this file
// whole (a test keeps the two the same). It counts edits per page of
// Wikimedia's page change stream on a broker of your own:
// `go run ./examples/0-readme 127.0.0.1:19092`.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/processor"
)

// PageChange is the part of a mediawiki.page_change.v1 event this job reads.
type PageChange struct {
	event.Envelope
	WikiID string `json:"wiki_id"`
}

// Counts is the state kept per key (per page).
type Counts struct{ Edits int }

var job = processor.Job[Counts]{
	Name:  "pagestats",
	State: event.JSON[Counts]{},
	Inputs: []processor.Input[Counts]{processor.On("mediawiki.page_change.v1", event.JSON[PageChange]{},
		func(c *processor.Context[Counts], key string, ev PageChange) error {
			st, _, err := c.State()
			if err != nil {
				return err
			}
			st.Edits++
			return c.SetState(st) // Pebble state, changelogged to Kafka
		})},
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: 0-readme BROKER (such as 127.0.0.1:19092)")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	r, err := processor.NewRunner(job, processor.Config{Brokers: []string{os.Args[1]}})
	if err == nil {
		err = r.Run(ctx) // until Ctrl-C; failed events go to retry and error topics
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
