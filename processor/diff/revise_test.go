package diff

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func change(kind string, rev int64, text string) PageChange {
	p := PageChange{WikiID: "enwiki", PageChangeKind: kind, Page: Page{PageID: 7, PageTitle: "Foo"}}
	p.Revision.RevID = rev
	p.Revision.ContentSlots = map[string]Slot{"main": {ContentModel: "wikitext", ContentBody: &text}}
	return p
}

func mustRevise(t *testing.T, d *Differ, prev State, ch PageChange) (State, Result) {
	t.Helper()
	next, res, err := d.Revise(prev, ch)
	if err != nil {
		t.Fatal(err)
	}
	return next, res
}

func TestRevise(t *testing.T) {
	d, err := New(Config{MaxTextBytes: 200, MaxDiffBytes: 400, MaxDeps: 5})
	if err != nil {
		t.Fatal(err)
	}
	v1 := "Intro [[Paris]] and [[London]].\n{{Infobox city}}\n[[Category:Cities]]\n"
	v2 := "Intro [[Paris]] and [[Berlin]].\n{{Infobox city}}\n[[File:Map.png]]\n[[Category:Cities]]\n"
	big := strings.Repeat("x\n", 150) // 300 bytes: over MaxTextBytes, under MaxDiffBytes

	st, res := mustRevise(t, d, State{}, change("edit", 10, v1))
	if res.Outcome != Baseline || !st.Kept || st.Text != v1 || !st.DepsKnown ||
		!slices.Equal(st.Deps.Links, []string{"London", "Paris"}) {
		t.Fatalf("baseline: %+v %+v", res, st)
	}

	st2, res := mustRevise(t, d, st, change("edit", 12, v2))
	if res.Outcome != Diffed || res.PrevRevID != 10 || !res.Exact || res.Skipped != "" {
		t.Fatalf("edit: %+v", res)
	}
	if got := render(res.Chunks); got != "-Intro [[Paris]] and [[London]].|+Intro [[Paris]] and [[Berlin]].|={{Infobox city}}|+[[File:Map.png]]|=[[Category:Cities]]|" {
		t.Fatalf("chunks %s", got)
	}
	if res.Words.Added["berlin"] != 1 || res.Words.Removed["london"] != 1 || res.Words.Added["file:map.png"] != 1 || len(res.Words.Removed) != 1 {
		t.Fatalf("words %+v", res.Words)
	}
	wantDeps := DepsDelta{
		Links:      SetDelta{Added: []string{"Berlin"}, Removed: []string{"London"}},
		Files:      SetDelta{Added: []string{"File:Map.png"}, Removed: []string{}},
		Templates:  SetDelta{Added: []string{}, Removed: []string{}},
		Categories: SetDelta{Added: []string{}, Removed: []string{}},
	}
	if !reflect.DeepEqual(res.Deps, wantDeps) {
		t.Fatalf("deps %+v", res.Deps)
	}

	// Older and repeated revisions are ignored and counted.
	st3, res := mustRevise(t, d, st2, change("edit", 11, "old"))
	if res.Outcome != Stale || st3.Stale != 1 || st3.RevID != 12 || st3.Text != v2 {
		t.Fatalf("stale: %+v %+v", res, st3)
	}
	st3, res = mustRevise(t, d, st3, change("edit", 12, v2))
	if res.Outcome != Duplicate || st3.Duplicate != 1 {
		t.Fatalf("duplicate: %+v", res)
	}

	// Over MaxTextBytes: diffed now, kept as a hash, the next diff skipped.
	st4, res := mustRevise(t, d, st3, change("edit", 13, big))
	if res.Skipped != "" || st4.Kept || st4.Text != "" || st4.Size != 300 || len(res.Chunks) == 0 {
		t.Fatalf("big: %+v %+v", res, st4)
	}
	st5, res := mustRevise(t, d, st4, change("edit", 14, big))
	if !res.Unchanged || res.Skipped != "" || res.Chunks != nil {
		t.Fatalf("unchanged big: %+v", res)
	}
	st6, res := mustRevise(t, d, st5, change("edit", 15, "small\n"))
	if !strings.Contains(res.Skipped, "MaxTextBytes") || !st6.Kept {
		t.Fatalf("after big: %+v %+v", res, st6)
	}
	// Over MaxDiffBytes: neither diffed nor parsed.
	_, res = mustRevise(t, d, st6, change("edit", 16, strings.Repeat("[[a]]", 100)))
	if !strings.Contains(res.Skipped, "MaxDiffBytes") || !strings.Contains(res.DepsSkipped, "MaxDiffBytes") {
		t.Fatalf("huge: %+v", res)
	}
	// Too many dependencies: not kept.
	many, res := mustRevise(t, d, st6, change("edit", 16, "[[a]][[b]][[c]][[d]][[e]][[f]]"))
	if many.DepsKnown || !strings.Contains(res.DepsSkipped, "MaxDeps") {
		t.Fatalf("many deps: %+v %+v", res, many)
	}
	if _, res = mustRevise(t, d, many, change("edit", 17, "x")); !strings.Contains(res.DepsSkipped, "not kept") {
		t.Fatalf("after many deps: %+v", res)
	}
}

