package processor_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/processor/processortest"
	"github.com/ripplestream/ripple/schemas"
)

type edit struct {
	Schema string     `json:"$schema,omitempty"`
	Meta   event.Meta `json:"meta"`
	Page   string     `json:"page"`
	Bytes  int        `json:"bytes"`
}

type pageStats struct {
	Edits int `json:"edits"`
	Bytes int `json:"bytes"`
}

type alert struct {
	Page  string `json:"page"`
	Edits int    `json:"edits"`
}

const edits processor.Stream = "edits"

var alerts = processor.NewOutput[alert]("alerts", event.JSON[alert]{})

// countEdit counts an edit into the key's state.
func countEdit(c *processor.Context[pageStats], key string, ev edit) error {
	st, _, err := c.State()
	if err != nil {
		return err
	}
	st.Edits++
	st.Bytes += ev.Bytes
	return c.SetState(st)
}

// countJob counts edits per page and alerts on every 3rd edit; fail decides
// per call whether the handler fails (nil: never).
func countJob(fail func(attempt int, ev edit) error) processor.Job[pageStats] {
	return processor.Job[pageStats]{
		Name:  "counter",
		State: event.JSON[pageStats]{},
		Inputs: []processor.Input[pageStats]{
			processor.On(edits, event.JSON[edit]{}, func(c *processor.Context[pageStats], key string, ev edit) error {
				st, _, err := c.State()
				if err != nil {
					return err
				}
				st.Edits++
				st.Bytes += ev.Bytes
				if err := c.SetState(st); err != nil {
					return err
				}
				if st.Edits%3 == 0 {
					if err := alerts.Emit(c, key, alert{Page: ev.Page, Edits: st.Edits}); err != nil {
						return err
					}
				}
				if fail != nil {
					return fail(c.Attempt(), ev)
				}
				return nil
			}),
		},
		Outputs: []processor.Declared{alerts},
	}
}

func TestStatefulCounter(t *testing.T) {
	h := processortest.New(t, countJob(nil), processor.Config{})
	want := map[string]pageStats{}
	for i := range 30 {
		page := fmt.Sprintf("P%d", i%4)
		h.SendJSON(edits, page, edit{Page: page, Bytes: i})
		st := want[page]
		st.Edits++
		st.Bytes += i
		want[page] = st
	}
	for page, w := range want {
		got, ok := h.State(page)
		if !ok || got != w {
			t.Errorf("state of %s = %+v (exists %v), want %+v", page, got, ok, w)
		}
	}
	out := h.Output(alerts.Stream())
	if len(out) != 2+2+2+2 { // P0,P1 have 8 edits, P2,P3 7: two alerts each
		t.Fatalf("got %d alerts, want 8: %v", len(out), out)
	}
	if errs := h.Errors(); len(errs) != 0 {
		t.Fatalf("unexpected error records: %+v", errs)
	}
}

func TestHandlerErrorIsRetriedThenSentToErrorTopic(t *testing.T) {
	attempts := 0
	job := countJob(func(attempt int, ev edit) error {
		attempts++
		return errors.New("backend unavailable")
	})
	h := processortest.New(t, job, processor.Config{MaxRetries: 2})
	h.SendJSON(edits, "Main_Page", edit{Page: "Main_Page", Bytes: 10})
	if attempts != 3 {
		t.Fatalf("handler ran %d times, want 3 (1 + 2 retries)", attempts)
	}
	if _, ok := h.State("Main_Page"); ok {
		t.Fatal("state of a failed event was written")
	}
	errs := h.Errors()
	if len(errs) != 1 {
		t.Fatalf("got %d error records, want 1", len(errs))
	}
	rec := errs[0]
	if rec.Attempts != 3 || rec.ErrorType != "handler" || !strings.Contains(rec.Message, "backend unavailable") ||
		rec.Key != "Main_Page" || rec.ErroredStreamName != "edits" || !strings.Contains(rec.RawEvent, `"Main_Page"`) {
		t.Fatalf("unexpected error record: %+v", rec)
	}
	if len(h.Output(alerts.Stream())) != 0 {
		t.Fatal("emits of a failed handler were sent")
	}
}

func TestTransientErrorSucceedsOnRetryOnce(t *testing.T) {
	job := countJob(func(attempt int, ev edit) error {
		if attempt < 3 {
			return fmt.Errorf("flaky (attempt %d)", attempt)
		}
		return nil
	})
	h := processortest.New(t, job, processor.Config{MaxRetries: 3})
	for range 3 {
		h.SendJSON(edits, "A", edit{Page: "A", Bytes: 1})
	}
	got, _ := h.State("A")
	if got != (pageStats{Edits: 3, Bytes: 3}) {
		t.Fatalf("state = %+v, want each event applied exactly once: {3 3}", got)
	}
	if n := len(h.Output(alerts.Stream())); n != 1 {
		t.Fatalf("got %d alerts, want 1", n)
	}
	if errs := h.Errors(); len(errs) != 0 {
		t.Fatalf("unexpected error records: %+v", errs)
	}
}

