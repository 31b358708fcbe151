package statetest

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/lovoo/goka/storage"
)

// offsetKey is where goka's LevelDB storage, and ripple's, keep the offset.
const offsetKey = "__offset"

// iter returns Iterator() or, if ranged, IteratorWithRange(start, limit).
func (h *harness) iter(start, limit []byte, ranged bool) storage.Iterator {
	h.t.Helper()
	var (
		it  storage.Iterator
		err error
	)
	if ranged {
		it, err = h.st.IteratorWithRange(start, limit)
	} else {
		it, err = h.st.Iterator()
	}
	if err != nil {
		h.t.Fatalf("iterator: %v", err)
	}
	return it
}

// keys drains and releases it and returns its keys.
func (h *harness) keys(it storage.Iterator) []string {
	h.t.Helper()
	defer it.Release()
	var keys []string
	for it.Next() {
		keys = append(keys, string(it.Key()))
	}
	if err := it.Err(); err != nil {
		h.t.Fatalf("iterator Err: %v", err)
	}
	return keys
}

func (h *harness) wantKeys(it storage.Iterator, want ...string) {
	h.t.Helper()
	if got := h.keys(it); !slices.Equal(got, want) {
		h.t.Fatalf("keys = %q, want %q", got, want)
	}
}

func testOffsetHidden(t *testing.T, h *harness) {
	keys := []string{"_", "__offsea", "__offset0", "a"}
	for _, k := range keys {
		h.set(k, k)
	}
	h.setOffset(7)
	h.markRecovered()
	h.setOffset(8) // goka's LevelDB store writes the offset once recovered
	h.wantKeys(h.iter(nil, nil, false), keys...)
	h.wantKeys(h.iter(nil, nil, true), expectRange(keys, nil, nil, h.f.Quirks)...)
	h.wantKeys(h.iter([]byte("_"), []byte("b"), true), keys...)
	h.wantKeys(h.iter([]byte("__offset"), nil, true), "__offset0")

	it := h.iter(nil, nil, false)
	defer it.Release()
	ok := it.Seek([]byte(offsetKey))
	switch {
	case h.f.Quirks.SeekShowsOffsetKey:
		if !ok || string(it.Key()) != offsetKey {
			t.Fatalf("Seek(%q) at %q; quirk SeekShowsOffsetKey says it stops there", offsetKey, it.Key())
		}
	case h.f.Quirks.SeekByPrefix:
		if !ok || string(it.Key()) != "__offset0" {
			t.Fatalf("Seek(%q) at %q, want __offset0", offsetKey, it.Key())
		}
	default:
		if !ok || string(it.Key()) != "__offset0" {
			t.Fatalf("Seek(%q) at %q (%t), want __offset0", offsetKey, it.Key(), ok)
		}
		if !it.Next() || string(it.Key()) != "a" {
			t.Fatalf("Next after Seek at %q, want a", it.Key())
		}
	}
}

func testIteratorOrder(t *testing.T, h *harness) {
	rng := rand.New(rand.NewPCG(1, 2))
	want := map[string]string{}
	for len(want) < 200 {
		k := make([]byte, 1+rng.IntN(6))
		for i := range k {
			k[i] = byte(rng.IntN(256))
		}
		if string(k) == offsetKey {
			continue
		}
		want[string(k)] = fmt.Sprint(len(want))
		h.set(string(k), want[string(k)])
	}
	it := h.iter(nil, nil, false)
	defer it.Release()
	if !h.f.Quirks.PanicsBeforeNext {
		if it.Key() != nil {
			t.Fatalf("Key before Next = %q, want nil", it.Key())
		}
		if v, err := it.Value(); v != nil || err != nil {
			t.Fatalf("Value before Next = %q, %v; want nil", v, err)
		}
	}
	var prev []byte
	n := 0
	for it.Next() {
		k := it.Key()
		if prev != nil && bytes.Compare(prev, k) >= 0 {
			t.Fatalf("keys out of order: %q then %q", prev, k)
		}
		prev = bytes.Clone(k)
		v, err := it.Value()
		if err != nil || string(v) != want[string(k)] {
			t.Fatalf("Value of %q = %q, %v; want %q", k, v, err, want[string(k)])
		}
		n++
	}
	if n != len(want) {
		t.Fatalf("iterated %d keys, want %d", n, len(want))
	}
	if it.Next() || it.Key() != nil {
		t.Fatalf("after the end: Next true or Key %q", it.Key())
	}
}

func testIteratorSnapshot(t *testing.T, h *harness) {
	h.set("a", "1")
	h.set("b", "2")
	it := h.iter(nil, nil, false)
	h.set("c", "3")
	h.del("a")
	h.set("b", "changed")
	defer it.Release()
	var got []string
	for it.Next() {
		v, _ := it.Value()
		got = append(got, string(it.Key())+"="+string(v))
	}
	if want := []string{"a=1", "b=2"}; !slices.Equal(got, want) {
		t.Fatalf("iterator saw %q, want the snapshot %q", got, want)
	}
}

