package dgraphstore

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/s2"

	"github.com/ripplestream/ripple/deps"
)

// Versions of the value of the edges predicate. edgeSetVersion starts
// every value the store writes. Earlier versions of the store wrote the
// others, which it still reads: edgeSetV2, the same head with the edges
// deflated, and edgeSetV1, the deflated edges alone, next to the page's rev
// predicate. A value that starts with none was written by a later version
// of the store.
//
// edgeSetScoped is edgeSetVersion for a page with a digest or an edge of
// a scope other than deps.ScopeBoth: its head adds the page's DigestSince
// and Digest, and each line a digit of the edge's scope after the kind's.
// Other pages are written as edgeSetVersion, as before.
const (
	edgeSetScoped  = "z4:"
	edgeSetVersion = "z3:"
	edgeSetV2      = "z2:"
	edgeSetV1      = "z1:"
)

// headed reports whether v, a value of the edges predicate, holds the
// page's head (rev, namespace and id).
func headed(v string) bool {
	return strings.HasPrefix(v, edgeSetVersion) || strings.HasPrefix(v, edgeSetScoped) || strings.HasPrefix(v, edgeSetV2)
}

// pageHead is what the edges value holds besides the edges: the page's
// revision, the namespace and id of its ref, and its digest with the
// revision it has been stored since (edgeSetScoped only).
type pageHead struct {
	rev, id int64
	ns      deps.Namespace
	since   int64
	digest  string
}

// scoped reports whether p needs edgeSetScoped.
func scoped(p deps.PageDeps, edges []deps.Edge) bool {
	if p.Digest != "" {
		return true
	}
	for _, e := range edges {
		if e.Scope != deps.ScopeBoth {
			return true
		}
	}
	return false
}

// encode returns the value of the edges predicate of a stored,
// normalized page: edgeSetVersion, the page's rev, namespace and id, each
// followed by ':', and the unpadded base64 of the S2 block of one line per
// edge, the kind's digit followed by the target and, for UsesEntity, the
// aspects, space-separated. Titles hold neither newlines nor spaces
// (deps.NormalizeTitle), entity ids and aspects neither.
//
// The value repeats what the page's edges and ref say, and holds its rev,
// so that a write reads and writes one value per page: one value costs
// Dgraph about as much to read or write as a small one, and a write reads
// it instead of the key of every target. It is compressed because writing
// it is much of what a new revision of a page costs Dgraph. S2 (klauspost's
// Snappy) leaves BenchmarkEdgeSet's page at 40% of its size, DEFLATE (in
// edgeSetV2) at 25%; but with S2 the page encodes in 7 us instead of 22 and
// decodes in 8 instead of 17, and on a machine the client shares with
// Dgraph the CPU that saves is worth more than the bytes: new revisions
// went from about 3,000 to 3,650 pages/s (BENCHMARKS.md).
func (c *edgeCodec) encode(p deps.PageDeps) string { return c.encodeEdges(p, p.Edges()) }

// encodeEdges is encode of p, whose edges (p.Edges()) the caller holds.
func (c *edgeCodec) encodeEdges(p deps.PageDeps, edges []deps.Edge) string {
	withScope := scoped(p, edges)
	lines := c.lines.Get().(*bytes.Buffer)
	defer c.lines.Put(lines)
	lines.Reset()
	for i, e := range edges {
		if i > 0 {
			lines.WriteByte('\n')
		}
		lines.WriteByte('0' + byte(e.Kind))
		if withScope {
			lines.WriteByte('0' + byte(e.Scope))
		}
		lines.WriteString(e.Target)
		for _, a := range e.Aspects {
			lines.WriteByte(' ')
			lines.WriteString(string(a))
		}
	}
	block := c.blocks.Get().(*[]byte)
	defer c.blocks.Put(block)
	*block = s2.Encode((*block)[:cap(*block)], lines.Bytes())
	out := make([]byte, 0, len(edgeSetVersion)+4*20+len(p.Digest)+5+base64.RawStdEncoding.EncodedLen(len(*block)))
	if withScope {
		out = append(out, edgeSetScoped...)
	} else {
		out = append(out, edgeSetVersion...)
	}
	out = strconv.AppendInt(out, p.RevID, 10)
	out = append(out, ':')
	out = strconv.AppendInt(out, int64(p.Page.Namespace), 10)
	out = append(out, ':')
	out = strconv.AppendInt(out, p.Page.ID, 10)
	out = append(out, ':')
	if withScope {
		out = strconv.AppendInt(out, p.DigestSince, 10)
		out = append(out, ':')
		out = append(out, p.Digest...)
		out = append(out, ':')
	}
	return string(base64.RawStdEncoding.AppendEncode(out, *block))
}

