package searchindex_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ripplestream/ripple/jobs/searchindex"
	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/processor/processortest"
)

const (
	revisions processor.Stream = "mediawiki.revision-create"
	scores    processor.Stream = "mediawiki.revision-score"
	toks      processor.Stream = "ripple.revision_tokens"
	out       processor.Stream = "ripple.search_index_update"
)

// revision, score and tokens are events with the fields of
// mediawiki.revision-create 2.0.0, mediawiki.revision-score 3.0.0 and
// ripple/revision/tokens 1.0.0.
func revision(page, rev int64) []byte {
	return fmt.Appendf(nil, `{"$schema":"/mediawiki/revision/create/2.0.0","meta":{"stream":"mediawiki.revision-create","domain":"en.wikipedia.org","uri":"https://en.wikipedia.org/wiki/P%d"},"database":"enwiki","page_id":%d,"page_title":"P%d","page_namespace":0,"rev_id":%d,"rev_timestamp":"2026-12-05T12:00:00Z"}`,
		page, page, page, rev)
}

func score(page, rev int64, p float64) []byte {
	return fmt.Appendf(nil, `{"$schema":"/mediawiki/revision/score/3.0.0","meta":{"stream":"mediawiki.revision-score"},"database":"enwiki","page_id":%d,"rev_id":%d,"scores":{"damaging":{"model_name":"damaging","model_version":"0.5.1","prediction":["false"],"probability":{"false":%g,"true":%g}}}}`,
		page, rev, 1-p, p)
}

func tokens(page, rev int64, word string) []byte {
	return fmt.Appendf(nil, `{"$schema":"/ripple/revision/tokens/1.0.0","meta":{"stream":"ripple.revision_tokens"},"wiki_id":"enwiki","page_id":%d,"page_title":"P%d","rev_id":%d,"prev_rev_id":0,"token_count":1,"tokens":[%q],"added":{%q:1},"removed":{}}`,
		page, page, rev, word, word)
}

func harness(t *testing.T, withTokens bool) *processortest.Harness[searchindex.State] {
	cfg := searchindex.Config{Name: "searchindex", Revisions: revisions, Scores: scores, Output: out, Wait: 10 * time.Second}
	if withTokens {
		cfg.Tokens = toks
	}
	job, err := searchindex.Job(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return processortest.New(t, job, processor.Config{})
}

// docs returns the documents emitted so far, as "op rev pending... [scores] [tokens]" per page key.
func docs(t *testing.T, h *processortest.Harness[searchindex.State]) map[string][]string {
	t.Helper()
	got := map[string][]string{}
	for _, m := range h.Output(out) {
		var d searchindex.Document
		if err := json.Unmarshal(m.Value, &d); err != nil {
			t.Fatal(err)
		}
		if m.Key != searchindex.PageKey(d.WikiID, d.PageID) || d.Schema != searchindex.Schema {
			t.Fatalf("document %s under key %s", m.Value, m.Key)
		}
		s := fmt.Sprintf("%s %d", d.Op, d.RevID)
		if len(d.Pending) > 0 {
			s += " pending:" + strings.Join(d.Pending, ",")
		}
		if d.Scores != nil {
			s += fmt.Sprintf(" damaging:%g", d.Scores["damaging"].Probability["true"])
		}
		if d.TokensAdded != nil {
			s += " +" + strings.Join(slices.Sorted(func(yield func(string) bool) {
				for k := range d.TokensAdded {
					if !yield(k) {
						return
					}
				}
			}), ",")
		}
		got[m.Key] = append(got[m.Key], s)
	}
	return got
}

func TestJoinInAnyOrder(t *testing.T) {
	h := harness(t, true)
	// Page 1: revision, scores, tokens. Page 2: scores and tokens first.
	// Keys are not the page's: the job re-keys through its loop.
	h.Send(revisions, "r1", revision(1, 10))
	h.Send(scores, "s1", score(1, 10, 0.1))
	h.Send(toks, "t1", tokens(1, 10, "cat"))
	h.Send(scores, "s2", score(2, 20, 0.9))
	h.Send(toks, "t2", tokens(2, 20, "dog"))
	h.Send(revisions, "r2", revision(2, 20))
	want := map[string][]string{
		"enwiki:1": {"index 10 damaging:0.1 +cat"},
		"enwiki:2": {"index 20 damaging:0.9 +dog"},
	}
	if got := docs(t, h); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("documents %v, want %v", got, want)
	}
	if h.Timers() != 1 { // page 1's wait, not yet due; it will find nothing waiting
		t.Errorf("%d timers pending", h.Timers())
	}
}

func TestLateScoresUpdate(t *testing.T) {
	h := harness(t, false)
	h.Send(revisions, "enwiki:3", revision(3, 30))
	if got := docs(t, h); len(got) != 0 {
		t.Fatalf("sent before its scores or the wait: %v", got)
	}
	h.Advance(11 * time.Second) // the wait is over
	h.Send(scores, "enwiki:3", score(3, 30, 0.4))
	want := []string{"index 30 pending:scores", "update 30 damaging:0.4"}
	if got := docs(t, h)["enwiki:3"]; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("documents %v, want %v", got, want)
	}
}

func TestRevisionOrderPerPage(t *testing.T) {
	h := harness(t, false)
	h.Send(revisions, "x", revision(4, 40))
	h.Send(revisions, "x", revision(4, 41)) // sends 40 first, without scores
	h.Send(scores, "x", score(4, 40, 0.2))  // stale: 41 is the page's newest
	h.Send(scores, "x", score(4, 41, 0.3))
	h.Send(revisions, "x", revision(4, 39)) // stale
	h.Send(revisions, "x", revision(4, 41)) // a redelivered copy
	h.Advance(11 * time.Second)
	want := []string{"index 40 pending:scores", "index 41 damaging:0.3"}
	if got := docs(t, h)["enwiki:4"]; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("documents %v, want %v", got, want)
	}
	if st, ok := h.State("enwiki:4"); !ok || st.Sent != 41 || st.Waiting != nil || len(st.Early) != 0 {
		t.Errorf("state %+v", st)
	}
}

func TestEarlyPartsAreBounded(t *testing.T) {
	h := harness(t, false)
	for rev := int64(100); rev < 100+2*searchindex.MaxEarly; rev++ {
		h.Send(scores, "enwiki:5", score(5, rev, 0.5))
	}
	if st, _ := h.State("enwiki:5"); len(st.Early) != searchindex.MaxEarly || st.Early[0].RevID != 100+searchindex.MaxEarly {
		t.Errorf("kept %d early parts from rev %d, want the newest %d", len(st.Early), st.Early[0].RevID, searchindex.MaxEarly)
	}
}

func TestBadEventsToTheErrorTopic(t *testing.T) {
	h := harness(t, false)
	h.Send(revisions, "a", []byte(`not json`))
	h.Send(revisions, "b", []byte(`{"database":"enwiki"}`))
	h.Send(scores, "c", []byte(`{"database":"enwiki","page_id":1,"rev_id":2}`))
	errs := h.Errors()
	if len(errs) != 3 {
		t.Fatalf("%d error records, want 3: %+v", len(errs), errs)
	}
	for i, want := range []string{"mediawiki.revision-create", "no database, page_id or rev_id", "no scores"} {
		if !strings.Contains(errs[i].Message, want) {
			t.Errorf("error %d: %q, want it to say %q", i, errs[i].Message, want)
		}
	}
}
