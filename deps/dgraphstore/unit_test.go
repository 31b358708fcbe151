package dgraphstore

import (
	"bytes"
	"compress/flate"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/dgraph-io/dgo/v230"
	"github.com/klauspost/compress/s2"
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
		{Config{Addrs: []string{"a:1"}, CallTimeout: -time.Second}, false},
		{Config{Addrs: []string{"a:1"}, AlterTimeout: -time.Second}, false},
		{Config{Addrs: []string{"a:1"}, ReadAhead: -1, UIDCache: -1, MaxBatch: 1}, true},
		{Config{Addrs: []string{"a:1"}, ReadAhead: deps.MaxLimit + 1}, false},
		{Config{Addrs: []string{"a:1"}, Collapse: deps.CollapseLimits{Labels: -5}}, false},
		{Config{Addrs: []string{"a:1"}, TLS: TLSConfig{CAFile: "ca.crt", ServerName: "alpha"}}, true},
		{Config{Addrs: []string{"a:1"}, TLS: TLSConfig{CertFile: "c.crt", KeyFile: "c.key"}}, true},
		{Config{Addrs: []string{"a:1"}, TLS: TLSConfig{CAFile: "ca.crt", CertFile: "c.crt"}}, false},
		{Config{Addrs: []string{"a:1"}, TLS: TLSConfig{KeyFile: "c.key"}}, false},
	} {
		err := c.cfg.Validate()
		if c.ok != (err == nil) || err != nil && (!errors.Is(err, deps.ErrInvalidConfig) || !errors.Is(err, ErrInvalidConfig)) {
			t.Errorf("Validate(%+v) = %v, want ok=%v", c.cfg, err, c.ok)
		}
	}
	d := Config{Addrs: []string{"a:1"}}.WithDefaults()
	if d.Prefix != DefaultPrefix || d.MaxRetries != DefaultMaxRetries || d.MaxBatch != DefaultMaxBatch || d.UIDCache != DefaultUIDCache ||
		d.ReadAhead != DefaultReadAhead || d.Collapse != deps.DefaultCollapseLimits() || d.Logger == nil ||
		d.CallTimeout != DefaultCallTimeout || d.AlterTimeout != DefaultAlterTimeout {
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
		"rp_edges: string .",
		"rp_file: string @index(exact) .",
		"rp_transcludes: [uid] @reverse .",
		"rp_links_to: [uid] @reverse .",
		"rp_uses_file: [uid] @reverse .",
		"rp_uses_entity: [uid] @reverse .",
	} {
		if !strings.Contains(schema, want+"\n") {
			t.Errorf("schema lacks %q:\n%s", want, schema)
		}
	}
	if n := len(p.all()); n != 10 {
		t.Errorf("%d predicates, want 10", n)
	}
	if targetKey("enwiki", deps.LinksTo, "X") != "enwiki|X" || targetKey("enwiki", deps.UsesEntity, "Q1") != "Q1" {
		t.Error("targetKey")
	}
	if titleOfKey("enwiki", "enwiki|Template:X") != "Template:X" {
		t.Error("titleOfKey")
	}
}

