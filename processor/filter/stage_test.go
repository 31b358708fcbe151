package filter_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/processor/filter"
	"github.com/ripplestream/ripple/processor/processortest"
)

func recentChange(comment any) map[string]any {
	return map[string]any{
		"$schema":  "/mediawiki/recentchange/1.0.0",
		"meta":     map[string]any{"stream": "mediawiki.recentchange", "id": "e1", "uri": "https://en.wikipedia.org/wiki/Foo", "dt": "2026-01-01T00:00:00Z"},
		"dt":       "2026-01-01T00:00:00Z",
		"title":    "Foo",
		"revision": map[string]any{"comment": comment},
	}
}

func TestStage(t *testing.T) {
	f, err := filter.New(filter.Config{
		Input: "mediawiki.recentchange", Field: "revision.comment",
		Patterns: []filter.Pattern{{Text: "vandal"}, {Text: `rv\b`, Regex: true}},
		Options:  filter.Options{CaseInsensitive: true, WholeWord: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	h := processortest.New(t, f.Job(), processor.Config{})
	h.SendJSON("mediawiki.recentchange", "k1", recentChange("Reverted VANDAL edit (rv)"))
	h.SendJSON("mediawiki.recentchange", "k2", recentChange("vandalism cleanup")) // not a whole word
	h.SendJSON("mediawiki.recentchange", "k3", recentChange("typo"))

	out := h.Output(filter.DefaultOutput)
	if len(out) != 1 || out[0].Key != "k1" {
		t.Fatalf("outputs %+v", out)
	}
	var ev filter.Event
	if err := json.Unmarshal(out[0].Value, &ev); err != nil {
		t.Fatal(err)
	}
	if len(ev.Matches) != 2 || ev.Matches[0].Text != "vandal" || ev.Matches[1].Count != 1 || ev.Field != "revision.comment" ||
		ev.Schema != filter.EventSchema || ev.RootEvent == nil || !strings.Contains(string(ev.Event), "Reverted VANDAL") {
		t.Fatalf("event %+v", ev)
	}

	// A reload takes effect for the next event, without a restart.
	if err := f.Reload(filter.Keywords("typo")); err != nil {
		t.Fatal(err)
	}
	h.SendJSON("mediawiki.recentchange", "k4", recentChange("typo"))
	if out := h.Output(filter.DefaultOutput); len(out) != 1 || out[0].Key != "k4" {
		t.Fatalf("after reload: %+v", out)
	}
	if errs := h.Errors(); len(errs) != 0 {
		t.Fatalf("errors: %+v", errs)
	}
}

func TestStageBadInput(t *testing.T) {
	job, err := filter.Job(filter.Config{Input: "in", Field: "revision.comment", Patterns: filter.Keywords("x"), MaxTextBytes: 1000})
	if err != nil {
		t.Fatal(err)
	}
	h := processortest.New(t, job, processor.Config{})
	noRevision := recentChange("x")
	delete(noRevision, "revision")
	h.Send("in", "a", []byte(`not json`))
	h.Send("in", "b", []byte(`[1,2]`))
	h.SendJSON("in", "c", noRevision)
	h.SendJSON("in", "d", recentChange(42))
	h.SendJSON("in", "e", recentChange(nil))
	h.SendJSON("in", "f", recentChange(strings.Repeat("x", 2000)))
	h.Send("in", "g", []byte("{\"revision\":{\"comment\":\"x \xff\"}}")) // invalid UTF-8: matched as U+FFFD
	want := []string{"the event is not a JSON object", "the event is not a JSON object", "no field revision",
		"is a number", "is null", "MaxTextBytes"}
	errs := h.Errors()
	if len(errs) != len(want) {
		t.Fatalf("%d errors, want %d: %+v", len(errs), len(want), errs)
	}
	for i, e := range errs {
		if !strings.Contains(e.Message, want[i]) || e.ErrorType != "handler" {
			t.Errorf("error %d: %q (%s), want %q", i, e.Message, e.ErrorType, want[i])
		}
	}
	if out := h.Output(filter.DefaultOutput); len(out) != 1 || out[0].Key != "g" {
		t.Fatalf("outputs %+v", out)
	}
}
