package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/processor/embedded"
	"github.com/ripplestream/ripple/processor/errortopic"
)

func TestErrorsArgumentsSayWhatToDo(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"errors", "list", "--brokers", "b:1"}, "give the job's name"},
		{[]string{"errors", "list", "a", "b", "--brokers", "b:1"}, `unexpected argument "b"`},
		{[]string{"errors", "replay", "job"}, "--brokers is required"},
		{[]string{"errors", "replay", "job", "--brokers", "b:1", "--reason", "x", "--reason-regexp", "y"}, "not both"},
		{[]string{"errors", "replay", "job", "--brokers", "b:1", "--reason-regexp", "(x"}, "for a plain text use --reason"},
		{[]string{"errors", "purge"}, "run `ripple errors --help`"},
	} {
		err := run(context.Background(), c.args, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want an error saying %q", c.args, err, c.want)
		}
	}
	var help bytes.Buffer
	if err := run(context.Background(), []string{"errors", "replay", "--help"}, &help, io.Discard); err != nil ||
		!strings.Contains(help.String(), "Examples:\n  ripple errors replay") {
		t.Errorf("--help: %v\n%s", err, help.String())
	}
}

// TestErrorsListAndReplay runs list and replay on an in-process broker
// with error records as a job writes them.
func TestErrorsListAndReplay(t *testing.T) {
	b, err := embedded.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	const job, input = "pages", "page_change"
	for _, topic := range []string{job + ".error", input} {
		if err := b.CreateTopic(topic, 2); err != nil {
			t.Fatal(err)
		}
	}
	events := map[string]string{"A": `{"page":"A"}`, "B": `{"page":"B", "x": "é"}`, "C": `{"page":"C"}`}
	var recs []embedded.Record
	for i, key := range []string{"A", "B", "C"} {
		reason := "deps: store unavailable: timeout"
		if key == "C" {
			reason = "invalid title"
		}
		rec := processor.ErrorRecord{ErrorType: "handler", Message: reason, RawEvent: events[key], ErroredStreamName: input,
			Key: key, Partition: 1, Offset: int64(i), Attempts: 1}
		recs = append(recs, embedded.Record{Key: key, Value: mustJSON(t, rec)})
	}
	truncated := processor.ErrorRecord{ErrorType: "handler", Message: "deps: store unavailable: timeout",
		RawEvent: `{"page":"D... [truncated: 999 bytes in all]`, ErroredStreamName: input, Key: "D"}
	recs = append(recs, embedded.Record{Key: "D", Value: mustJSON(t, truncated)})
	if err := b.Produce(job+".error", recs...); err != nil {
		t.Fatal(err)
	}
	brokers := []string{"--brokers", strings.Join(b.Addrs(), ","), "--kafka-version", embedded.KafkaVersion}
	cli := func(args ...string) (string, string) {
		t.Helper()
		var out, errOut bytes.Buffer
		if err := run(context.Background(), append(args, brokers...), &out, &errOut); err != nil {
			t.Fatalf("%q: %v\n%s%s", args, err, out.String(), errOut.String())
		}
		return out.String(), errOut.String()
	}

	out, _ := cli("errors", "list", job)
	for _, want := range []string{"pages.error: 4 error records, 4 pending", "3        3        1               page_change  handler  deps: store unavailable: timeout",
		"1        1        0               page_change  handler  invalid title", "ripple errors replay pages"} {
		if !strings.Contains(out, want) {
			t.Errorf("list does not say %q:\n%s", want, out)
		}
	}
	out, _ = cli("errors", "list", job, "--json")
	var sum errortopic.Summary
	if err := json.Unmarshal([]byte(out), &sum); err != nil || sum.Records != 4 || len(sum.Counts) != 2 || sum.Counts[0].NotReplayable != 1 {
		t.Fatalf("list --json: %+v, %v\n%s", sum, err, out)
	}

	out, errOut := cli("errors", "replay", job, "--reason", "store unavailable", "--dry-run")
	if strings.Count(out, "would send to page_change/1") != 2 || !strings.Contains(errOut, "would send 2") ||
		!strings.Contains(errOut, "passed over pages.error/") || !strings.Contains(errOut, "first 10 of 999 bytes") {
		t.Fatalf("dry run:\n%s%s", out, errOut)
	}
	if n, err := b.Count(input); err != nil || n != 0 {
		t.Fatalf("a dry run sent %d records (%v)", n, err)
	}

	out, _ = cli("errors", "replay", job, "--reason", "store unavailable", "--json")
	var res errortopic.Result
	if err := json.Unmarshal([]byte(out), &res); err != nil || res.Sent != 2 || res.NotReplayable != 1 || res.Passed != 1 {
		t.Fatalf("replay: %+v, %v\n%s", res, err, out)
	}
	got, err := b.Consume(input)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("the input got %d records, want 2", len(got))
	}
	for _, r := range got {
		if events[r.Key] != string(r.Value) || r.Key == "C" {
			t.Errorf("sent %q %q, want a store failure as it was", r.Key, r.Value)
		}
	}

	out, _ = cli("errors", "replay", job, "--json")
	if err := json.Unmarshal([]byte(out), &res); err != nil || res.Sent != 0 || res.Read != 0 {
		t.Fatalf("a second replay: %+v, %v", res, err)
	}
	if n, err := b.Count(input); err != nil || n != 2 {
		t.Fatalf("after a second replay the input has %d records (%v), want 2", n, err)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(fmt.Errorf("encoding %+v: %w", v, err))
	}
	return b
}