func TestEdgeSet(t *testing.T) {
	p, err := deps.PageDeps{
		Wiki: "enwiki", Page: deps.PageRef{Title: "A"}, RevID: 1,
		Templates: []string{"Template:B", "Module:A/b"}, Links: []string{"Größe", "A_\\\"q'"},
		Files:    []string{"File:X.png"},
		Entities: []deps.EntityUsage{{ID: "Q42", Aspects: []deps.Aspect{"S", "L.en", "C.P31"}}, {ID: "L7-F1", Aspects: []deps.Aspect{"X"}}},
	}.Normalize(deps.DefaultCollapseLimits())
	if err != nil {
		t.Fatal(err)
	}
	c := newEdgeCodec()
	for _, p := range []deps.PageDeps{p, {Wiki: "enwiki", Page: deps.PageRef{ID: 9, Namespace: 4, Title: "Empty"}, RevID: 3}} {
		head, ok, got, err := c.decode(c.encode(p))
		if want := p.Edges(); err != nil || !ok || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("edge set round trip: %v, %v, %v; want %v", got, ok, err, want)
		}
		if want := (pageHead{rev: p.RevID, ns: p.Page.Namespace, id: p.Page.ID}); head != want {
			t.Errorf("edge set round trip: head %+v; want %+v", head, want)
		}
	}
	deflate := func(prefix, text string) string {
		var b bytes.Buffer
		w, _ := flate.NewWriter(&b, flate.BestSpeed)
		w.Write([]byte(text))
		w.Close()
		return prefix + base64.RawStdEncoding.EncodeToString(b.Bytes())
	}
	snappy := func(prefix, text string) string {
		return prefix + base64.RawStdEncoding.EncodeToString(s2.Encode(nil, []byte(text)))
	}
	// Values of this version and of the two before it.
	for _, v := range []string{snappy(edgeSetVersion+"5:0:12:", "1A\n4Q1 S"), deflate(edgeSetV2+"5:0:12:", "1A\n4Q1 S"), deflate(edgeSetV1, "1A\n4Q1 S")} {
		head, ok, got, err := c.decode(v)
		if err != nil || fmt.Sprint(got) != "[{transcludes A []} {uses_entity Q1 [S]}]" {
			t.Errorf("decode of a hand-made edge set %q: %v, %v", v, got, err)
		}
		if want := (pageHead{rev: 5, id: 12}); ok && head != want || !ok && head != (pageHead{}) || ok == strings.HasPrefix(v, edgeSetV1) {
			t.Errorf("decode of a hand-made edge set %q: head %+v, %v", v, head, ok)
		}
	}
	bad := []string{"", "e1\n1A", "z4:1:0:1:" + snappy("", "1A"), edgeSetV1 + "!!", edgeSetV1 + "AAAA", deflate(edgeSetV1, "1A\n"),
		deflate(edgeSetV1, "9A"), deflate(edgeSetV1, "1"), deflate(edgeSetV2+"1:0:1:", "1A\n"),
		snappy(edgeSetVersion+"1:0:1:", "1A\n"), snappy(edgeSetVersion+"1:0:1:", "9A"), edgeSetVersion + "1:0:1:AAAA",
		deflate(edgeSetVersion+"1:0:1:", "1A"), snappy(edgeSetV2+"1:0:1:", "1A")}
	for _, head := range []string{"", "0:0:1:", "1:-1:1:", "1:x:1:", "1:0:"} {
		bad = append(bad, snappy(edgeSetVersion+head, "1A"), deflate(edgeSetV2+head, "1A"))
	}
	for _, v := range bad {
		if _, _, _, err := c.decode(v); err == nil {
			t.Errorf("decode(%q) accepted", v)
		}
	}
}

func TestChangeOf(t *testing.T) {
	page := func(links []string, aspects ...deps.Aspect) deps.PageDeps {
		return deps.PageDeps{Wiki: "w", Page: deps.PageRef{Title: "P"}, RevID: 1, Links: links,
			Entities: []deps.EntityUsage{{ID: "Q1", Aspects: aspects}}}
	}
	prev := page([]string{"A", "B", "C"}, "S")
	before := stored{found: true, rev: prev.RevID, edges: prev.Edges()}
	next := page([]string{"B", "D"}, "L.en", "S")
	c := changeOf(before, next, next.Edges())
	if got, want := fmt.Sprint(c.set, c.del), "[{links_to D []} {uses_entity Q1 [L.en S]}] [{links_to A []} {links_to C []}]"; got != want {
		t.Errorf("changeOf: set, del = %s, want %s", got, want)
	}
	if c := changeOf(before, prev, prev.Edges()); len(c.set)+len(c.del) != 0 {
		t.Errorf("changeOf an unchanged set: %+v", c)
	}
}