func TestReviseNewPageAndErrors(t *testing.T) {
	d, _ := New(Config{})
	_, res := mustRevise(t, d, State{}, change("create", 1, "Hello [[World]]\n"))
	if res.Outcome != Diffed || render(res.Chunks) != "+Hello [[World]]|" || !slices.Equal(res.Deps.Links.Added, []string{"World"}) {
		t.Fatalf("create: %+v", res)
	}
	st, _ := mustRevise(t, d, State{}, change("edit", 1, "x"))
	del := change("delete", 0, "")
	if next, res := mustRevise(t, d, st, del); res.Outcome != Deleted || next.RevID != 0 {
		t.Fatalf("delete: %+v", res)
	}
	other := change("edit", 2, "x")
	other.Page.PageID = 8
	noText := change("edit", 2, "")
	noText.Revision.ContentSlots = nil
	badTitle := change("create", 3, "[[Link]]")
	badTitle.Page.PageTitle = "Bad[[Title"
	for _, tc := range []struct {
		ch   PageChange
		want error
	}{
		{other, ErrKeyMismatch},
		{noText, ErrBadEvent},
		{PageChange{WikiID: "enwiki"}, ErrBadEvent},
	} {
		if _, _, err := d.Revise(st, tc.ch); !errors.Is(err, tc.want) {
			t.Errorf("Revise(%+v) error %v, want %v", tc.ch, err, tc.want)
		}
	}
	if _, res := mustRevise(t, d, State{}, badTitle); !slices.Equal(res.Deps.Links.Added, []string{"Link"}) {
		t.Fatalf("a bad title should not lose the links: %+v", res.Deps)
	}
}

func TestStateCodec(t *testing.T) {
	d, _ := New(Config{})
	st, _ := mustRevise(t, d, State{}, change("edit", 5, "a [[B]] {{C}} [[File:D.png]] [[Category:E]]\n"))
	st.Stale, st.Duplicate = 3, 4
	for _, s := range []State{{}, st} {
		b, err := StateCodec{}.Encode(s)
		if err != nil {
			t.Fatal(err)
		}
		got, err := StateCodec{}.Decode(b)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(normalize(got), normalize(s)) {
			t.Fatalf("round trip of %+v = %+v", s, got)
		}
		for i := range b {
			if _, err := (StateCodec{}).Decode(b[:i]); err == nil {
				t.Fatalf("decoding %d of %d bytes succeeded", i, len(b))
			}
		}
	}
}

// normalize makes empty dependency lists nil, as the zero State has them.
func normalize(s State) State {
	for _, l := range []*[]string{&s.Deps.Templates, &s.Deps.Links, &s.Deps.Files, &s.Deps.Categories} {
		if len(*l) == 0 {
			*l = nil
		}
	}
	return s
}

func TestConfigValidate(t *testing.T) {
	for _, c := range []Config{{MaxEditCost: -1}, {MaxTextBytes: 10, MaxDiffBytes: 5}} {
		if err := c.Validate(); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("Validate(%+v) = %v", c, err)
		}
	}
}
