// Example 3: error handling. A handler error never stops a job and never
// loses the event: it is retried (here with a short delay) and, after the
// last retry, written to the job's error topic (<job>.error) with the
// reason. Undecodable input, and errors marked processor.Permanent, go to the
// error topic at once.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"sync"
	"time"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/processor/embedded"
)

// Order is the event this job reads.
type Order struct {
	ID    string `json:"id"`
	Items int    `json:"items"`
}

const orders processor.Stream = "orders"

// flaky fails the first try of each order with a transient error, which a
// retry fixes; orders without items can never succeed.
type flaky struct {
	mu    sync.Mutex
	tries map[string]int
}

func (f *flaky) handle(c *processor.Context[int], key string, o Order) error {
	if o.Items <= 0 {
		return processor.Permanent(fmt.Errorf("order %s has %d items", o.ID, o.Items))
	}
	f.mu.Lock()
	f.tries[o.ID]++
	first := f.tries[o.ID] == 1
	f.mu.Unlock()
	if first {
		return errors.New("inventory service timed out")
	}
	total, _, err := c.State()
	if err != nil {
		return err
	}
	return c.SetState(total + o.Items)
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
	if err := broker.CreateTopic(string(orders), 1); err != nil {
		return err
	}
	err = broker.Produce(string(orders),
		embedded.Record{Key: "shop", Value: []byte(`{"id":"o1","items":3}`)},
		embedded.Record{Key: "shop", Value: []byte(`{"id":"o2","items":0}`)},
		embedded.Record{Key: "shop", Value: []byte(`{"id":"o3", items: 2}`)}, // not JSON
		embedded.Record{Key: "shop", Value: []byte(`{"id":"o4","items":4}`)},
	)
	if err != nil {
		return err
	}
	f := &flaky{tries: map[string]int{}}
	job := processor.Job[int]{
		Name:   "example-errors",
		State:  event.JSON[int]{},
		Inputs: []processor.Input[int]{processor.On(orders, event.JSON[Order]{}, f.handle)},
	}
	dir, err := os.MkdirTemp("", "ripple-example-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	running, err := processor.Start(ctx, job, processor.Config{
		Brokers: broker.Addrs(), KafkaVersion: embedded.KafkaVersion, StateDir: dir,
		MaxRetries: 2, RetryDelay: 100 * time.Millisecond,
	})
	if err != nil {
		return err
	}
	err = running.WaitFor(ctx, func() (bool, error) {
		total, _, err := running.Get("shop")
		if err != nil || total < 7 {
			return false, nil // o1 and o4 succeed on their retry
		}
		recs, err := broker.Consume("example-errors.error")
		if err != nil || len(recs) < 2 {
			return false, nil
		}
		fmt.Fprintf(out, "items counted: %d (orders o1 and o4, each on its second try)\n", total)
		var lines []string
		for _, r := range recs {
			var e processor.ErrorRecord
			if err := json.Unmarshal(r.Value, &e); err != nil {
				return false, err
			}
			lines = append(lines, fmt.Sprintf("error topic: %s after %d attempt(s): %s", e.ErrorType, e.Attempts, e.Message))
		}
		sort.Strings(lines)
		for _, l := range lines {
			fmt.Fprintln(out, l)
		}
		return true, nil
	})
	return errors.Join(err, running.Stop()) // Stop: a clean stop returns nil
}
