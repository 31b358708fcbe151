package dgraphstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/dgraph-io/dgo/v230"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/ripplestream/ripple/deps"
)

func TestConfigValidate(t *testing.T) {
	for _, c := range []struct {
		cfg Config
		ok  bool
	}{
		{Config{Addrs: []string{"127.0.0.1:9080"}}, true},
		{Config{Addrs: []string{"a:1", "b:2"}, Prefix: "ripple_deps_2", MaxRetries: 3}, true},
		{Config{}, false},
		{Config{Addrs: []string{""}}, false},
		{Config{Addrs: []string{"a:1"}, Prefix: "1abc"}, false},
		{Config{Addrs: []string{"a:1"}, Prefix: "a-b"}, false},
		{Config{Addrs: []string{"a:1"}, Prefix: "_x"}, false},
		{Config{Addrs: []string{"a:1"}, Prefix: strings.Repeat("a", maxPrefixBytes+1)}, false},
		{Config{Addrs: []string{"a:1"}, MaxRetries: -1}, false},
		{Config{Addrs: []string{"a:1"}, Collapse: deps.CollapseLimits{Labels: -5}}, false},
	} {
		err := c.cfg.Validate()
		if c.ok != (err == nil) || err != nil && !errors.Is(err, deps.ErrInvalidConfig) {
			t.Errorf("Validate(%+v) = %v, want ok=%v", c.cfg, err, c.ok)
		}
	}
	d := Config{Addrs: []string{"a:1"}}.withDefaults()
	if d.Prefix != DefaultPrefix || d.MaxRetries != DefaultMaxRetries || d.Collapse != deps.DefaultCollapseLimits() || d.Logger == nil {
		t.Errorf("withDefaults = %+v", d)
	}
}

func TestCursor(t *testing.T) {
	for _, uid := range []uint64{1, 0x2a, 1 << 63} {
		got, err := decodeCursor(encodeCursor(uid))
		if err != nil || got != uid {
			t.Errorf("cursor of %#x decodes to %#x, %v", uid, got, err)
		}
	}
	for _, c := range []deps.Cursor{"", "dg1.", "dg1.0", "dg1.xyz", "pb1.AAAA", "dg2.1a"} {
		if _, err := decodeCursor(c); !errors.Is(err, deps.ErrBadCursor) {
			t.Errorf("decodeCursor(%q) = %v, want ErrBadCursor", c, err)
		}
	}
}

func TestRef(t *testing.T) {
	page := deps.PageRef{ID: 8091, Namespace: deps.NamespaceTemplate, Title: "Template:A/B:C_ü"}
	wiki, got, err := decodeRef(encodeRef("enwiki", page))
	if err != nil || wiki != "enwiki" || got != page {
		t.Errorf("ref round trip: %q %+v %v", wiki, got, err)
	}
	for _, bad := range []string{"", "1|2|w", "x|2|w|T", "1|y|w|T"} {
		if _, _, err := decodeRef(bad); err == nil {
			t.Errorf("decodeRef(%q) accepted", bad)
		}
	}
}

func TestSchema(t *testing.T) {
	p := newPreds("rp")
	schema := p.schema()
	for _, want := range []string{
		"rp_key: string @index(exact) @upsert .",
		"rp_wiki: string @index(exact) .",
		"rp_ref: string .",
		"rp_rev: int .",
		"rp_transcludes: [uid] @reverse .",
		"rp_links_to: [uid] @reverse .",
		"rp_uses_file: [uid] @reverse .",
		"rp_uses_entity: [uid] @reverse .",
	} {
		if !strings.Contains(schema, want+"\n") {
			t.Errorf("schema lacks %q:\n%s", want, schema)
		}
	}
	if n := len(p.all()); n != 8 {
		t.Errorf("%d predicates, want 8", n)
	}
	if targetKey("enwiki", deps.LinksTo, "X") != "enwiki|X" || targetKey("enwiki", deps.UsesEntity, "Q1") != "Q1" {
		t.Error("targetKey")
	}
	if titleOfKey("enwiki", "enwiki|Template:X") != "Template:X" {
		t.Error("titleOfKey")
	}
}

func TestRounds(t *testing.T) {
	page := func(title string) deps.PageDeps {
		return deps.PageDeps{Wiki: "w", Page: deps.PageRef{Title: title}}
	}
	pages := []deps.PageDeps{page("A"), page("B"), page("A"), page("C"), page("A"), page("D"), page("E")}
	got := fmt.Sprint(rounds(pages, 2))
	if want := "[[0 1] [2 3] [4 5] [6]]"; got != want {
		t.Errorf("rounds = %s, want %s", got, want)
	}
	if got, want := fmt.Sprint(rounds(pages, 100)), "[[0 1 3 5 6] [2] [4]]"; got != want {
		t.Errorf("rounds = %s, want %s", got, want)
	}
}

func TestWrapClassifies(t *testing.T) {
	s := &Store{}
	ctx := context.Background()
	for _, c := range []struct {
		err       error
		retriable bool
	}{
		{status.Error(codes.Unavailable, "connection refused"), true},
		{status.Error(codes.Unknown, "No connection exists"), true},
		{dgo.ErrAborted, true},
		{status.Error(codes.Unknown, "line 3: syntax error"), false},
		{errors.New("boom"), false},
	} {
		if got := deps.Retriable(s.wrap(ctx, "op", c.err)); got != c.retriable {
			t.Errorf("wrap(%v): retriable %v, want %v", c.err, got, c.retriable)
		}
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.wrap(cancelled, "op", status.Error(codes.Canceled, "x")); !errors.Is(err, context.Canceled) || deps.Retriable(err) {
		t.Errorf("wrap with a cancelled context: %v", err)
	}
}
