// Package examplerun runs an example job until the example has seen its
// result, for the programs in examples/ and the demo-sized tests.
package examplerun

import (
	"context"
	"fmt"
	"time"

	"github.com/ripplestream/ripple/processor"
)

// Until runs r until done reports true (polled every 50 ms once the job is
// ready), then stops it and returns done's error. It gives up after 30 s.
func Until[S any](ctx context.Context, r *processor.Runner[S], done func() (bool, error)) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	rn := processor.StartRunner(ctx, r)
	defer func() { _ = rn.Stop() }()
	for {
		if rn.Ready() {
			ok, err := done()
			if err != nil || ok {
				return err
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("example: gave up: %w", ctx.Err())
		case <-rn.Done():
			return fmt.Errorf("example: job stopped: %w", rn.Stop())
		case <-time.After(50 * time.Millisecond):
		}
	}
}
