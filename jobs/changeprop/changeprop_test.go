package changeprop_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ripplestream/ripple/deps"
	"github.com/ripplestream/ripple/deps/pebblestore"
	"github.com/ripplestream/ripple/deps/propagate"
	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/event/mediawiki"
	"github.com/ripplestream/ripple/jobs/changeprop"
	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/processor/processortest"
	"github.com/ripplestream/ripple/schemas"
)

func depsEvent(title string, ns int, rev int64, templates ...string) deps.PageDependencies {
	dt := time.Date(2026, 11, 22, 11, 0, 0, 0, time.UTC)
	return deps.PageDependencies{
		Envelope: event.Envelope{Schema: deps.DependenciesSchema, Meta: event.Meta{Stream: "ripple.page_dependencies", DT: dt}, DT: dt},
		WikiID:   "enwiki", Page: deps.EventPage{PageID: rev, PageTitle: title, NamespaceID: ns}, RevID: rev,
		Templates: append([]string{}, templates...), Links: []string{}, Files: []string{}, Entities: []deps.EventEntityUsage{},
	}
}

// pageChange is a mediawiki/page/change event valid against its schema.
func pageChange(kind, title string, ns int, dt time.Time) map[string]any {
	return map[string]any{
		"$schema": "/mediawiki/page/change/1.2.0", "dt": dt,
		"meta":    map[string]any{"stream": "mediawiki.page_change.v1", "dt": dt, "domain": "en.wikipedia.org", "uri": "https://en.wikipedia.org/wiki/" + url.PathEscape(title)},
		"wiki_id": "enwiki", "page_change_kind": kind, "changelog_kind": mediawiki.ChangelogKind(kind),
		"page":     map[string]any{"page_id": 1, "page_title": title, "namespace_id": ns},
		"revision": map[string]any{"rev_id": 1, "rev_dt": dt},
	}
}

