package dgraphstore

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"github.com/klauspost/compress/flate"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/ripplestream/ripple/deps"
)

// Versions of the value of the edges predicate. edgeSetVersion starts
// every value the store writes; edgeSetV1 starts those of earlier versions,
// which held only the edges, next to the page's rev predicate. A value that
// starts with neither was written by a later version of the store.
const (
	edgeSetVersion = "z2:"
	edgeSetV1      = "z1:"
)

// pageHead is what the edges value holds besides the edges: the page's
// revision, and the namespace and id of its ref.
type pageHead struct {
	rev, id int64
	ns      deps.Namespace
}

// encode returns the value of the edges predicate of a stored,
// normalized page: edgeSetVersion, the page's rev, namespace and id, each
// followed by ':', and the unpadded base64 of the DEFLATE of one line per
// edge, the kind's digit followed by the target and, for UsesEntity, the
// aspects, space-separated. Titles hold neither newlines nor spaces
// (deps.NormalizeTitle), entity ids and aspects neither.
//
// The value repeats what the page's edges and ref say, and holds its rev,
// so that a write reads and writes one value per page: one value costs
// Dgraph about as much to read or write as a small one, and a write reads
// it instead of the key of every target. It is compressed because writing
// it is most of what a new revision of a page costs Dgraph: sorted titles
// deflate to about a third.
func (c *edgeCodec) encode(p deps.PageDeps) string {
	var lines bytes.Buffer
	for i, e := range p.Edges() {
		if i > 0 {
			lines.WriteByte('\n')
		}
		lines.WriteByte('0' + byte(e.Kind))
		lines.WriteString(e.Target)
		for _, a := range e.Aspects {
			lines.WriteByte(' ')
			lines.WriteString(string(a))
		}
	}
	w := c.deflaters.Get().(*deflater)
	defer c.deflaters.Put(w)
	w.buf.Reset()
	w.w.Reset(&w.buf)
	w.w.Write(lines.Bytes()) // writes to a bytes.Buffer do not fail
	w.w.Close()
	out := make([]byte, 0, len(edgeSetVersion)+3*20+3+base64.RawStdEncoding.EncodedLen(w.buf.Len()))
	out = append(out, edgeSetVersion...)
	out = strconv.AppendInt(out, p.RevID, 10)
	out = append(out, ':')
	out = strconv.AppendInt(out, int64(p.Page.Namespace), 10)
	out = append(out, ':')
	out = strconv.AppendInt(out, p.Page.ID, 10)
	out = append(out, ':')
	return string(base64.RawStdEncoding.AppendEncode(out, w.buf.Bytes()))
}

// decode parses a value of encode. A value of edgeSetV1 has no head: ok is
// false, and the head is in the page's rev and ref predicates.
func (c *edgeCodec) decode(v string) (head pageHead, ok bool, edges []deps.Edge, err error) {
	b64, v1 := strings.CutPrefix(v, edgeSetV1)
	if !v1 {
		if head, b64, err = decodeHead(v); err != nil {
			return pageHead{}, false, nil, err
		}
	}
	edges, err = c.decodeEdges(b64)
	return head, !v1, edges, err
}

// decodeHead parses the head of a value of encode and returns the rest.
func decodeHead(v string) (pageHead, string, error) {
	rest, ok := strings.CutPrefix(v, edgeSetVersion)
	if !ok {
		return pageHead{}, "", fmt.Errorf("edge set %.10q...: want one that starts with %q or %q", v, edgeSetVersion, edgeSetV1)
	}
	var fields [3]int64
	for i := range fields {
		f, r, ok := strings.Cut(rest, ":")
		n, err := strconv.ParseInt(f, 10, 64)
		if !ok || err != nil || n < 0 {
			return pageHead{}, "", fmt.Errorf("edge set %.30q...: malformed head", v)
		}
		fields[i], rest = n, r
	}
	if fields[0] < 1 {
		return pageHead{}, "", fmt.Errorf("edge set %.30q...: rev %d", v, fields[0])
	}
	return pageHead{rev: fields[0], ns: deps.Namespace(fields[1]), id: fields[2]}, rest, nil
}

// decodeEdges parses the edges of a value of encode, after the head.
func (c *edgeCodec) decodeEdges(b64 string) ([]deps.Edge, error) {
	deflated, err := base64.RawStdEncoding.DecodeString(b64)
	if err != nil {
		return nil, fmt.Errorf("edge set: %w", err)
	}
	r := c.inflaters.Get().(io.ReadCloser)
	defer c.inflaters.Put(r)
	if err := r.(flate.Resetter).Reset(bytes.NewReader(deflated), nil); err != nil {
		return nil, fmt.Errorf("edge set: %w", err)
	}
	text, err := io.ReadAll(r)
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

// edgeCodec encodes and decodes values of the edges predicate, reusing its
// DEFLATE writers and readers: a flate.Writer allocates hundreds of
// kilobytes. They are klauspost/compress's, which write the same format as
// compress/flate, a little faster: BenchmarkEdgeSet's page of 77 edges
// encodes in 21 - 22 us instead of 24 - 26 (decoding takes 16 - 18 us with
// either); titles of 20 - 30 characters took 24 us instead of 37 to encode
// and 19 instead of 24 to decode.
type edgeCodec struct {
	deflaters, inflaters sync.Pool
}

// deflater is a reusable DEFLATE writer and its output.
type deflater struct {
	w   *flate.Writer
	buf bytes.Buffer
}

func newEdgeCodec() *edgeCodec {
	c := &edgeCodec{}
	c.deflaters.New = func() any {
		w, _ := flate.NewWriter(nil, flate.BestSpeed) // fails only for a bad level
		return &deflater{w: w}
	}
	c.inflaters.New = func() any { return flate.NewReader(bytes.NewReader(nil)) }
	return c
}