func TestBadInputGoesToErrorTopicAndJobContinues(t *testing.T) {
	repo, err := event.OpenRepositoryFS(schemas.FS())
	if err != nil {
		t.Fatal(err)
	}
	job := processor.Job[pageStats]{
		Name:  "validator",
		State: event.JSON[pageStats]{},
		Inputs: []processor.Input[pageStats]{
			processor.On(edits, event.JSON[map[string]any]{}, func(c *processor.Context[pageStats], key string, ev map[string]any) error {
				st, _, _ := c.State()
				st.Edits++
				return c.SetState(st)
			}, processor.ValidateSchema()),
		},
	}
	h := processortest.New(t, job, processor.Config{Schemas: repo})
	valid := `{"$schema":"/resource_change/1.0.0","meta":{"stream":"edits","dt":"2026-11-01T00:00:00Z","uri":"https://en.wikipedia.org/wiki/A","domain":"en.wikipedia.org","id":"b0caf18d-6c7f-4403-947d-2712bbe28610"},"tags":["x"]}`
	invalid := strings.Replace(valid, `"dt":"2026-11-01T00:00:00Z"`, `"dt":"yesterday"`, 1)
	h.Send(edits, "k", []byte(valid))
	h.Send(edits, "k", []byte(`{"not json`))
	h.Send(edits, "k", []byte(invalid))
	h.Send(edits, "k", []byte(valid))

	if st, _ := h.State("k"); st.Edits != 2 {
		t.Fatalf("valid events processed: %d, want 2", st.Edits)
	}
	errs := h.Errors()
	if len(errs) != 2 {
		t.Fatalf("got %d error records, want 2: %+v", len(errs), errs)
	}
	if errs[0].ErrorType != "schema" && errs[0].ErrorType != "decode" {
		t.Errorf("first bad event: error_type %q", errs[0].ErrorType)
	}
	if errs[1].ErrorType != "schema" || !strings.Contains(errs[1].Message, "/meta/dt") || errs[1].Attempts != 1 {
		t.Errorf("schema-invalid event: want error_type schema naming /meta/dt after 1 attempt, got %+v", errs[1])
	}
	if errs[1].ErroredSchemaURI != "/resource_change/1.0.0" {
		t.Errorf("errored_schema_uri = %q", errs[1].ErroredSchemaURI)
	}
}

func TestUndecodableEventIsNotRetried(t *testing.T) {
	calls := 0
	job := countJob(func(int, edit) error { calls++; return nil })
	h := processortest.New(t, job, processor.Config{MaxRetries: 3})
	h.Send(edits, "k", []byte("\xff\xfe not json"))
	h.SendJSON(edits, "k", edit{Page: "k"})
	errs := h.Errors()
	if len(errs) != 1 || errs[0].ErrorType != "decode" || errs[0].Attempts != 1 {
		t.Fatalf("want one decode error after 1 attempt, got %+v", errs)
	}
	if calls != 1 {
		t.Fatalf("handler calls = %d, want 1 (the good event)", calls)
	}
}

func TestPanicBecomesError(t *testing.T) {
	job := countJob(func(attempt int, ev edit) error {
		if ev.Page == "boom" {
			panic("nil map write")
		}
		return nil
	})
	h := processortest.New(t, job, processor.Config{MaxRetries: 1})
	h.SendJSON(edits, "boom", edit{Page: "boom"})
	h.SendJSON(edits, "fine", edit{Page: "fine"})
	errs := h.Errors()
	if len(errs) != 1 || errs[0].ErrorType != "panic" || errs[0].Attempts != 2 || !strings.Contains(errs[0].Stack, "goroutine") {
		t.Fatalf("want one panic error after 2 attempts with a stack, got %+v", errs)
	}
	if st, ok := h.State("fine"); !ok || st.Edits != 1 {
		t.Fatalf("the job did not continue after the panic: %+v %v", st, ok)
	}
}

