//go:build integration

package searchindex_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/internal/jobtest"
	"github.com/ripplestream/ripple/internal/testenv"
	"github.com/ripplestream/ripple/jobs/searchindex"
	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/schemas"
)

// TestIntegrationSearchIndex runs the job on the real broker over 50
// pages, each with two revisions (under the page's key), the second's
// scores and both token deltas (under other keys, so through the job's
// loop): every document validates against ripple/search/index_update, a
// page's documents come in revision order, the first revision is indexed
// without scores, and the second ends up with its scores and tokens, in
// its index document or in updates after it.
func TestIntegrationSearchIndex(t *testing.T) {
	kc := testenv.Kafka(t)
	name := processor.Group(testenv.Name(t, "searchindex"))
	revs, scs, tks, out := testenv.Name(t, "revisions"), testenv.Name(t, "scores"), testenv.Name(t, "tokens"), testenv.Name(t, "index")
	for _, s := range []string{revs, scs, tks} {
		testenv.CreateTopic(t, kc, s, 4)
	}
	t.Cleanup(func() {
		timers := string(processor.TimerStream(name))
		testenv.DeleteTopics(t, kc, out, string(name)+"-table", string(name)+".error", string(name)+"-loop",
			timers, timers+".ready", string(name)+".timers-loop")
	})
	job, err := searchindex.Job(searchindex.Config{Name: name, Revisions: processor.Stream(revs), Scores: processor.Stream(scs),
		Tokens: processor.Stream(tks), Output: processor.Stream(out), Wait: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	const pages = 50
	var r, s, k []testenv.Record
	for p := int64(1); p <= pages; p++ {
		key := []byte(searchindex.PageKey("enwiki", p))
		r = append(r, testenv.Record{Key: key, Value: revision(p, 10*p)}, testenv.Record{Key: key, Value: revision(p, 10*p+1)})
		s = append(s, testenv.Record{Key: fmt.Appendf(nil, "score-%d", p), Value: score(p, 10*p+1, 0.25)})
		k = append(k, testenv.Record{Key: fmt.Appendf(nil, "tokens-%d", p), Value: tokens(p, 10*p, "cat")},
			testenv.Record{Key: fmt.Appendf(nil, "tokens-%d", p+1000), Value: tokens(p, 10*p+1, "dog")})
	}
	testenv.Produce(t, kc, scs, s[:pages/2]) // half the scores before their revisions
	testenv.Produce(t, kc, revs, r)
	testenv.Produce(t, kc, tks, k)
	testenv.Produce(t, kc, scs, s[pages/2:])
	jobtest.Start(t, job, processor.Config{Brokers: kc.Brokers, StateDir: t.TempDir()})

	repo, err := event.OpenRepositoryFS(schemas.FS())
	if err != nil {
		t.Fatal(err)
	}
	var byPage map[string][]searchindex.Document
	testenv.Eventually(t, 2*time.Minute, func() error {
		byPage = map[string][]searchindex.Document{}
		for _, m := range testenv.ReadAll(t, kc, out) {
			if err := repo.Validate(m.Value); err != nil {
				t.Fatalf("document %s: %v", m.Value, err)
			}
			var d searchindex.Document
			if err := json.Unmarshal(m.Value, &d); err != nil {
				t.Fatal(err)
			}
			byPage[string(m.Key)] = append(byPage[string(m.Key)], d)
		}
		done := 0
		for _, ds := range byPage {
			if final(ds).Scores != nil && final(ds).TokensAdded["dog"] == 1 {
				done++
			}
		}
		if done < pages {
			return fmt.Errorf("%d of %d pages have their second revision's scores and tokens indexed", done, pages)
		}
		return nil
	})
	updates := 0
	for key, ds := range byPage {
		var p int64
		fmt.Sscanf(key, "enwiki:%d", &p)
		if len(ds) < 2 || ds[0].Op != searchindex.OpIndex || ds[0].RevID != 10*p || ds[0].Scores != nil ||
			ds[1].Op != searchindex.OpIndex || ds[1].RevID != 10*p+1 {
			t.Errorf("page %s: documents %+v, want the first revision indexed without scores, then the second", key, ds)
			continue
		}
		for _, d := range ds[2:] {
			if d.Op != searchindex.OpUpdate || d.RevID != 10*p+1 {
				t.Errorf("page %s: after both revisions %+v, want updates of the second only", key, d)
			}
			updates++
		}
	}
	if errs := testenv.ReadAll(t, kc, string(name)+".error"); len(errs) != 0 {
		t.Errorf("%d events in the error topic, first %s", len(errs), errs[0].Value)
	}
	t.Logf("%d pages: two index documents each in revision order, %d late parts sent as updates", len(byPage), updates)
}

// final is the page's newest revision's document with its updates merged.
func final(ds []searchindex.Document) searchindex.Document {
	var f searchindex.Document
	for _, d := range ds {
		if d.RevID != f.RevID {
			f = d
			continue
		}
		if d.Scores != nil {
			f.Scores = d.Scores
		}
		if d.TokensAdded != nil {
			f.TokensAdded = d.TokensAdded
		}
	}
	return f
}
