package diff

// anchor is a line unique in both stretches: a[a] == b[b].
type anchor struct{ a, b int }

// uniqueAnchors returns the longest sequence of lines that occur exactly
// once in a and once in b, in the same order in both (patience sorting of
// their positions in b, taken in the order of a).
func uniqueAnchors(a, b []int32) []anchor {
	type seen struct{ na, nb, posA, posB int }
	count := make(map[int32]*seen, len(a))
	for i, x := range a {
		s := count[x]
		if s == nil {
			s = &seen{}
			count[x] = s
		}
		s.na++
		s.posA = i
	}
	for j, y := range b {
		if s := count[y]; s != nil {
			s.nb++
			s.posB = j
		}
	}
	var cands []anchor
	for i, x := range a {
		if s := count[x]; s.na == 1 && s.nb == 1 {
			cands = append(cands, anchor{a: i, b: s.posB})
		}
	}
	if len(cands) == 0 {
		return nil
	}
	// Longest increasing subsequence of cands[].b: tops[k] is the index in
	// cands of the smallest tail of an increasing run of length k+1.
	tops := []int{}
	prev := make([]int, len(cands))
	for i, c := range cands {
		lo, hi := 0, len(tops)
		for lo < hi {
			mid := (lo + hi) / 2
			if cands[tops[mid]].b < c.b {
				lo = mid + 1
			} else {
				hi = mid
			}
		}
		prev[i] = -1
		if lo > 0 {
			prev[i] = tops[lo-1]
		}
		if lo == len(tops) {
			tops = append(tops, i)
		} else {
			tops[lo] = i
		}
	}
	out := make([]anchor, len(tops))
	for i, k := len(tops)-1, tops[len(tops)-1]; i >= 0; i, k = i-1, prev[k] {
		out[i] = cands[k]
	}
	return out
}

// myers appends the ops of a shortest edit script from a to b (both
// non-empty, without common prefix or suffix), found by Myers' greedy
// O(ND) algorithm. If the edit distance exceeds d.maxCost it appends a
// replacement of all of a by all of b instead and clears d.exact.
func (d *differ) myers(a, b []int32) {
	n, m := len(a), len(b)
	limit := min(d.maxCost, n+m)
	off := limit + 1
	v := make([]int32, 2*limit+3)
	// trace[e] holds v on diagonals -e..e before round e, for backtracking:
	// (limit+1)² entries at most.
	var trace [][]int32
	for e := 0; e <= limit; e++ {
		trace = append(trace, append([]int32(nil), v[off-e:off+e+1]...))
		for k := -e; k <= e; k += 2 {
			var x int
			if k == -e || k != e && v[off+k-1] < v[off+k+1] {
				x = int(v[off+k+1]) // down: an insertion
			} else {
				x = int(v[off+k-1]) + 1 // right: a deletion
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x, y = x+1, y+1
			}
			v[off+k] = int32(x)
			if x >= n && y >= m {
				d.backtrack(trace, n, m)
				return
			}
		}
	}
	d.exact = false
	d.emit(Delete, n)
	d.emit(Insert, m)
}

// backtrack appends the ops of the path that reached (n, m) in
// len(trace)-1 rounds.
func (d *differ) backtrack(trace [][]int32, n, m int) {
	ops := make([]Op, 0, n+m)
	x, y := n, m
	for e := len(trace) - 1; e > 0; e-- {
		v := trace[e] // index k+e
		k := x - y
		var pk int
		if k == -e || k != e && v[k-1+e] < v[k+1+e] {
			pk = k + 1
		} else {
			pk = k - 1
		}
		px := int(v[pk+e])
		py := px - pk
		for x > px && y > py {
			ops = append(ops, Equal)
			x, y = x-1, y-1
		}
		if x == px {
			ops = append(ops, Insert)
		} else {
			ops = append(ops, Delete)
		}
		x, y = px, py
	}
	for ; x > 0; x-- {
		ops = append(ops, Equal)
	}
	for i := len(ops) - 1; i >= 0; i-- {
		d.ops = append(d.ops, ops[i])
	}
}