func TestCanaryEventsAreDropped(t *testing.T) {
	for _, keep := range []bool{false, true} {
		t.Run(fmt.Sprintf("keep=%v", keep), func(t *testing.T) {
			var opts []processor.InputOption
			if keep {
				opts = append(opts, processor.KeepCanary())
			}
			job := processor.Job[pageStats]{
				Name:  "canary",
				State: event.JSON[pageStats]{},
				Inputs: []processor.Input[pageStats]{processor.On(edits, event.JSON[edit]{},
					func(c *processor.Context[pageStats], key string, ev edit) error {
						st, _, _ := c.State()
						st.Edits++
						return c.SetState(st)
					}, opts...)},
			}
			h := processortest.New(t, job, processor.Config{})
			h.SendJSON(edits, "k", edit{Meta: event.Meta{Domain: "canary"}})
			h.SendJSON(edits, "k", edit{Meta: event.Meta{Domain: "en.wikipedia.org"}})
			want := 1
			if keep {
				want = 2
			}
			if st, _ := h.State("k"); st.Edits != want {
				t.Fatalf("processed %d, want %d", st.Edits, want)
			}
		})
	}
}

func TestEmitToUndeclaredOutputIsPermanent(t *testing.T) {
	other := processor.NewOutput[alert]("elsewhere", event.JSON[alert]{})
	job := processor.Job[pageStats]{
		Name: "undeclared",
		Inputs: []processor.Input[pageStats]{processor.On(edits, event.JSON[edit]{},
			func(c *processor.Context[pageStats], key string, ev edit) error {
				return other.Emit(c, key, alert{})
			})},
	}
	h := processortest.New(t, job, processor.Config{MaxRetries: 3})
	h.SendJSON(edits, "k", edit{})
	errs := h.Errors()
	if len(errs) != 1 || errs[0].Attempts != 1 || !strings.Contains(errs[0].Message, "undeclared output") {
		t.Fatalf("want one immediate error naming the undeclared output, got %+v", errs)
	}
}

func TestStatelessJobStateCallsFail(t *testing.T) {
	var got error
	job := processor.Job[pageStats]{
		Name: "stateless",
		Inputs: []processor.Input[pageStats]{processor.On(edits, event.JSON[edit]{},
			func(c *processor.Context[pageStats], key string, ev edit) error {
				_, _, got = c.State()
				return nil
			})},
	}
	h := processortest.New(t, job, processor.Config{})
	h.SendJSON(edits, "k", edit{})
	if !errors.Is(got, processor.ErrStateless) {
		t.Fatalf("State() on a stateless job = %v, want ErrStateless", got)
	}
}

func TestLoopSplitsWorkIntoSteps(t *testing.T) {
	type progress struct {
		Done, Total int
	}
	done := processor.NewOutput[int]("done", event.JSON[int]{})
	step := func(c *processor.Context[progress], key string) error {
		st, _, err := c.State()
		if err != nil {
			return err
		}
		st.Done++
		if st.Done == st.Total {
			if err := c.DeleteState(); err != nil {
				return err
			}
			return done.Emit(c, key, st.Total)
		}
		if err := c.SetState(st); err != nil {
			return err
		}
		return c.Loopback(key, []byte(`{}`))
	}
	job := processor.Job[progress]{
		Name:  "stepper",
		State: event.JSON[progress]{},
		Inputs: []processor.Input[progress]{processor.On("work", event.JSON[int]{},
			func(c *processor.Context[progress], key string, n int) error {
				if err := c.SetState(progress{Total: n}); err != nil {
					return err
				}
				return c.Loopback(key, []byte(`{}`))
			})},
		Loop: processor.OnLoop(event.JSON[struct{}]{}, func(c *processor.Context[progress], key string, _ struct{}) error {
			return step(c, key)
		}),
		Outputs: []processor.Declared{done},
	}
	h := processortest.New(t, job, processor.Config{})
	h.SendJSON("work", "a", 5)
	out := h.Output(done.Stream())
	if len(out) != 1 || string(out[0].Value) != "5" {
		t.Fatalf("want one done event after 5 loop steps, got %v", out)
	}
	if _, ok := h.State("a"); ok {
		t.Fatal("state left after the last step")
	}
}

func TestHugeEventIsNotRetriedAndItsErrorRecordIsBounded(t *testing.T) {
	job := countJob(func(int, edit) error { return errors.New("always") })
	h := processortest.New(t, job, processor.Config{MaxRetries: 3, MaxRecordBytes: 1 << 10})
	big := fmt.Sprintf(`{"page":"big","bytes":1,"pad":%q}`, strings.Repeat("é", 100_000))
	h.Send(edits, "big", []byte(big))
	errs := h.Errors()
	if len(errs) != 1 || errs[0].Attempts != 1 {
		t.Fatalf("want one error record after a single attempt, got %+v", errs)
	}
	if n := len(errs[0].RawEvent); n > 1<<10+64 || !strings.Contains(errs[0].RawEvent, "truncated: 200033 bytes in all") {
		t.Fatalf("raw_event is %d bytes, ends %q", n, errs[0].RawEvent[max(0, n-60):])
	}
}
