package badinput

import (
	"bytes"
	"testing"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/processor/processortest"
	"github.com/ripplestream/ripple/schemas"
)

// Result is what a job did with a corpus.
type Result struct {
	// Errors counts, by kind, the events that produced an error record;
	// Passed those that did not.
	Errors, Passed map[Kind]int
	// Emitted counts, by kind, the records the events wrote to the
	// outputs given to Run; Silent lists the valid events (their index in
	// the corpus) that wrote none while no earlier event of their key had
	// written any: a stateful job may have had the same change already
	// from a copy sent before it (a duplicate, or an event that passed).
	Emitted map[Kind]int
	Silent  []int
	// Records are the records written to the outputs, in order, to feed
	// a job that reads them.
	Records []processortest.Message
}

// Run sends events to stream through h, the harness of job, one at a
// time, and checks that each error record it produces holds the event's
// bytes intact (as processor.DecodeErrorRecord gives them back, which
// ripple errors replay sends), a reason, and is valid against the schema
// it names, and that no valid event produced one. It returns how many of
// each kind went to the error topic, and what each wrote to outputs
// (streams of the job), for Result.WantEmitted.
func Run[S any](t testing.TB, h *processortest.Harness[S], job processor.Group, stream processor.Stream, events []Event, outputs ...processor.Stream) Result {
	t.Helper()
	res := Result{Errors: map[Kind]int{}, Passed: map[Kind]int{}, Emitted: map[Kind]int{}}
	repo, err := event.OpenRepositoryFS(schemas.FS())
	if err != nil {
		t.Fatal(err)
	}
	errStream := processortest.ErrorStream(job)
	keyEmitted := map[string]bool{}
	for i, e := range events {
		h.Send(stream, e.Key, e.Value)
		var emitted int
		for _, out := range outputs {
			recs := h.Output(out)
			emitted += len(recs)
			res.Records = append(res.Records, recs...)
		}
		res.Emitted[e.Kind] += emitted
		if e.Kind == Valid && emitted == 0 && len(outputs) > 0 && !keyEmitted[e.Key] {
			res.Silent = append(res.Silent, i)
		}
		keyEmitted[e.Key] = keyEmitted[e.Key] || emitted > 0
		recs := h.Output(errStream)
		if len(recs) == 0 {
			res.Passed[e.Kind]++
			continue
		}
		res.Errors[e.Kind]++
		if len(recs) > 1 {
			t.Errorf("event %d (%s): %d error records", i, e.Kind, len(recs))
		}
		if err := repo.Validate(recs[0].Value); err != nil {
			t.Errorf("event %d (%s): error record invalid against the schema it names: %v", i, e.Kind, err)
		}
		rec, raw, err := processor.DecodeErrorRecord(recs[0].Value)
		switch {
		case err != nil:
			t.Errorf("event %d (%s): error record not replayable: %v", i, e.Kind, err)
		case !bytes.Equal(raw, e.Value):
			t.Errorf("event %d (%s): error record holds %d bytes, not the %d sent", i, e.Kind, len(raw), len(e.Value))
		case rec.Message == "" || rec.Key != e.Key || rec.ErroredStreamName != string(stream):
			t.Errorf("event %d (%s): error record without a reason or origin: %+v", i, e.Kind, rec)
		}
		if !e.Bad() {
			t.Errorf("event %d (%s) went to the error topic: %s", i, e.Kind, rec.Message)
		}
	}
	return res
}

// Want checks that every event of each kind in rejected went to the error
// topic and every event of the others passed.
func (r Result) Want(t testing.TB, rejected ...Kind) {
	t.Helper()
	rej := map[Kind]bool{}
	for _, k := range rejected {
		rej[k] = true
	}
	for _, k := range append([]Kind{Valid}, BadKinds...) {
		if rej[k] && r.Passed[k] > 0 {
			t.Errorf("%s: %d of %d passed, want all in the error topic", k, r.Passed[k], r.Passed[k]+r.Errors[k])
		}
		if !rej[k] && r.Errors[k] > 0 {
			t.Errorf("%s: %d of %d in the error topic, want none", k, r.Errors[k], r.Passed[k]+r.Errors[k])
		}
	}
	t.Logf("error topic: %v; passed: %v; emitted: %v", r.Errors, r.Passed, r.Emitted)
}

// WantEmitted checks that every valid event wrote at least one record to
// the outputs given to Run, or an earlier event of its key did: that it
// was processed, not only not rejected.
func (r Result) WantEmitted(t testing.TB) {
	t.Helper()
	if r.Passed[Valid] == 0 {
		t.Errorf("no valid event passed")
	}
	if len(r.Silent) > 0 {
		t.Errorf("%d of %d valid events wrote nothing to the outputs (the first at index %d)", len(r.Silent), r.Passed[Valid]+r.Errors[Valid], r.Silent[0])
	}
}

// CheckErrorTopic checks the records read from a job's error topic after it
// consumed events from stream (on a real broker, in any order): one record
// for each event of a kind in rejected, each valid against its schema, with
// a reason and the event's bytes intact, and none for any other event.
func CheckErrorTopic(t testing.TB, stream processor.Stream, events []Event, records [][]byte, rejected ...Kind) {
	t.Helper()
	repo, err := event.OpenRepositoryFS(schemas.FS())
	if err != nil {
		t.Fatal(err)
	}
	rej := map[Kind]bool{}
	for _, k := range rejected {
		rej[k] = true
	}
	want := map[string]int{} // event bytes -> how many records they should have
	var n int
	for _, e := range events {
		if rej[e.Kind] {
			want[e.Key+"\x00"+string(e.Value)]++
			n++
		}
	}
	if len(records) != n {
		t.Errorf("%d error records, want %d", len(records), n)
	}
	for i, b := range records {
		if err := repo.Validate(b); err != nil {
			t.Errorf("error record %d invalid against the schema it names: %v", i, err)
		}
		rec, raw, err := processor.DecodeErrorRecord(b)
		if err != nil {
			t.Errorf("error record %d not replayable: %v", i, err)
			continue
		}
		k := rec.Key + "\x00" + string(raw)
		if want[k] == 0 || rec.Message == "" || rec.ErroredStreamName != string(stream) {
			t.Errorf("error record %d (%s) holds %d bytes that are not those of a rejected event of %s", i, rec.Message, len(raw), stream)
			continue
		}
		want[k]--
	}
}