func TestUIDCache(t *testing.T) {
	c := newUIDCache(2)
	c.put("a", 1)
	c.put("b", 2)
	c.put("c", 3) // a and b become the old generation
	if c.get("a") != 1 || c.get("c") != 3 {
		t.Fatal("lost a key of the old or current generation")
	}
	c.put("d", 4) // a moved to the current generation with c; b is dropped
	c.put("e", 5)
	if c.get("b") != 0 || c.get("d") != 4 || c.get("e") != 5 {
		t.Errorf("generations: b=%d d=%d e=%d", c.get("b"), c.get("d"), c.get("e"))
	}
	c.reset()
	if c.get("e") != 0 {
		t.Error("reset kept a key")
	}
	off := newUIDCache(0)
	off.put("a", 1)
	if off.get("a") != 0 {
		t.Error("a disabled cache remembered a key")
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
		{status.Error(codes.Unknown, "Please retry again, server is not ready to accept requests"), true},
		{status.Error(codes.Unknown, "Unable to reach leader of group: 1"), true},
		{status.Error(codes.Unknown, "Server overloaded with pending proposals. Please retry later"), true},
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

func TestParseRefsRDF(t *testing.T) {
	rdf := `<0x2> <r> "0|5|enwiki|A" .
<0xa> <r> "10|6|enwiki|Template:\"Q\"_\u00fc" .
`
	got, err := parseRefsRDF([]byte(rdf))
	if want := `[{2 0|5|enwiki|A} {10 10|6|enwiki|Template:"Q"_ü}]`; err != nil || fmt.Sprint(got) != want {
		t.Errorf("parseRefsRDF = %v, %v; want %s", got, err, want)
	}
	if got, err := parseRefsRDF(nil); err != nil || len(got) != 0 {
		t.Errorf("parseRefsRDF of nothing = %v, %v", got, err)
	}
	for _, bad := range []string{
		"<0x2> <r> \"0|1|w|A\"\n", // no dot
		"<0x1> <x> \"0|1|w|A\" .\n",
		"<0x1> <r> 0|1|w|A .\n",
		"<zz> <r> \"0|1|w|A\" .\n",
		"<0x2> <r> \"0|1|w|A\" .\n<0x1> <r> \"0|1|w|B\" .\n", // out of order
	} {
		if _, err := parseRefsRDF([]byte(bad)); err == nil {
			t.Errorf("parseRefsRDF(%q) accepted", bad)
		}
	}
}

func TestReadAhead(t *testing.T) {
	r := &readAhead{ttl: time.Minute}
	now := time.Now()
	refs := func(uids ...uint64) []rdfRef {
		out := make([]rdfRef, len(uids))
		for i, u := range uids {
			out[i] = rdfRef{uid: u, ref: fmt.Sprint(u)}
		}
		return out
	}
	// A read of 5 dependents and more, returned in pages of 2.
	nodes, next, ok := r.page(&stash{edge: deps.LinksTo, target: "w|T", nodes: refs(1, 2, 3, 4, 5), more: true, read: now}, 2)
	if !ok || fmt.Sprint(nodes) != "[{1 1} {2 2}]" || next != encodeCursor(2) {
		t.Fatalf("first page: %v, %q, %v", nodes, next, ok)
	}
	if r.take(deps.Transcludes, "w|T", next, now) != nil || r.take(deps.LinksTo, "w|U", next, now) != nil {
		t.Error("took the stash of another traversal")
	}
	st := r.take(deps.LinksTo, "w|T", next, now)
	if st == nil {
		t.Fatal("no stash for the second page")
	}
	if nodes, next, ok = r.page(st, 2); !ok || fmt.Sprint(nodes) != "[{3 3} {4 4}]" || next != encodeCursor(4) {
		t.Fatalf("second page: %v, %q, %v", nodes, next, ok)
	}
	// One dependent left and more follow: not enough for a page of 2.
	if st = r.take(deps.LinksTo, "w|T", next, now); st == nil {
		t.Fatal("no stash for the third page")
	}
	if _, _, ok = r.page(st, 2); ok {
		t.Error("a stash of 1 dependent with more to follow filled a page of 2")
	}
	// The end of a traversal, and a stale stash.
	if nodes, next, ok = r.page(&stash{nodes: refs(7), read: now}, 2); !ok || len(nodes) != 1 || next != "" {
		t.Errorf("last page: %v, %q, %v", nodes, next, ok)
	}
	r.page(&stash{edge: deps.LinksTo, target: "w|T", nodes: refs(8, 9, 10), read: now}, 1)
	if r.take(deps.LinksTo, "w|T", encodeCursor(8), now.Add(2*time.Minute)) != nil {
		t.Error("took a stash older than the ttl")
	}
	for i := range maxStashes + 1 {
		r.put(&stash{after: encodeCursor(uint64(i + 1)), read: now})
	}
	if r.take(0, "", encodeCursor(1), now) != nil || r.take(0, "", encodeCursor(2), now) == nil {
		t.Error("kept more than maxStashes stashes, or not the newest")
	}
}

func TestChunkEnd(t *testing.T) {
	page := func(links int) deps.PageDeps { return deps.PageDeps{Links: make([]string, links)} }
	pages := []deps.PageDeps{page(10), page(maxChunkEdges), page(10), page(maxChunkEdges + 1), page(1), page(1), page(1)}
	var got []int
	for from := 0; from < len(pages); from = chunkEnd(pages, from, 2) {
		got = append(got, from)
	}
	if want := "[0 1 2 3 4 6]"; fmt.Sprint(got) != want {
		t.Errorf("chunks start at %v, want %s", got, want)
	}
}

// TestScopedValues checks the values of a page with scoped edges and a
// digest: its edges value round-trips them, and its ref tells each edge's
// scope.
func TestScopedValues(t *testing.T) {
	p, err := deps.PageDeps{Wiki: "enwiki", Page: deps.PageRef{ID: 3, Namespace: deps.NamespaceTemplate, Title: "Template:Infobox"}, RevID: 9,
		Templates: []string{"Template:Box", "Template:Documentation"}, Links: []string{"Help:Infobox"},
		PassesOn: &deps.Sets{Templates: []string{"Template:Box", "Module:Infobox"}}, Digest: "0a1b"}.Normalize(deps.CollapseLimits{})
	if err != nil {
		t.Fatal(err)
	}
	p.DigestSince = 7
	c := newEdgeCodec()
	v := c.encode(p)
	if !strings.HasPrefix(v, edgeSetScoped+"9:10:3:7:0a1b:") {
		t.Fatalf("edges value %q: want %s with the digest in its head", v, edgeSetScoped)
	}
	head, ok, edges, err := c.decode(v)
	if err != nil || !ok || head != (pageHead{rev: 9, ns: deps.NamespaceTemplate, id: 3, since: 7, digest: "0a1b"}) {
		t.Fatalf("decode: %+v, %v, %v", head, ok, err)
	}
	got := deps.PageDepsFromEdges("enwiki", p.Page, head.rev, edges)
	got.Digest, got.DigestSince = head.digest, head.since
	if !reflect.DeepEqual(got, p) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, p)
	}
	ref := encodeScopedRef("enwiki", p.Page, p.Edges())
	if _, page, err := decodeRef(ref); err != nil || page != p.Page {
		t.Errorf("decodeRef(%q) = %+v, %v", ref, page, err)
	}
	for _, c := range []struct {
		kind   deps.EdgeKind
		target string
		want   deps.Scope
	}{
		{deps.Transcludes, "Template:Documentation", deps.ScopeOwn},
		{deps.Transcludes, "Module:Infobox", deps.ScopePassesOn},
		{deps.Transcludes, "Template:Box", deps.ScopeBoth},
		{deps.LinksTo, "Help:Infobox", deps.ScopeOwn},
		{deps.Transcludes, "Help:Infobox", deps.ScopeBoth},
	} {
		if got := refScope(ref, c.kind, c.target); got != c.want {
			t.Errorf("refScope(%q, %s, %s) = %s, want %s", ref, c.kind, c.target, got, c.want)
		}
	}
	if got := refScope(encodeRef("enwiki", p.Page), deps.Transcludes, "Template:Documentation"); got != deps.ScopeBoth {
		t.Errorf("refScope of a ref without scopes = %s", got)
	}
	for _, bad := range []string{edgeSetScoped + "9:10:3:7:", edgeSetScoped + "9:10:3:x:aa:", edgeSetScoped + "9:10:3:7:aa:" + base64.RawStdEncoding.EncodeToString(s2.Encode(nil, []byte("19A")))} {
		if _, _, _, err := c.decode(bad); err == nil {
			t.Errorf("decode(%q) accepted", bad)
		}
	}
}