func testIteratorEmpty(t *testing.T, h *harness) {
	h.wantKeys(h.iter(nil, nil, false))
	h.wantKeys(h.iter([]byte("a"), []byte("z"), true))
	h.setOffset(3)
	h.markRecovered()
	h.setOffset(4)
	h.wantKeys(h.iter(nil, nil, false))
}

var rangeKeys = []string{"", "a", "a\x00", "ab", "abc", "b", "ba", "c", "\xff", "\xff\xff"}

func testRanges(t *testing.T, h *harness) {
	for _, k := range rangeKeys {
		h.set(k, k)
	}
	tests := []struct {
		start, limit []byte
	}{
		{nil, nil},
		{[]byte("a"), []byte("b")},
		{[]byte("ab"), []byte("ba")},
		{nil, []byte("ab")},
		{[]byte{}, []byte("a\x00")},
		{[]byte("a"), nil},      // prefix "a"
		{[]byte("a"), []byte{}}, // prefix "a"
		{[]byte("ab"), nil},     // prefix "ab"
		{[]byte("\xff"), nil},   // no prefix limit: unbounded
		{[]byte(""), nil},       // no prefix limit: everything
		{[]byte("b"), []byte("b")},
		{[]byte("c"), []byte("a")},
		{[]byte("zz"), []byte("zzz")},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%q-%q", tc.start, tc.limit), func(t *testing.T) {
			want := expectRange(rangeKeys, tc.start, tc.limit, h.f.Quirks)
			h.wantKeys(h.iter(tc.start, tc.limit, true), want...)
		})
	}
}

// expectRange is the reference for IteratorWithRange: goka's LevelDB store
// iterates [start, limit), and with an empty limit the keys prefixed by
// start (goleveldb's util.BytesPrefix), which has no upper bound when start
// is empty or all 0xff.
func expectRange(keys []string, start, limit []byte, q Quirks) []string {
	if len(limit) == 0 {
		limit = prefixLimit(start)
	}
	var out []string
	for _, k := range keys {
		kb := []byte(k)
		if bytes.Compare(kb, start) < 0 {
			continue
		}
		switch {
		case limit == nil && q.RangeNeedsLimit:
			if len(kb) != 0 {
				continue
			}
		case limit == nil:
		case q.RangeLimitInclusive && bytes.Compare(kb, limit) > 0,
			!q.RangeLimitInclusive && bytes.Compare(kb, limit) >= 0:
			continue
		}
		out = append(out, k)
	}
	return out
}

func prefixLimit(prefix []byte) []byte {
	for i := len(prefix) - 1; i >= 0; i-- {
		if prefix[i] < 0xff {
			limit := bytes.Clone(prefix[:i+1])
			limit[i]++
			return limit
		}
	}
	return nil
}

func testSeek(t *testing.T, h *harness) {
	for _, k := range []string{"a", "ab", "abc", "b", "c"} {
		h.set(k, "v"+k)
	}
	seek := func(it storage.Iterator, key string, want string) {
		t.Helper()
		ok := it.Seek([]byte(key))
		if ok != (want != "") || string(it.Key()) != want {
			t.Fatalf("Seek(%q) = %t at %q, want %q", key, ok, it.Key(), want)
		}
		if v, _ := it.Value(); want != "" && string(v) != "v"+want {
			t.Fatalf("Value after Seek(%q) = %q", key, v)
		}
	}
	it := h.iter(nil, nil, false)
	defer it.Release()
	seek(it, "ab", "ab")
	if !it.Next() || string(it.Key()) != "abc" {
		t.Fatalf("Next after Seek(ab) at %q, want abc", it.Key())
	}
	if h.f.Quirks.SeekByPrefix {
		seek(it, "c", "c")
		seek(it, "zz", "")
		return
	}
	seek(it, "aa", "ab")
	seek(it, "a", "a") // backwards
	seek(it, "bb", "c")
	seek(it, "zz", "")
	if it.Next() {
		t.Fatalf("Next after a failed Seek at %q", it.Key())
	}
	seek(it, "", "a")

	r := h.iter([]byte("ab"), []byte("c"), true)
	defer r.Release()
	seek(r, "a", "ab") // clamped to the range
	seek(r, "b", "b")
	seek(r, "c", "")
}

func testRelease(t *testing.T, h *harness) {
	h.set("a", "1")
	h.set("b", "2")
	it := h.iter(nil, nil, false)
	if !it.Next() {
		t.Fatal("Next = false")
	}
	it.Release()
	if it.Next() {
		t.Fatal("Next after Release = true")
	}
	if k := it.Key(); k != nil {
		t.Fatalf("Key after Release = %q", k)
	}
	it.Release() // idempotent
	if err := it.Err(); (err == nil) != h.f.Quirks.NilErrAfterRelease {
		t.Fatalf("Err after Release = %v (quirk NilErrAfterRelease %t)", err, h.f.Quirks.NilErrAfterRelease)
	}
	h.wantKeys(h.iter(nil, nil, false), "a", "b")
}
