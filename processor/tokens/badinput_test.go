package tokens_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/ripplestream/ripple/internal/badinput"
	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/processor/processortest"
	"github.com/ripplestream/ripple/processor/tokens"
)

// TestBadInputCorpus sends 10,000 malformed page changes mixed among 1,000
// valid revisions through the tokens stage on the in-memory harness: each
// malformed one it rejects lands in the error topic with its bytes, no
// valid one does, and it goes on. The stage has no schema validation
// (Config has no InputOptions): events without an envelope, of another
// $schema or with invalid UTF-8 in a string pass as far as they decode.
func TestBadInputCorpus(t *testing.T) {
	var valid []badinput.Event
	for i := range 1_000 {
		ev := pageChange(int64(1+i%20), int64(1+i), fmt.Sprintf("Text of revision %d, with [[Link %d]] and {{Template}}.", i, i%7))
		ev["meta"].(map[string]any)["id"] = fmt.Sprint("id-", i)
		b, err := json.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		valid = append(valid, badinput.Event{Key: fmt.Sprint("enwiki:", 1+i%20), Value: b})
	}
	events, err := badinput.Generate(badinput.Config{Seed: 14}, valid)
	if err != nil {
		t.Fatal(err)
	}
	job, err := tokens.Job(tokens.Config{Name: "tokens-bad"})
	if err != nil {
		t.Fatal(err)
	}
	h := processortest.New(t, job, processor.Config{MaxRecordBytes: 4 << 20})
	res := badinput.Run(t, h, "tokens-bad", tokens.DefaultInput, events)
	res.Want(t, badinput.InvalidJSON, badinput.WrongTypes, badinput.Huge, badinput.DeepNesting)
}
