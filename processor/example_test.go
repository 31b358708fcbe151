package processor_test

import (
	"fmt"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/processor"
)

func ExampleJob() {
	type Edit struct {
		Page string `json:"page"`
	}
	type Counts struct {
		Edits int `json:"edits"`
	}
	hot := processor.NewOutput[Edit]("hot_pages", event.JSON[Edit]{})
	job := processor.Job[Counts]{
		Name:  "pagestats",
		State: event.JSON[Counts]{},
		Inputs: []processor.Input[Counts]{processor.On("edits", event.JSON[Edit]{},
			func(c *processor.Context[Counts], key string, ev Edit) error {
				st, _, err := c.State()
				if err != nil {
					return err
				}
				st.Edits++
				if st.Edits == 100 {
					if err := hot.Emit(c, key, ev); err != nil {
						return err
					}
				}
				return c.SetState(st)
			})},
		Outputs: []processor.Declared{hot},
	}
	fmt.Println(job.Validate())

	job.Outputs = append(job.Outputs, processor.NewOutput[Edit]("edits", event.JSON[Edit]{}))
	fmt.Println(job.Validate())
	// Output:
	// <nil>
	// job pagestats: processor: stream declared twice: "edits" as input and output
}
