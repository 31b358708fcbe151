package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ripplestream/ripple/internal/linereader"
	"github.com/ripplestream/ripple/jobs/changeprop"
	"github.com/ripplestream/ripple/processor/embedded"
)

// pageEdit returns a valid mediawiki/page/change edit of title.
func pageEdit(title string, rev int) string {
	return fmt.Sprintf(`{"$schema":"/mediawiki/page/change/1.2.0","dt":"2026-11-01T00:00:0%dZ",`+
		`"meta":{"stream":"mediawiki.page_change.v1","dt":"2026-11-01T00:00:00Z","domain":"en.wikipedia.org"},`+
		`"wiki_id":"enwiki","page_change_kind":"edit","changelog_kind":"update",`+
		`"page":{"page_id":%d,"page_title":%q,"namespace_id":0},"revision":{"rev_id":%d,"rev_dt":"2026-11-01T00:00:00Z"}}`,
		rev%10, rev, title, rev)
}

// TestProduceConsume: produce validates, keys and sends the good lines,
// reporting each bad one (not JSON, against its schema, without the key
// field, over 16 MiB) and keeping the lines around it; consume prints
// them back from the beginning, an offset or a time.
func TestProduceConsume(t *testing.T) {
	b, err := embedded.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	const stream = "page_change"
	if err := b.CreateTopic(stream, 3); err != nil {
		t.Fatal(err)
	}
	kafka := []string{"--brokers", strings.Join(b.Addrs(), ","), "--kafka-version", embedded.KafkaVersion}
	lines := []string{
		pageEdit("A", 1),
		"{not json",
		pageEdit("B", 2),
		strings.Replace(pageEdit("C", 3), `"page_change_kind":"edit",`, "", 1), // against its schema
		`{"$schema":"/resource_change/1.0.0","meta":{"uri":"https://en.wikipedia.org/wiki/A","dt":"2026-11-01T00:00:00Z","stream":"purge"}}`,
		"",
		`{"pad":"` + strings.Repeat("x", linereader.DefaultMax) + `"}`,
		pageEdit("D", 4),
	}
	file := filepath.Join(t.TempDir(), "in.jsonl")
	if err := os.WriteFile(file, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var errOut bytes.Buffer
	err = run(context.Background(), append([]string{"produce", stream, "--file", file, "--key-field", "page.page_title",
		"--schema", "mediawiki/page/change"}, kafka...), io.Discard, &errOut)
	if err == nil || !strings.Contains(err.Error(), "4 of 8 lines were bad") {
		t.Fatalf("produce: %v, want 4 bad lines\n%s", err, errOut.String())
	}
	for _, want := range []string{"line 2: ", "line 4: event: not a mediawiki/page/change event: no page_change_kind",
		`line 5: event: not a mediawiki/page/change event: its $schema is "/resource_change/1.0.0"`,
		"line 7: line of 16777226 bytes, over the limit of 16777216 (skipped)", "8 lines: 3 sent, 4 bad (skipped), 1 blank"} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("produce did not say %q:\n%s", want, errOut.String())
		}
	}
	recs, err := b.Consume(stream)
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	for _, r := range recs {
		keys[r.Key] = true
	}
	if len(recs) != 3 || !keys["A"] || !keys["B"] || !keys["D"] {
		t.Fatalf("the stream holds %d records keyed %v, want A, B and D", len(recs), keys)
	}

	consume := func(args ...string) []string {
		t.Helper()
		var out bytes.Buffer
		if err := run(context.Background(), append(append([]string{"consume", stream}, args...), kafka...), &out, io.Discard); err != nil {
			t.Fatalf("consume %q: %v", args, err)
		}
		return strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	}
	got := consume("--from-beginning")
	if len(got) != 3 {
		t.Fatalf("consume --from-beginning: %d lines, want 3:\n%s", len(got), strings.Join(got, "\n"))
	}
	for _, l := range got {
		var ev struct {
			Page struct {
				PageTitle string `json:"page_title"`
			} `json:"page"`
		}
		if err := json.Unmarshal([]byte(l), &ev); err != nil || !keys[ev.Page.PageTitle] {
			t.Errorf("consumed %s (%v), want one of the events sent", l, err)
		}
	}
	if got := consume("--since", "1h", "--meta"); len(got) != 3 || !strings.Contains(got[0], `"key":"`) || !strings.Contains(got[0], `"value":{"$schema"`) {
		t.Errorf("consume --since 1h --meta:\n%s", strings.Join(got, "\n"))
	}
	if got := consume("--since", time.Now().Add(time.Hour).Format(time.RFC3339)); len(got) != 1 || got[0] != "" {
		t.Errorf("consume --since an hour from now: %q, want nothing", got)
	}
	if got := consume("--offset", "1"); len(got) != 3-countPartitionsWithRecords(t, consume) {
		t.Errorf("consume --offset 1: %d records", len(got))
	}
	if got := consume("--from-beginning", "--max", "2"); len(got) != 2 {
		t.Errorf("consume --max 2: %d records", len(got))
	}
	err = run(context.Background(), append([]string{"consume", stream, "--from-beginning", "--follow", "--max", "4", "--timeout", "1s"}, kafka...), io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "--timeout 1s passed with 3 of the --max 4 records") {
		t.Errorf("consume --follow past the records there are: %v", err)
	}
	err = run(context.Background(), append([]string{"consume", "nope"}, kafka...), io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "ripple topology plan --apply") {
		t.Errorf("consume of a missing stream: %v", err)
	}
}

// countPartitionsWithRecords returns how many partitions hold a record:
// --offset 1 skips the first of each.
func countPartitionsWithRecords(t *testing.T, consume func(...string) []string) int {
	t.Helper()
	seen := map[float64]bool{}
	for _, l := range consume("--from-beginning", "--meta") {
		var r struct{ Partition float64 }
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatal(err)
		}
		seen[r.Partition] = true
	}
	return len(seen)
}

// TestKeyOf: --key-field keys by one dotted path, or by several joined
// with ":", which is how changeprop's inputs are keyed (changeprop.PageKey).
func TestKeyOf(t *testing.T) {
	doc := []byte(pageEdit("Template:Box", 3))
	for _, tt := range []struct{ paths, want, err string }{
		{"page.page_title", "Template:Box", ""},
		{"wiki_id,page.page_title", changeprop.PageKey("enwiki", "Template:Box"), ""},
		{"wiki_id, page.page_id", "enwiki:3", ""},
		{"wiki_id,page.nothing", "", "no key field page.nothing"},
		{"page", "", "is an object"},
	} {
		got, err := keyOf(doc, tt.paths)
		if got != tt.want || (err == nil) != (tt.err == "") || (err != nil && !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("keyOf(%s) = %q, %v; want %q, error %q", tt.paths, got, err, tt.want, tt.err)
		}
	}
}