// TestOpenTLSFiles: files Open cannot use fail it with ErrInvalidConfig,
// naming the file and never its contents.
func TestOpenTLSFiles(t *testing.T) {
	dir := t.TempDir()
	const secret = "not-a-key-SECRET-4242"
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	notPEM := write("ca.crt", secret)
	badKey := write("client.key", "-----BEGIN PRIVATE KEY-----\n"+secret+"\n-----END PRIVATE KEY-----\n")
	for _, c := range []struct {
		name string
		tls  TLSConfig
		want string
	}{
		{"missing CA", TLSConfig{CAFile: filepath.Join(dir, "none.crt")}, "none.crt"},
		{"CA not PEM", TLSConfig{CAFile: notPEM}, "holds no PEM certificate"},
		{"bad key pair", TLSConfig{CertFile: notPEM, KeyFile: badKey}, "client.key"},
	} {
		_, err := Open(context.Background(), Config{Addrs: []string{"127.0.0.1:1"}, TLS: c.tls})
		if !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Open = %v, want ErrInvalidConfig naming %q", c.name, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), secret) {
			t.Errorf("%s: the error shows the file's contents: %v", c.name, err)
		}
	}
}

func TestRetriable(t *testing.T) {
	for _, c := range []struct {
		err  error
		want bool
	}{
		{dgo.ErrAborted, true},
		{fmt.Errorf("commit: %w", dgo.ErrAborted), true},
		{status.Error(codes.Unavailable, "connection refused"), true},
		{fmt.Errorf("query: %w", status.Error(codes.Unavailable, "transport is closing")), true},
		{status.Error(codes.Unknown, "Unable to reach leader of group 1"), true},
		{status.Error(codes.Unknown, "while parsing query"), false},
		{status.Error(codes.DeadlineExceeded, "alpha did not answer"), false},
		{status.Error(codes.InvalidArgument, "bad"), false},
		{errors.New("decoding"), false},
	} {
		if got := retriable(c.err); got != c.want {
			t.Errorf("retriable(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}

func TestTLSHint(t *testing.T) {
	for msg, want := range map[string]string{
		`connection error: desc = "error reading server preface: EOF"`:                              "set dgraphstore.Config.TLS",
		`connection error: desc = "tls: first record does not look like a TLS handshake"`:           "leave dgraphstore.Config.TLS empty",
		`transport: authentication handshake failed: x509: certificate signed by unknown authority`: "CAFile, ServerName",
		`connection refused`: "",
	} {
		if got := tlsHint(msg); want == "" && got != "" || !strings.Contains(got, want) {
			t.Errorf("tlsHint(%q) = %q, want one saying %q", msg, got, want)
		}
	}
}