func TestTemplateEditPurgesEveryTranscluderOnce(t *testing.T) {
	store, err := pebblestore.Open(pebblestore.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	clock := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	cfg := changeprop.Config{Store: store, Purges: "purges", Engine: propagate.Config{BatchSize: 7}, Now: func() time.Time { clock = clock.Add(time.Millisecond); return clock }}
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	fan, coalesce, err := changeprop.Jobs(cfg)
	if err != nil {
		t.Fatal(err)
	}
	h := processortest.New(t, fan, processor.Config{})
	// The coalesce harness's clock (its timers) starts at the job's clock.
	co := processortest.New(t, coalesce, processor.Config{Now: func() time.Time { return clock }})

	h.SendJSON(cfg.Dependencies, "enwiki:Template:Nav", depsEvent("Template:Nav", 10, 1, "Template:Box"))
	for i := range 50 {
		title := fmt.Sprintf("Page_%02d", i)
		templates := []string{"Template:Box"}
		if i%2 == 0 {
			templates = append(templates, "Template:Nav") // reaches Box twice
		}
		h.SendJSON(cfg.Dependencies, "enwiki:"+title, depsEvent(title, 0, 1, templates...))
	}
	edited := clock
	h.SendJSON(cfg.PageChanges, "enwiki:Template:Box", pageChange("edit", "Template:Box", 10, edited))

	cands := h.Output(cfg.CandidatesStream())
	if len(cands) != 1+1+50+25 { // the template, Nav, 50 pages directly, 25 again through Nav
		t.Fatalf("got %d candidates, want 77", len(cands))
	}
	if st, ok := h.State("enwiki:Template:Box"); !ok || st.Fanout == nil || !st.Fanout.Done() {
		t.Fatalf("after the fan-out, state = %+v (exists %v), want the finished walk", st, ok)
	}
	// The same change redelivered (at-least-once) does not walk again.
	h.SendJSON(cfg.PageChanges, "enwiki:Template:Box", pageChange("edit", "Template:Box", 10, edited))
	if n := len(h.Output(cfg.CandidatesStream())); n != 1 {
		t.Fatalf("a redelivered change gave %d candidates, want 1 (the template itself, again; no new walk)", n)
	}
	for _, m := range cands {
		co.Send(cfg.CandidatesStream(), m.Key, m.Value)
	}
	purges := co.Output(cfg.Purges)
	if len(purges) != 52 {
		t.Fatalf("got %d purges after coalescing, want 52 (each page once)", len(purges))
	}
	repo, err := event.OpenRepositoryFS(schemas.FS())
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, m := range purges {
		if err := repo.Validate(m.Value); err != nil {
			t.Fatalf("purge does not validate: %v\n%s", err, m.Value)
		}
		var rc propagate.ResourceChange
		_ = json.Unmarshal(m.Value, &rc)
		if seen[rc.Meta.URI] || !strings.HasPrefix(rc.Meta.URI, "https://en.wikipedia.org/wiki/") || rc.RootEvent == nil {
			t.Fatalf("bad or duplicate purge %s", m.Value)
		}
		seen[rc.Meta.URI] = true
	}
	for _, m := range co.Output(cfg.Rerenders) {
		if err := repo.Validate(m.Value); err != nil {
			t.Fatalf("rerender does not validate: %v\n%s", err, m.Value)
		}
	}

	// The same change again is covered by the purges just emitted; a later
	// edit is not.
	for _, m := range cands[:3] {
		co.Send(cfg.CandidatesStream(), m.Key, m.Value)
	}
	if n := len(co.Output(cfg.Purges)); n != 0 {
		t.Fatalf("%d purges for a change already purged", n)
	}
	h.SendJSON(cfg.PageChanges, "enwiki:Page_03", pageChange("edit", "Page_03", 0, clock.Add(time.Hour)))
	for _, m := range h.Output(cfg.CandidatesStream()) {
		co.Send(cfg.CandidatesStream(), m.Key, m.Value)
	}
	// Page_03 was purged moments ago: the later edit's purge waits for
	// the end of the coalescing window.
	if n := len(co.Output(cfg.Purges)); n != 0 {
		t.Fatalf("a later edit of Page_03 within the window gave %d purges at once, want 0 (held)", n)
	}
	co.Advance(changeprop.DefaultCoalesceWindow + time.Second) // the job's clock ran ahead of the harness's by milliseconds
	if n := len(co.Output(cfg.Purges)); n != 1 {
		t.Fatalf("a later edit of Page_03 gave %d purges when the window closed, want 1", n)
	}
}

// TestCoalesceWindowMergesABurst sends the purges of five edits of one
// page in a burst: the first goes out at once, the other four as one
// merged purge when the window closes, and an edit after that is sent at
// once again.
func TestCoalesceWindowMergesABurst(t *testing.T) {
	store, err := pebblestore.Open(pebblestore.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	clock := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	cfg := changeprop.Config{Store: store, Purges: "purges", CoalesceWindow: time.Minute, Now: func() time.Time { return clock }}
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	_, coalesce, err := changeprop.Jobs(cfg)
	if err != nil {
		t.Fatal(err)
	}
	co := processortest.New(t, coalesce, processor.Config{Now: cfg.Now})
	const uri = "https://en.wikipedia.org/wiki/Busy"
	candidate := func(edit int) changeprop.Candidate {
		dt := clock.Add(-time.Second)
		return changeprop.Candidate{Purge: propagate.ResourceChange{
			Envelope: event.Envelope{Schema: "/resource_change/1.0.0", Meta: event.Meta{URI: uri, Stream: string(cfg.Purges), DT: dt},
				RootEvent: &event.RootEvent{Signature: fmt.Sprintf("busy-%d", edit), DT: dt.Add(time.Duration(edit) * time.Millisecond)}},
			Tags: []string{fmt.Sprintf("edit-%d", edit)},
		}}
	}
	for i := range 5 {
		co.SendJSON(cfg.CandidatesStream(), uri, candidate(i))
		clock = clock.Add(5 * time.Second)
	}
	if n := len(co.Output(cfg.Purges)); n != 1 {
		t.Fatalf("a burst of 5 gave %d purges at once, want 1 (the leading edge)", n)
	}
	co.Advance(time.Minute)
	out := co.Output(cfg.Purges)
	if len(out) != 1 {
		t.Fatalf("the window's close gave %d purges, want 1", len(out))
	}
	var rc propagate.ResourceChange
	if err := json.Unmarshal(out[0].Value, &rc); err != nil {
		t.Fatal(err)
	}
	if rc.Coalesced != 4 || rc.RootEvent.Signature != "busy-4" || len(rc.Tags) != 4 {
		t.Errorf("merged purge = %s, want 4 coalesced, the root of the last edit and 4 tags", out[0].Value)
	}
	clock = clock.Add(2 * time.Minute)
	co.Advance(2 * time.Minute)
	co.SendJSON(cfg.CandidatesStream(), uri, candidate(5))
	if n := len(co.Output(cfg.Purges)); n != 1 {
		t.Errorf("an edit after the window gave %d purges at once, want 1", n)
	}
}

// TestBadChangesGoToTheErrorTopic sends events that are not what their
// input reads, or that its handler cannot use: each goes to the error topic
// after one attempt, with a reason that says what is wrong, in an error
// record valid against the schema it names; none purges anything.
func TestBadChangesGoToTheErrorTopic(t *testing.T) {
	store, err := pebblestore.Open(pebblestore.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	cfg := changeprop.Config{Store: store, Purges: "purges"}
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	fan, _, err := changeprop.Jobs(cfg)
	if err != nil {
		t.Fatal(err)
	}
	h := processortest.New(t, fan, processor.Config{})
	without := func(field string) map[string]any {
		ev := pageChange("edit", "X", 0, time.Now())
		delete(ev, field)
		return ev
	}
	otherSchema := pageChange("edit", "X", 0, time.Now())
	otherSchema["$schema"] = "/resource_change/1.0.0"
	bad := []struct {
		stream processor.Stream
		event  any
		reason string
	}{
		{cfg.PageChanges, pageChange("explode", "X", 0, time.Now()), "event: not a page change: page_change_kind: value must be one of"},
		{cfg.PageChanges, without("page"), "event: not a page change: no page (against /mediawiki/page/change/1.2.0)"},
		{cfg.PageChanges, without("meta"), "event: not a page change: no meta (against /mediawiki/page/change/1.2.0)"},
		{cfg.PageChanges, without("$schema"), "event: not a page change: no $schema"},
		{cfg.PageChanges, otherSchema, `event: not a page change: its $schema is "/resource_change/1.0.0"`},
		{cfg.PageChanges, pageChange("move", "X", 0, time.Now()), "bad change event: move of X without prior_state"},
		{cfg.EntityChanges, json.RawMessage(`{"entity_id":"not an id","aspects":["L.en"]}`), "event: not an entity change: no $schema"},
		{cfg.Dependencies, json.RawMessage(`{"$schema":"/ripple/page/dependencies/2.0.0","meta":{"stream":"ripple.page_dependencies"}}`), "event: not a page dependency set: no dt; no entities; no files"},
	}
	for _, b := range bad {
		h.SendJSON(b.stream, "k", b.event)
	}
	h.SendJSON(cfg.PageChanges, "k", pageChange("edit", "Fine", 0, time.Now()))
	records := h.Output(processortest.ErrorStream(fan.Name))
	if len(records) != len(bad) {
		t.Fatalf("got %d error records, want %d", len(records), len(bad))
	}
	repo, err := event.OpenRepositoryFS(schemas.FS())
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range records {
		if err := repo.Validate(m.Value); err != nil {
			t.Errorf("error record %d is invalid against the schema it names: %v\n%s", i, err, m.Value)
		}
		var e processor.ErrorRecord
		if err := json.Unmarshal(m.Value, &e); err != nil {
			t.Fatal(err)
		}
		if e.Schema != "/ripple/error/1.1.0" || e.Attempts != 1 || !strings.Contains(e.Message, bad[i].reason) {
			t.Errorf("error record %d: %s after %d attempts (schema %s), want %q after one", i, e.Message, e.Attempts, e.Schema, bad[i].reason)
		}
	}
	if n := len(h.Output(cfg.CandidatesStream())); n != 1 {
		t.Fatalf("the good edit gave %d candidates, want 1 (and the bad events none)", n)
	}
}

// TestSkipValidation: with validation off, an event without meta is acted
// on as far as it decodes.
func TestSkipValidation(t *testing.T) {
	store, err := pebblestore.Open(pebblestore.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	cfg := changeprop.Config{Store: store, SkipValidation: true}
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	fan, _, err := changeprop.Jobs(cfg)
	if err != nil {
		t.Fatal(err)
	}
	h := processortest.New(t, fan, processor.Config{})
	ev := pageChange("edit", "X", 0, time.Now())
	delete(ev, "meta")
	h.SendJSON(cfg.PageChanges, "enwiki:X", ev)
	if errs := h.Errors(); len(errs) != 0 {
		t.Fatalf("error records with validation off: %+v", errs)
	}
	if n := len(h.Output(cfg.CandidatesStream())); n != 1 {
		t.Fatalf("an edit without meta gave %d candidates with validation off, want 1", n)
	}
}

// TestUnknownWikiGoesToTheErrorTopic: a dependency set or page change on
// a wiki the site table lacks is refused with a reason that names the
// wiki and says how to add it; the job never guesses a domain.
func TestUnknownWikiGoesToTheErrorTopic(t *testing.T) {
	store, err := pebblestore.Open(pebblestore.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	cfg := changeprop.Config{Store: store, Purges: "purges"}
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	fan, _, err := changeprop.Jobs(cfg)
	if err != nil {
		t.Fatal(err)
	}
	h := processortest.New(t, fan, processor.Config{})
	dep := depsEvent("Donate", 0, 1)
	dep.WikiID = "foundationwiki"
	h.SendJSON(cfg.Dependencies, "foundationwiki:Donate", dep)
	change := pageChange("edit", "Donate", 0, time.Now())
	change["wiki_id"] = "foundationwiki"
	h.SendJSON(cfg.PageChanges, "foundationwiki:Donate", change)
	errs := h.Errors()
	if len(errs) != 2 {
		t.Fatalf("got %d error records, want 2: %+v", len(errs), errs)
	}
	for _, e := range errs {
		if e.Attempts != 1 || !strings.Contains(e.Message, `unknown wiki "foundationwiki"`) || !strings.Contains(e.Message, "site table") {
			t.Errorf("error record %+v: want the unknown wiki named after one attempt", e)
		}
	}
	if n := len(h.Output(cfg.CandidatesStream())); n != 0 {
		t.Fatalf("%d candidates for an unknown wiki, want none", n)
	}
	if p, ok, err := store.Page(t.Context(), "foundationwiki", "Donate"); err != nil || ok {
		t.Fatalf("the refused dependency set was stored: %+v, %v", p, err)
	}
}

// TestMobilePurges: with MobilePurges, a purge of a page on a wiki with a
// mobile site also purges its mobile URL; a wiki of the user's table
// without one gets its canonical URL purged alone.
func TestMobilePurges(t *testing.T) {
	store, err := pebblestore.Open(pebblestore.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	own := propagate.Sites{"intranetwiki": {Server: "https://wiki.example.org", ArticlePath: "/view/$1"}}
	cfg := changeprop.Config{Store: store, Purges: "purges", Sites: propagate.WikimediaSites().Merge(own), MobilePurges: true}
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	fan, _, err := changeprop.Jobs(cfg)
	if err != nil {
		t.Fatal(err)
	}
	h := processortest.New(t, fan, processor.Config{})
	h.SendJSON(cfg.PageChanges, "enwiki:C++", pageChange("edit", "C++", 0, time.Now()))
	intranet := pageChange("edit", "Q&A", 0, time.Now())
	intranet["wiki_id"] = "intranetwiki"
	h.SendJSON(cfg.PageChanges, "intranetwiki:Q&A", intranet)
	var got []string
	rerenders := 0
	for _, m := range h.Output(cfg.CandidatesStream()) {
		c, err := changeprop.CandidateCodec{}.Decode(m.Value)
		if err != nil {
			t.Fatal(err)
		}
		if m.Key != c.Purge.Meta.URI {
			t.Errorf("candidate keyed %q, want its URI %q", m.Key, c.Purge.Meta.URI)
		}
		if c.Rerender != nil {
			rerenders++
		}
		got = append(got, c.Purge.Meta.URI)
	}
	want := []string{"https://en.wikipedia.org/wiki/C%2B%2B", "https://en.m.wikipedia.org/wiki/C%2B%2B", "https://wiki.example.org/view/Q%26A"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("purged %q, want %q", got, want)
	}
	if rerenders != 2 {
		t.Fatalf("%d page_rerender requests, want one per page (2)", rerenders)
	}
}
