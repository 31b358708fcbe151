// Example 1: a stateless filter. It reads mediawiki page_change events,
// keeps edits of main-namespace (ns 0) pages on enwiki, and emits them to a
// derived stream.
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

// PageChange is the part of a mediawiki/page/change event this job reads.
type PageChange struct {
	event.Envelope
	WikiID string `json:"wiki_id"`
	Kind   string `json:"page_change_kind"`
	Page   struct {
		Title     string `json:"page_title"`
		Namespace int    `json:"namespace_id"`
	} `json:"page"`
}

const changes processor.Stream = "mediawiki.page_change.v1"

var articleEdits = processor.NewOutput[PageChange]("enwiki.article_edits", event.JSON[PageChange]{})

// job is the whole example: no state (the type parameter is unused).
var job = processor.Job[struct{}]{
	Name: "example-filter",
	Inputs: []processor.Input[struct{}]{
		processor.On(changes, event.JSON[PageChange]{},
			func(c *processor.Context[struct{}], key string, ev PageChange) error {
				if ev.WikiID != "enwiki" || ev.Page.Namespace != 0 || ev.Kind != "edit" {
					return nil
				}
				return articleEdits.Emit(c, key, ev)
			}),
	},
	Outputs: []processor.Declared{articleEdits},
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
	if err := broker.CreateTopic(string(changes), 2); err != nil {
		return err
	}
	input := []string{
		`{"$schema":"/mediawiki/page/change/1.2.0","meta":{"stream":"mediawiki.page_change.v1"},"wiki_id":"enwiki","page_change_kind":"edit","page":{"page_title":"Douglas_Adams","namespace_id":0}}`,
		`{"$schema":"/mediawiki/page/change/1.2.0","meta":{"stream":"mediawiki.page_change.v1"},"wiki_id":"enwiki","page_change_kind":"edit","page":{"page_title":"Template:Infobox","namespace_id":10}}`,
		`{"$schema":"/mediawiki/page/change/1.2.0","meta":{"stream":"mediawiki.page_change.v1"},"wiki_id":"dewiki","page_change_kind":"edit","page":{"page_title":"Berlin","namespace_id":0}}`,
		`{"$schema":"/mediawiki/page/change/1.2.0","meta":{"stream":"mediawiki.page_change.v1"},"wiki_id":"enwiki","page_change_kind":"create","page":{"page_title":"New_page","namespace_id":0}}`,
		`{"$schema":"/mediawiki/page/change/1.2.0","meta":{"stream":"mediawiki.page_change.v1"},"wiki_id":"enwiki","page_change_kind":"edit","page":{"page_title":"Towel_Day","namespace_id":0}}`,
	}
	var recs []embedded.Record
	for i, v := range input {
		recs = append(recs, embedded.Record{Key: fmt.Sprint(i), Value: []byte(v)})
	}
	if err := broker.Produce(string(changes), recs...); err != nil {
		return err
	}

	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	running, err := processor.Start(ctx, job, processor.Config{Brokers: broker.Addrs(), KafkaVersion: embedded.KafkaVersion})
	if err != nil {
		return err
	}
	err = running.WaitFor(ctx, func() (bool, error) {
		got, err := broker.Consume(string(articleEdits.Stream()))
		if err != nil || len(got) < 2 {
			return false, nil // not there yet
		}
		fmt.Fprintf(out, "%d of %d events passed the filter:\n", len(got), len(input))
		for _, r := range got {
			ev, err := event.JSON[PageChange]{}.Decode(r.Value)
			if err != nil {
				return false, err
			}
			fmt.Fprintf(out, "  %s %s\n", ev.WikiID, ev.Page.Title)
		}
		return true, nil
	})
	return errors.Join(err, running.Stop()) // Stop: a clean stop returns nil
}
