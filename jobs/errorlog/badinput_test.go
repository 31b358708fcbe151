package errorlog_test

import (
	"fmt"
	"testing"

	"github.com/ripplestream/ripple/internal/badinput"
	"github.com/ripplestream/ripple/jobs/errorlog"
	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/processor/processortest"
)

// TestBadInputCorpus sends 10,000 bad (8,750 malformed, 1,250 duplicate
// ids) client errors mixed among 1,000 valid ones, each of its own error,
// through the three jobs of an error log on the in-memory harness, each
// job reading what the one before wrote. The first job rejects every
// malformed event but one of another $schema (it does not validate its
// input against a schema) with its bytes intact; the later jobs reject
// nothing: dedupe drops the copies that share a valid event's meta.id, and
// every valid error passes the rate limit.
func TestBadInputCorpus(t *testing.T) {
	var valid []badinput.Event
	for i := range 1_000 {
		// Letters, not digits: the fingerprint ignores numbers.
		word := string(rune('a'+i%26)) + string(rune('a'+i/26%26)) + string(rune('a'+i/676))
		valid = append(valid, badinput.Event{Key: fmt.Sprint("r", i),
			Value: clientError(fmt.Sprint("id-", i), "TypeError", "Uncaught TypeError: "+word+" is undefined", "at f (https://en.wikipedia.org/w/load.php:1:2)")})
	}
	events, err := badinput.Generate(badinput.Config{Seed: 14}, valid)
	if err != nil {
		t.Fatal(err)
	}
	cfg := errorlog.Config{Name: "errorlog-bad", Input: "mediawiki.client.error", Output: "errorlog-bad.out", Summaries: "errorlog-bad.summaries"}
	pipe, err := errorlog.Jobs(cfg)
	if err != nil {
		t.Fatal(err)
	}
	pc := processor.Config{MaxRecordBytes: 4 << 20}
	res := badinput.Run(t, processortest.New(t, pipe.Fingerprint, pc), pipe.Fingerprint.Name, cfg.Input, events, cfg.Fingerprinted())
	res.Want(t, badinput.InvalidJSON, badinput.WrongTypes, badinput.MissingEnvelope, badinput.Huge, badinput.DeepNesting, badinput.InvalidUTF8)
	res.WantEmitted(t)

	dd := processortest.New(t, pipe.Dedupe, pc)
	var deduped []processortest.Message
	for _, m := range res.Records {
		dd.Send(cfg.Fingerprinted(), m.Key, m.Value)
		deduped = append(deduped, dd.Output(cfg.Deduped())...)
	}
	if errs := dd.Errors(); len(errs) != 0 {
		t.Errorf("dedupe: %d error records, want none (the first: %s)", len(errs), errs[0].Message)
	}
	if len(deduped) != len(valid) {
		t.Errorf("dedupe passed %d events, want one for each of the %d valid ones", len(deduped), len(valid))
	}
	rl := processortest.New(t, pipe.RateLimit, pc)
	for _, m := range deduped {
		rl.Send(cfg.Deduped(), m.Key, m.Value)
	}
	if errs := rl.Errors(); len(errs) != 0 {
		t.Errorf("ratelimit: %d error records, want none (the first: %s)", len(errs), errs[0].Message)
	}
	if n := len(rl.Output(cfg.Output)); n != len(valid) {
		t.Errorf("%d errors in the log, want the %d valid ones", n, len(valid))
	}
}
