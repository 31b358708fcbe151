// Example 2: a stateful counter. It counts edits per page in Pebble state
// (changelogged to Kafka, so a restart recovers it), emits a milestone event
// on every 10th edit of a page, and reads state back with Runner.Get.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/processor/embedded"
)

// Edit is the event this job reads.
type Edit struct {
	Page string `json:"page"`
	User string `json:"user"`
}

// Counts is the state kept per page.
type Counts struct {
	Edits int            `json:"edits"`
	Users map[string]int `json:"users"`
}

// Milestone is emitted on every 10th edit of a page.
type Milestone struct {
	Page  string `json:"page"`
	Edits int    `json:"edits"`
	Users int    `json:"distinct_users"`
}

const edits processor.Stream = "edits"

var milestones = processor.NewOutput[Milestone]("edit_milestones", event.JSON[Milestone]{})

func countEdit(c *processor.Context[Counts], key string, ev Edit) error {
	st, _, err := c.State()
	if err != nil {
		return err
	}
	if st.Users == nil {
		st.Users = map[string]int{}
	}
	st.Edits++
	st.Users[ev.User]++
	if st.Edits%10 == 0 {
		if err := milestones.Emit(c, key, Milestone{Page: ev.Page, Edits: st.Edits, Users: len(st.Users)}); err != nil {
			return err
		}
	}
	return c.SetState(st)
}

var job = processor.Job[Counts]{
	Name:    "example-counter",
	State:   event.JSON[Counts]{},
	Inputs:  []processor.Input[Counts]{processor.On(edits, event.JSON[Edit]{}, countEdit)},
	Outputs: []processor.Declared{milestones},
}

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(ctx context.Context, out io.Writer) error {
	broker, err := embedded.Start()
	if err != nil {
		return err
	}
	defer broker.Close()
	if err := broker.CreateTopic(string(edits), 4); err != nil {
		return err
	}
	pages := []string{"Alpha", "Beta", "Gamma"}
	var recs []embedded.Record
	for i := range 45 { // Alpha, Beta, Gamma: 15 edits each
		page := pages[i%3]
		recs = append(recs, embedded.Record{Key: page, Value: fmt.Appendf(nil, `{"page":%q,"user":"user%d"}`, page, i%4)})
	}
	if err := broker.Produce(string(edits), recs...); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "ripple-example-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	running, err := processor.Start(ctx, job, processor.Config{Brokers: broker.Addrs(), KafkaVersion: embedded.KafkaVersion, StateDir: dir})
	if err != nil {
		return err
	}
	err = running.WaitFor(ctx, func() (bool, error) {
		got, err := broker.Consume(string(milestones.Stream()))
		if err != nil || len(got) < len(pages) {
			return false, nil
		}
		for _, p := range pages {
			st, _, err := running.Get(p)
			if err != nil {
				return false, err
			}
			fmt.Fprintf(out, "%-6s %d edits by %d users\n", p, st.Edits, len(st.Users))
		}
		fmt.Fprintf(out, "%d milestone events\n", len(got))
		return true, nil
	})
	return errors.Join(err, running.Stop()) // Stop: a clean stop returns nil
}
