package pebblestore

import (
	"encoding/binary"
	"errors"

	"github.com/ripplestream/ripple/deps"
	"github.com/ripplestream/ripple/internal/binread"
)

// Forward record formats: the first byte of every forward record. A page
// with neither PassesOn nor a Digest is written as recordFormat, as
// earlier versions wrote every page; one with either as recordPassesOn,
// which appends the digest, DigestSince and PassesOn.
const (
	recordFormat   = 1
	recordPassesOn = 2
)

// errCorrupt is wrapped by decoding errors; it means the database holds
// bytes this version did not write.
var errCorrupt = errors.New("pebblestore: corrupt record")

// encodePage encodes a normalized PageDeps as a forward record.
func encodePage(p deps.PageDeps) []byte {
	b := make([]byte, 0, 64+16*len(p.Templates)+16*len(p.Links)+16*len(p.Files)+32*len(p.Entities))
	format := byte(recordFormat)
	if p.PassesOn != nil || p.Digest != "" {
		format = recordPassesOn
	}
	b = append(b, format)
	b = binary.AppendUvarint(b, uint64(p.RevID))
	b = binary.AppendUvarint(b, uint64(p.Page.ID))
	b = binary.AppendUvarint(b, uint64(p.Page.Namespace))
	b = appendSets(b, deps.Sets{Templates: p.Templates, Links: p.Links, Files: p.Files, Entities: p.Entities})
	if format == recordFormat {
		return b
	}
	b = binread.AppendString(b, p.Digest)
	b = binary.AppendUvarint(b, uint64(p.DigestSince))
	if p.PassesOn == nil {
		return append(b, 0)
	}
	return appendSets(append(b, 1), *p.PassesOn)
}

// appendSets appends the lists of s.
func appendSets(b []byte, s deps.Sets) []byte {
	for _, l := range [][]string{s.Templates, s.Links, s.Files} {
		b = binary.AppendUvarint(b, uint64(len(l)))
		for _, t := range l {
			b = binread.AppendString(b, t)
		}
	}
	b = binary.AppendUvarint(b, uint64(len(s.Entities)))
	for _, e := range s.Entities {
		b = binread.AppendString(b, string(e.ID))
		b = appendAspects(b, e.Aspects)
	}
	return b
}

// decodePage decodes a forward record of (wiki, title).
func decodePage(wiki, title string, v []byte) (deps.PageDeps, error) {
	if len(v) == 0 || v[0] != recordFormat && v[0] != recordPassesOn {
		return deps.PageDeps{}, errCorrupt
	}
	r := reader{b: v[1:]}
	p := deps.PageDeps{Wiki: wiki, RevID: int64(r.uvarint())}
	p.Page = deps.PageRef{ID: int64(r.uvarint()), Namespace: deps.Namespace(r.uvarint()), Title: title}
	own := r.sets()
	p.Templates, p.Links, p.Files, p.Entities = own.Templates, own.Links, own.Files, own.Entities
	if v[0] == recordPassesOn {
		p.Digest = r.string()
		p.DigestSince = int64(r.uvarint())
		if r.byte() == 1 {
			passed := r.sets()
			p.PassesOn = &passed
		}
	}
	if r.err != nil || len(r.b) != 0 {
		return deps.PageDeps{}, errCorrupt
	}
	return p, nil
}

// sets reads what appendSets wrote.
func (r *reader) sets() deps.Sets {
	var s deps.Sets
	for _, l := range []*[]string{&s.Templates, &s.Links, &s.Files} {
		n := r.count()
		*l = make([]string, 0, n)
		for range n {
			*l = append(*l, r.string())
		}
	}
	n := r.count()
	s.Entities = make([]deps.EntityUsage, 0, n)
	for range n {
		id := deps.EntityID(r.string())
		s.Entities = append(s.Entities, deps.EntityUsage{ID: id, Aspects: r.aspects()})
	}
	return s
}

// byte reads one byte.
func (r *reader) byte() byte {
	if r.err != nil || len(r.b) == 0 {
		r.err = errCorrupt
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

// encodeReverse encodes the value of a reverse key: the dependent's
// namespace and page id, for uses_entity its aspects and, unless it is
// deps.ScopeBoth (all that earlier versions wrote), the edge's scope.
func encodeReverse(dst []byte, page deps.PageRef, aspects []deps.Aspect, entity bool, scope deps.Scope) []byte {
	dst = binary.AppendUvarint(dst, uint64(page.Namespace))
	dst = binary.AppendUvarint(dst, uint64(page.ID))
	if entity {
		dst = appendAspects(dst, aspects)
	}
	if scope != deps.ScopeBoth {
		dst = append(dst, byte(scope))
	}
	return dst
}

// decodeReverse decodes a reverse value into the page's namespace, id,
// aspects and the edge's scope.
func decodeReverse(v []byte, entity bool) (ns deps.Namespace, id int64, aspects []deps.Aspect, scope deps.Scope, err error) {
	r := reader{b: v}
	ns, id = deps.Namespace(r.uvarint()), int64(r.uvarint())
	if entity {
		aspects = r.aspects()
	}
	if len(r.b) > 0 {
		scope = deps.Scope(r.byte())
	}
	if r.err != nil || len(r.b) != 0 || !scope.Valid() {
		return 0, 0, nil, 0, errCorrupt
	}
	return ns, id, aspects, scope, nil
}

func appendAspects(b []byte, aspects []deps.Aspect) []byte {
	b = binary.AppendUvarint(b, uint64(len(aspects)))
	for _, a := range aspects {
		b = binread.AppendString(b, string(a))
	}
	return b
}

// reader decodes what the append functions wrote; the first failure sticks
// in err and later reads return zero values.
type reader struct {
	b   []byte
	err error
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errCorrupt
		return 0
	}
	r.b = r.b[n:]
	return v
}

// count reads a list length, bounded by the bytes left so that corrupt
// input cannot make us allocate much.
func (r *reader) count() int {
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		r.err = errCorrupt
		return 0
	}
	return int(n)
}

func (r *reader) string() string {
	n := r.count()
	if r.err != nil {
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

func (r *reader) aspects() []deps.Aspect {
	n := r.count()
	out := make([]deps.Aspect, 0, n)
	for range n {
		out = append(out, deps.Aspect(r.string()))
	}
	return out
}
