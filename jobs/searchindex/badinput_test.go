package searchindex_test

import (
	"testing"
	"time"

	"github.com/ripplestream/ripple/internal/badinput"
	"github.com/ripplestream/ripple/jobs/searchindex"
	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/processor/processortest"
)

// TestBadInputCorpus sends 10,000 malformed revision-create events mixed
// among 1,000 valid ones through the searchindex job on the in-memory
// harness: each malformed one it rejects lands in the error topic with its
// bytes, no valid one does, and the job goes on. The job validates no
// schema: events with no envelope, another $schema or invalid UTF-8 in a
// string pass as far as they decode (RELIABILITY.md, not yet covered).
func TestBadInputCorpus(t *testing.T) {
	var valid []badinput.Event
	for i := range int64(1_000) {
		valid = append(valid, badinput.Event{Key: searchindex.PageKey("enwiki", 1+i%50), Value: revision(1+i%50, 1+i)})
	}
	events, err := badinput.Generate(badinput.Config{Seed: 14}, valid)
	if err != nil {
		t.Fatal(err)
	}
	job, err := searchindex.Job(searchindex.Config{Name: "searchindex-bad", Revisions: revisions, Scores: scores, Output: out, Wait: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	h := processortest.New(t, job, processor.Config{MaxRecordBytes: 4 << 20})
	res := badinput.Run(t, h, "searchindex-bad", revisions, events)
	res.Want(t, badinput.InvalidJSON, badinput.WrongTypes, badinput.Huge, badinput.DeepNesting)
}
