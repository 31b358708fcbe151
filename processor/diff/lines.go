package diff

import (
	"errors"
	"fmt"
	"strings"
)

// Op is what a Chunk does to the old text.
type Op uint8

// Ops of a Chunk.
const (
	Equal  Op = iota // lines in both texts
	Delete           // lines only in the old text
	Insert           // lines only in the new text
)

// String returns "=", "-" or "+".
func (o Op) String() string { return [...]string{"=", "-", "+"}[o] }

// Chunk is a run of lines with one Op. Lines keep their "\n"; only the last
// line of a text may lack it.
type Chunk struct {
	Op    Op
	Lines []string
}

// SplitLines returns the lines of s, each with its "\n" (the last one
// without, if s does not end in "\n"). Their concatenation is s.
func SplitLines(s string) []string {
	if s == "" {
		return nil
	}
	lines := make([]string, 0, strings.Count(s, "\n")+1)
	for s != "" {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			lines = append(lines, s)
			break
		}
		lines = append(lines, s[:i+1])
		s = s[i+1:]
	}
	return lines
}

// Lines returns a line diff from old to new: chunks that, applied to old
// (Apply), give new. Lines unique to both texts anchor the diff (patience
// diff, which keeps moved paragraphs and repeated blank lines from
// producing confusing matches); between anchors, Myers' O(ND) algorithm
// finds a shortest edit script. maxCost bounds the edit distance Myers
// searches in each stretch between anchors: a stretch that needs more is
// replaced whole (its old lines deleted, its new ones inserted), and exact
// is false. So the time is O((n+m)·maxCost) at worst and the extra memory
// O(n + m + maxCost²), whatever the texts.
func Lines(old, new string, maxCost int) (chunks []Chunk, exact bool) {
	a, b := SplitLines(old), SplitLines(new)
	ids := map[string]int32{}
	intern := func(lines []string) []int32 {
		out := make([]int32, len(lines))
		for i, l := range lines {
			id, ok := ids[l]
			if !ok {
				id = int32(len(ids))
				ids[l] = id
			}
			out[i] = id
		}
		return out
	}
	d := differ{a: intern(a), b: intern(b), maxCost: max(maxCost, 1), exact: true}
	d.diff(0, len(a), 0, len(b), 0)
	return d.chunks(a, b), d.exact
}

// ErrMismatch is returned by Apply when the chunks do not fit the text.
var ErrMismatch = errors.New("diff: chunks do not apply to the text")

// Apply returns old with chunks applied. Equal and Delete chunks must match
// old line by line, in order, and cover it all.
func Apply(old string, chunks []Chunk) (string, error) {
	a := SplitLines(old)
	var b strings.Builder
	i := 0
	for _, c := range chunks {
		if c.Op == Insert {
			for _, l := range c.Lines {
				b.WriteString(l)
			}
			continue
		}
		for _, l := range c.Lines {
			if i >= len(a) || a[i] != l {
				return "", fmt.Errorf("%w: line %d of the old text is not %q", ErrMismatch, i+1, l)
			}
			if c.Op == Equal {
				b.WriteString(l)
			}
			i++
		}
	}
	if i != len(a) {
		return "", fmt.Errorf("%w: %d lines of the old text left over", ErrMismatch, len(a)-i)
	}
	return b.String(), nil
}

// differ computes a line diff over interned lines as a sequence of ops:
// Equal consumes a line of a and of b, Delete one of a, Insert one of b.
type differ struct {
	a, b    []int32
	maxCost int
	exact   bool
	ops     []Op
}

// maxPatienceDepth bounds the nesting of anchor searches, each of which
// costs linear time over its stretch.
const maxPatienceDepth = 8

func (d *differ) emit(op Op, n int) {
	for range n {
		d.ops = append(d.ops, op)
	}
}

// diff appends the ops that turn a[alo:ahi] into b[blo:bhi].
func (d *differ) diff(alo, ahi, blo, bhi, depth int) {
	// Common prefix and suffix.
	pre := 0
	for alo+pre < ahi && blo+pre < bhi && d.a[alo+pre] == d.b[blo+pre] {
		pre++
	}
	d.emit(Equal, pre)
	alo, blo = alo+pre, blo+pre
	suf := 0
	for alo < ahi-suf && blo < bhi-suf && d.a[ahi-1-suf] == d.b[bhi-1-suf] {
		suf++
	}
	ahi, bhi = ahi-suf, bhi-suf
	switch {
	case alo == ahi:
		d.emit(Insert, bhi-blo)
	case blo == bhi:
		d.emit(Delete, ahi-alo)
	default:
		anchors := []anchor(nil)
		if depth < maxPatienceDepth {
			anchors = uniqueAnchors(d.a[alo:ahi], d.b[blo:bhi])
		}
		if len(anchors) == 0 {
			d.myers(d.a[alo:ahi], d.b[blo:bhi])
			break
		}
		pa, pb := alo, blo
		for _, an := range anchors {
			d.diff(pa, alo+an.a, pb, blo+an.b, depth+1)
			d.emit(Equal, 1)
			pa, pb = alo+an.a+1, blo+an.b+1
		}
		d.diff(pa, ahi, pb, bhi, depth+1)
	}
	d.emit(Equal, suf)
}

// chunks turns the ops into chunks of the lines of a and b. Within a
// stretch of changes, deletions come before insertions.
func (d *differ) chunks(a, b []string) []Chunk {
	var out []Chunk
	i, j := 0, 0
	for k := 0; k < len(d.ops); {
		if d.ops[k] == Equal {
			n := 0
			for k < len(d.ops) && d.ops[k] == Equal {
				n, k = n+1, k+1
			}
			out = append(out, Chunk{Op: Equal, Lines: a[i : i+n]})
			i, j = i+n, j+n
			continue
		}
		del, ins := 0, 0
		for ; k < len(d.ops) && d.ops[k] != Equal; k++ {
			if d.ops[k] == Delete {
				del++
			} else {
				ins++
			}
		}
		if del > 0 {
			out = append(out, Chunk{Op: Delete, Lines: a[i : i+del]})
		}
		if ins > 0 {
			out = append(out, Chunk{Op: Insert, Lines: b[j : j+ins]})
		}
		i, j = i+del, j+ins
	}
	return out
}
