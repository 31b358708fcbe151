package dgraphstore

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/ripplestream/ripple/deps"
)

// edgeSetVersion starts every value of the edges predicate. A value that
// does not start with it was written by a later version of the store.
const edgeSetVersion = "z1:"

// encode returns the value of the edges predicate of a stored,
// normalized page: edgeSetVersion and the unpadded base64 of the DEFLATE
// of one line per edge, the kind's digit followed by the target and, for
// UsesEntity, the aspects, space-separated. Titles hold neither newlines
// nor spaces (deps.NormalizeTitle), entity ids and aspects neither.
//
// The value repeats what the page's edges say, so that a write reads one
// value per page instead of the key of every target. It is compressed
// because writing it is most of what a new revision of a page costs
// Dgraph: sorted titles deflate to about a third.
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
	return edgeSetVersion + base64.RawStdEncoding.EncodeToString(w.buf.Bytes())
}

// decode parses a value of encode.
func (c *edgeCodec) decode(v string) ([]deps.Edge, error) {
	b64, ok := strings.CutPrefix(v, edgeSetVersion)
	if !ok {
		return nil, fmt.Errorf("edge set %.10q...: want one that starts with %q", v, edgeSetVersion)
	}
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
// kilobytes.
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
