package filter

import (
	"errors"
	"fmt"
)

// automaton is an Aho-Corasick automaton over bytes, compiled to a full DFA
// on an alphabet of byte classes: bytes that occur in no keyword share one
// class, and with ASCII folding an upper-case letter shares the class of its
// lower-case form. Scanning costs one table lookup per byte of text,
// whatever the number of keywords. It is immutable once built.
type automaton struct {
	classes  [256]uint8
	nclasses int
	// next[s*nclasses+c] is the state after state s reads a byte of
	// class c, premultiplied by nclasses (so the scan loop needs no
	// multiplication) and bit-complemented (negative) where a keyword ends
	// (so it needs no second lookup).
	next []int32
	// out[s] is the first state on s's suffix chain (s itself, or along
	// failure links) where a keyword ends, or -1; dict[s] continues that
	// chain from a state where a keyword ends.
	out, dict []int32
	// term[s] is the keyword that ends at s, or -1.
	term []int32
}

// maxTableEntries bounds the DFA's transition table (4 bytes an entry):
// 10,000 keywords of 10 bytes over 40 classes need about 4M.
const maxTableEntries = 1 << 26

var errTooLarge = errors.New("filter: keywords make an automaton larger than 256 MiB; use fewer or shorter keywords")

// buildAutomaton compiles keywords, which must be non-empty; keyword i
// reports as i. With foldASCII, A-Z in the text match a-z in keywords
// (keywords must then be lower-case).
func buildAutomaton(keywords []string, foldASCII bool) (*automaton, error) {
	a := &automaton{}
	var used [256]bool
	total := 0
	for _, k := range keywords {
		total += len(k)
		for i := 0; i < len(k); i++ {
			used[k[i]] = true
		}
	}
	a.nclasses = 1 // class 0: bytes in no keyword
	for b := range 256 {
		if used[b] {
			a.classes[b] = uint8(a.nclasses)
			a.nclasses++
		}
	}
	if foldASCII {
		for b := 'A'; b <= 'Z'; b++ {
			a.classes[b] = a.classes[b+'a'-'A']
		}
	}
	if (total+1)*a.nclasses > maxTableEntries {
		return nil, fmt.Errorf("%w (%d bytes of keywords over %d byte classes)", errTooLarge, total, a.nclasses)
	}
	a.addState()
	for id, k := range keywords {
		s := int32(0)
		for i := 0; i < len(k); i++ {
			e := int(s)*a.nclasses + int(a.classes[k[i]])
			if a.next[e] == 0 {
				a.next[e] = a.addState()
			}
			s = a.next[e]
		}
		a.term[s] = int32(id)
	}
	a.link()
	a.encode()
	return a, nil
}

// addState appends a state and returns its number.
func (a *automaton) addState() int32 {
	a.next = append(a.next, make([]int32, a.nclasses)...)
	a.term = append(a.term, -1)
	return int32(len(a.term) - 1)
}

// link computes failure links breadth-first and turns the trie into a DFA:
// a missing transition of s becomes the transition of s's failure state,
// which, being shallower, is complete already.
func (a *automaton) link() {
	n := len(a.term)
	fail := make([]int32, n)
	a.out = make([]int32, n)
	a.dict = make([]int32, n)
	a.out[0], a.dict[0] = -1, -1
	queue := make([]int32, 0, n)
	for c := range a.nclasses {
		if u := a.next[c]; u != 0 {
			fail[u] = 0
			queue = append(queue, u)
		}
	}
	for i := 0; i < len(queue); i++ {
		s := queue[i]
		a.dict[s] = a.out[fail[s]]
		a.out[s] = a.dict[s]
		if a.term[s] >= 0 {
			a.out[s] = s
		}
		row := a.next[int(s)*a.nclasses : int(s+1)*a.nclasses]
		frow := a.next[int(fail[s])*a.nclasses : int(fail[s]+1)*a.nclasses]
		for c, u := range row {
			if u == 0 {
				row[c] = frow[c]
				continue
			}
			fail[u] = frow[c]
			queue = append(queue, u)
		}
	}
}

// encode premultiplies and marks the transitions (see automaton.next).
func (a *automaton) encode() {
	nc := int32(a.nclasses)
	for i, t := range a.next {
		v := t * nc
		if a.out[t] >= 0 {
			v = ^v
		}
		a.next[i] = v
	}
}

// scan calls hit with every occurrence of every keyword in text: the
// keyword and the offset just past its end, in order of end offset.
// Occurrences may overlap.
func (a *automaton) scan(text string, hit func(keyword int32, end int)) {
	s := int32(0)
	nc := int32(a.nclasses)
	next, classes := a.next, &a.classes
	for i := 0; i < len(text); i++ {
		s = next[s+int32(classes[text[i]])]
		if s < 0 {
			s = ^s
			for o := a.out[s/nc]; o >= 0; o = a.dict[o] {
				hit(a.term[o], i+1)
			}
		}
	}
}
