package tokens

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func change(rev int64, text string) PageChange {
	p := PageChange{WikiID: "enwiki", PageChangeKind: "edit", Page: Page{PageID: 7, PageTitle: "Foo"}}
	p.Revision.RevID = rev
	p.Revision.ContentSlots = map[string]Slot{"main": {ContentModel: "wikitext", ContentBody: &text}}
	return p
}

func TestRevise(t *testing.T) {
	tk, err := New(Config{MaxTextBytes: 100, MaxStateTokens: 3})
	if err != nil {
		t.Fatal(err)
	}
	first := State{Wiki: "enwiki", PageID: 7, RevID: 10, Counts: Counts{"a": 2, "b": 1}}
	noText := change(11, "")
	noText.Revision.ContentSlots = nil
	other := change(11, "x")
	other.Page.PageID = 8
	deleted := change(0, "")
	deleted.PageChangeKind = "delete"
	for _, tc := range []struct {
		name    string
		prev    State
		in      PageChange
		outcome Outcome
		err     error
		next    State
		added   Counts
		removed Counts
		approx  bool
	}{
		{name: "first revision", in: change(10, "a b a"), outcome: Tokenized, next: first,
			added: Counts{"a": 2, "b": 1}, removed: Counts{}},
		{name: "edit", prev: first, in: change(11, "a c"), outcome: Tokenized,
			next:  State{Wiki: "enwiki", PageID: 7, RevID: 11, Counts: Counts{"a": 1, "c": 1}},
			added: Counts{"c": 1}, removed: Counts{"a": 1, "b": 1}},
		{name: "stale", prev: first, in: change(9, "zzz"), outcome: Stale,
			next: State{Wiki: "enwiki", PageID: 7, RevID: 10, Counts: first.Counts, Ignored: 1}},
		{name: "duplicate", prev: first, in: change(10, "zzz"), outcome: Duplicate,
			next: State{Wiki: "enwiki", PageID: 7, RevID: 10, Counts: first.Counts, Ignored: 1}},
		{name: "truncated state", prev: first, in: change(11, "d d d c c b a e"), outcome: Tokenized,
			next:  State{Wiki: "enwiki", PageID: 7, RevID: 11, Counts: Counts{"d": 3, "c": 2, "a": 1}, Truncated: true},
			added: Counts{"d": 3, "c": 2, "e": 1}, removed: Counts{"a": 1}},
		{name: "after truncation", prev: State{Wiki: "enwiki", PageID: 7, RevID: 11, Counts: Counts{"d": 3}, Truncated: true},
			in: change(12, "d d d"), outcome: Tokenized, approx: true,
			next: State{Wiki: "enwiki", PageID: 7, RevID: 12, Counts: Counts{"d": 3}}, added: Counts{}, removed: Counts{}},
		{name: "delete", prev: first, in: deleted, outcome: Deleted},
		{name: "no text", prev: first, in: noText, err: ErrBadEvent, next: first},
		{name: "no wiki", in: PageChange{}, err: ErrBadEvent},
		{name: "too large", prev: first, in: change(11, strings.Repeat("a ", 51)), err: ErrTooLarge, next: first},
		{name: "another page", prev: first, in: other, err: ErrKeyMismatch, next: first},
	} {
		t.Run(tc.name, func(t *testing.T) {
			next, res, err := tk.Revise(tc.prev, tc.in)
			if !errors.Is(err, tc.err) {
				t.Fatalf("err = %v, want %v", err, tc.err)
			}
			if !reflect.DeepEqual(next, tc.next) && !(len(next.Counts) == 0 && len(tc.next.Counts) == 0 && next.RevID == tc.next.RevID) {
				t.Fatalf("next = %+v, want %+v", next, tc.next)
			}
			if err != nil {
				return
			}
			if res.Outcome != tc.outcome || res.Approximate != tc.approx {
				t.Fatalf("result %+v, want outcome %s approximate %v", res, tc.outcome, tc.approx)
			}
			if tc.outcome == Tokenized && (!equalCounts(res.Delta.Added, tc.added) || !equalCounts(res.Delta.Removed, tc.removed)) {
				t.Fatalf("delta %+v, want +%v -%v", res.Delta, tc.added, tc.removed)
			}
		})
	}
}

func TestReviseCapsOutputTokens(t *testing.T) {
	tk, _ := New(Config{MaxOutputTokens: 2})
	_, res, err := tk.Revise(State{}, change(1, "a b c d"))
	if err != nil || res.TokenCount != 4 || !slices.Equal(res.Tokens, []string{"a", "b"}) {
		t.Fatalf("res %+v err %v", res, err)
	}
	ev := tk.Event(change(1, "a b c d"), res)
	if !ev.TokensTruncated || !ev.DeltaTruncated || len(ev.Added) != 2 {
		t.Fatalf("event %+v", ev)
	}
}

func TestStateCodec(t *testing.T) {
	for _, s := range []State{
		{Counts: Counts{}},
		{Wiki: "enwiki", PageID: 1 << 40, RevID: 99, Counts: Counts{"a": 1, "東": 300, "": 2}, Truncated: true, Ignored: 5},
	} {
		b, err := StateCodec{}.Encode(s)
		if err != nil {
			t.Fatal(err)
		}
		got, err := StateCodec{}.Decode(b)
		if err != nil || !reflect.DeepEqual(got, s) {
			t.Fatalf("round trip of %+v = %+v, %v", s, got, err)
		}
		for i := range b { // every truncation is an error, never a panic
			if _, err := (StateCodec{}).Decode(b[:i]); err == nil && i < len(b) {
				t.Fatalf("decoding %d of %d bytes succeeded", i, len(b))
			}
		}
	}
}

func TestConfigValidate(t *testing.T) {
	c := Config{MaxTokenBytes: -1}
	if err := c.Validate(); !errors.Is(err, ErrInvalidConfig) {
		t.Fatalf("err = %v", err)
	}
	c = Config{}
	c = c.WithDefaults()
	if err := c.Validate(); err != nil || c.MaxStateTokens != DefaultMaxStateTokens || c.Input != DefaultInput {
		t.Fatalf("defaults %+v %v", c, err)
	}
}