// decode parses a value of encode, or of an earlier version. A value of
// edgeSetV1 has no head: ok is false, and the head is in the page's rev and
// ref predicates.
func (c *edgeCodec) decode(v string) (head pageHead, ok bool, edges []deps.Edge, err error) {
	if b64, v1 := strings.CutPrefix(v, edgeSetV1); v1 {
		edges, err = c.decodeEdges(b64, c.inflate, false)
		return pageHead{}, false, edges, err
	}
	head, b64, err := decodeHead(v)
	if err != nil {
		return pageHead{}, false, nil, err
	}
	unpack := c.unS2
	if strings.HasPrefix(v, edgeSetV2) {
		unpack = c.inflate
	}
	edges, err = c.decodeEdges(b64, unpack, strings.HasPrefix(v, edgeSetScoped))
	return head, true, edges, err
}

// decodeHead parses the head of a value of encode and returns the rest.
func decodeHead(v string) (pageHead, string, error) {
	if !headed(v) {
		return pageHead{}, "", fmt.Errorf("edge set %.10q...: want one that starts with %q, %q, %q or %q", v, edgeSetScoped, edgeSetVersion, edgeSetV2, edgeSetV1)
	}
	rest := v[len(edgeSetVersion):] // every headed version's prefix is as long
	var fields [4]int64
	n := 3
	if strings.HasPrefix(v, edgeSetScoped) {
		n = 4
	}
	for i := range n {
		f, r, ok := strings.Cut(rest, ":")
		x, err := strconv.ParseInt(f, 10, 64)
		if !ok || err != nil || x < 0 {
			return pageHead{}, "", fmt.Errorf("edge set %.30q...: malformed head", v)
		}
		fields[i], rest = x, r
	}
	if fields[0] < 1 {
		return pageHead{}, "", fmt.Errorf("edge set %.30q...: rev %d", v, fields[0])
	}
	head := pageHead{rev: fields[0], ns: deps.Namespace(fields[1]), id: fields[2], since: fields[3]}
	if n == 4 {
		digest, r, ok := strings.Cut(rest, ":")
		if !ok {
			return pageHead{}, "", fmt.Errorf("edge set %.30q...: malformed head", v)
		}
		head.digest, rest = digest, r
	}
	return head, rest, nil
}

// decodeEdges parses the edges of a value after its head: b64, which
// unpack turns into the lines encode wrote, with a scope digit after the
// kind's when withScope.
func (c *edgeCodec) decodeEdges(b64 string, unpack func([]byte) ([]byte, error), withScope bool) ([]deps.Edge, error) {
	packed, err := base64.RawStdEncoding.DecodeString(b64)
	if err != nil {
		return nil, fmt.Errorf("edge set: %w", err)
	}
	text, err := unpack(packed)
	if err != nil {
		return nil, fmt.Errorf("edge set: %w", err)
	}
	if len(text) == 0 {
		return nil, nil
	}
	lines := strings.Split(string(text), "\n")
	out := make([]deps.Edge, 0, len(lines))
	for _, l := range lines {
		if len(l) < 2 || !deps.EdgeKind(l[0]-'0').Valid() {
			return nil, fmt.Errorf("edge set: malformed edge %q", l)
		}
		e := deps.Edge{Kind: deps.EdgeKind(l[0] - '0'), Target: l[1:]}
		if withScope {
			if len(l) < 3 || !deps.Scope(l[1]-'0').Valid() {
				return nil, fmt.Errorf("edge set: malformed edge %q", l)
			}
			e.Scope, e.Target = deps.Scope(l[1]-'0'), l[2:]
		}
		if e.Kind == deps.UsesEntity {
			fields := strings.Split(e.Target, " ")
			e.Target, e.Aspects = fields[0], make([]deps.Aspect, len(fields)-1)
			for i, f := range fields[1:] {
				e.Aspects[i] = deps.Aspect(f)
			}
		}
		out = append(out, e)
	}
	return out, nil
}

// unS2 returns the lines of an S2 block (edgeSetVersion).
func (c *edgeCodec) unS2(block []byte) ([]byte, error) { return s2.Decode(nil, block) }

// inflate returns the lines of a DEFLATE stream (edgeSetV1 and edgeSetV2).
func (c *edgeCodec) inflate(deflated []byte) ([]byte, error) {
	r := c.inflaters.Get().(io.ReadCloser)
	defer c.inflaters.Put(r)
	if err := r.(flate.Resetter).Reset(bytes.NewReader(deflated), nil); err != nil {
		return nil, err
	}
	return io.ReadAll(r)
}

// edgeCodec encodes and decodes values of the edges predicate, reusing its
// buffers and the DEFLATE readers of earlier versions' values (a flate
// reader allocates tens of kilobytes).
type edgeCodec struct {
	lines, blocks, inflaters sync.Pool
}

func newEdgeCodec() *edgeCodec {
	c := &edgeCodec{}
	c.lines.New = func() any { return new(bytes.Buffer) }
	c.blocks.New = func() any { return new([]byte) }
	c.inflaters.New = func() any { return flate.NewReader(bytes.NewReader(nil)) }
	return c
}
