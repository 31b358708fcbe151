package pebblestore

import (
	"encoding/binary"
	"errors"

	"github.com/ripplestream/ripple/deps"
)

// recordFormat is the first byte of every forward record.
const recordFormat = 1

// errCorrupt is wrapped by decoding errors; it means the database holds
// bytes this version did not write.
var errCorrupt = errors.New("pebblestore: corrupt record")

// encodePage encodes a normalized PageDeps as a forward record.
func encodePage(p deps.PageDeps) []byte {
	b := make([]byte, 0, 64+16*len(p.Templates)+16*len(p.Links)+16*len(p.Files)+32*len(p.Entities))
	b = append(b, recordFormat)
	b = binary.AppendUvarint(b, uint64(p.RevID))
	b = binary.AppendUvarint(b, uint64(p.Page.ID))
	b = binary.AppendUvarint(b, uint64(p.Page.Namespace))
	for _, l := range [][]string{p.Templates, p.Links, p.Files} {
		b = binary.AppendUvarint(b, uint64(len(l)))
		for _, s := range l {
			b = appendString(b, s)
		}
	}
	b = binary.AppendUvarint(b, uint64(len(p.Entities)))
	for _, e := range p.Entities {
		b = appendString(b, string(e.ID))
		b = appendAspects(b, e.Aspects)
	}
	return b
}

// decodePage decodes a forward record of (wiki, title).
func decodePage(wiki, title string, v []byte) (deps.PageDeps, error) {
	if len(v) == 0 || v[0] != recordFormat {
		return deps.PageDeps{}, errCorrupt
	}
	r := reader{b: v[1:]}
	p := deps.PageDeps{Wiki: wiki, RevID: int64(r.uvarint())}
	p.Page = deps.PageRef{ID: int64(r.uvarint()), Namespace: deps.Namespace(r.uvarint()), Title: title}
	for _, l := range []*[]string{&p.Templates, &p.Links, &p.Files} {
		n := r.count()
		*l = make([]string, 0, n)
		for range n {
			*l = append(*l, r.string())
		}
	}
	n := r.count()
	p.Entities = make([]deps.EntityUsage, 0, n)
	for range n {
		id := deps.EntityID(r.string())
		p.Entities = append(p.Entities, deps.EntityUsage{ID: id, Aspects: r.aspects()})
	}
	if r.err != nil || len(r.b) != 0 {
		return deps.PageDeps{}, errCorrupt
	}
	return p, nil
}

// encodeReverse encodes the value of a reverse key: the dependent's
// namespace and page id and, for uses_entity, its aspects.
func encodeReverse(dst []byte, page deps.PageRef, aspects []deps.Aspect, entity bool) []byte {
	dst = binary.AppendUvarint(dst, uint64(page.Namespace))
	dst = binary.AppendUvarint(dst, uint64(page.ID))
	if entity {
		dst = appendAspects(dst, aspects)
	}
	return dst
}

// decodeReverse decodes a reverse value into the page's namespace, id and
// aspects.
func decodeReverse(v []byte, entity bool) (ns deps.Namespace, id int64, aspects []deps.Aspect, err error) {
	r := reader{b: v}
	ns, id = deps.Namespace(r.uvarint()), int64(r.uvarint())
	if entity {
		aspects = r.aspects()
	}
	if r.err != nil || len(r.b) != 0 {
		return 0, 0, nil, errCorrupt
	}
	return ns, id, aspects, nil
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendAspects(b []byte, aspects []deps.Aspect) []byte {
	b = binary.AppendUvarint(b, uint64(len(aspects)))
	for _, a := range aspects {
		b = appendString(b, string(a))
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
