// Package statetest is a conformance suite for implementations of goka's
// storage.Storage. One set of tests runs against ripple's Pebble store and
// against goka's own LevelDB and memory stores, so that the semantics ripple
// relies on are written down and checked against the reference.
//
// Where goka's stores deviate from the semantics of storage.Storage as goka
// uses it, the deviation is a named Quirk: the suite asserts the quirky
// behaviour for stores that declare it, so a change in goka shows up here.
// ripple's Pebble store declares no quirks.
//
// Disk is a Pebble filesystem that fills up like a real disk, for fault
// tests of stores and of the jobs that use them.
package statetest

import (
	"bytes"
	"testing"

	"github.com/lovoo/goka/storage"
)

// Factory opens storages for the suite.
type Factory struct {
	// Open returns a storage over dir whose Open method has been called.
	// Persistent storages must find in dir what the last one closed there.
	Open func(t testing.TB, dir string) storage.Storage
	// Persistent is true if data and offset survive Close and Open on the
	// same dir.
	Persistent bool
	// Quirks lists the implementation's known deviations.
	Quirks Quirks
}

// Quirks are deviations of goka's stores from the semantics the suite
// expects; each field names the store that has it.
type Quirks struct {
	// RejectsNilValue: Set(key, nil) fails instead of storing an empty
	// value (memory).
	RejectsNilValue bool
	// AliasesValues: the store keeps the caller's slice on Set and hands out
	// its own on Get, so mutating either changes the stored value (memory).
	AliasesValues bool
	// RangeLimitInclusive: IteratorWithRange includes a key equal to limit
	// (memory).
	RangeLimitInclusive bool
	// RangeNeedsLimit: IteratorWithRange with an empty limit and a start
	// that has no prefix limit (nil, empty or all 0xff) yields only the
	// empty key, so IteratorWithRange(nil, nil) is empty (memory).
	RangeNeedsLimit bool
	// SeekByPrefix: Seek moves forward to the first key that has the sought
	// key as a prefix instead of the first key >= it, and never backwards
	// (memory).
	SeekByPrefix bool
	// PanicsBeforeNext: Key and Value panic on an iterator before the first
	// Next, instead of returning nil (memory).
	PanicsBeforeNext bool
	// SeekShowsOffsetKey: Seek can stop on the offset key "__offset" that
	// Next hides (LevelDB).
	SeekShowsOffsetKey bool
	// ClosePanicsTwice: a second Close panics (LevelDB).
	ClosePanicsTwice bool
	// WorksAfterClose: every operation still succeeds after Close (memory).
	WorksAfterClose bool
	// NilErrAfterRelease: Err returns nil after Release; LevelDB and Pebble
	// return an error (memory).
	NilErrAfterRelease bool
}

// Run runs the suite against f.
func Run(t *testing.T, f Factory) {
	tests := []struct {
		name string
		run  func(*testing.T, *harness)
	}{
		{"GetSetDelete", testGetSetDelete},
		{"MissingKey", testMissingKey},
		{"EmptyValue", testEmptyValue},
		{"NilValue", testNilValue},
		{"ValueCopies", testValueCopies},
		{"Offset", testOffset},
		{"OffsetHidden", testOffsetHidden},
		{"Persistence", testPersistence},
		{"MarkRecovered", testMarkRecovered},
		{"IteratorOrder", testIteratorOrder},
		{"IteratorSnapshot", testIteratorSnapshot},
		{"IteratorEmpty", testIteratorEmpty},
		{"Ranges", testRanges},
		{"Seek", testSeek},
		{"Release", testRelease},
		{"Close", testClose},
		{"Concurrent", testConcurrent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := &harness{t: t, f: f, dir: t.TempDir()}
			h.st = f.Open(t, h.dir)
			t.Cleanup(h.close)
			tc.run(t, h)
		})
	}
}

// harness holds the storage under test and reopens it on the same dir.
type harness struct {
	t      *testing.T
	f      Factory
	dir    string
	st     storage.Storage
	closed bool
}

func (h *harness) close() {
	if !h.closed {
		h.closed = true
		if err := h.st.Close(); err != nil {
			h.t.Errorf("Close: %v", err)
		}
	}
}

func (h *harness) reopen() {
	h.t.Helper()
	h.close()
	h.st = h.f.Open(h.t, h.dir)
	h.closed = false
}

func (h *harness) set(key, value string) {
	h.t.Helper()
	if err := h.st.Set(key, []byte(value)); err != nil {
		h.t.Fatalf("Set(%q): %v", key, err)
	}
}

func (h *harness) del(key string) {
	h.t.Helper()
	if err := h.st.Delete(key); err != nil {
		h.t.Fatalf("Delete(%q): %v", key, err)
	}
}

func (h *harness) setOffset(off int64) {
	h.t.Helper()
	if err := h.st.SetOffset(off); err != nil {
		h.t.Fatalf("SetOffset(%d): %v", off, err)
	}
}

func (h *harness) markRecovered() {
	h.t.Helper()
	if err := h.st.MarkRecovered(); err != nil {
		h.t.Fatalf("MarkRecovered: %v", err)
	}
}

// wantGet checks Get and Has; want nil means absent.
func (h *harness) wantGet(key string, want []byte) {
	h.t.Helper()
	got, err := h.st.Get(key)
	if err != nil {
		h.t.Fatalf("Get(%q): %v", key, err)
	}
	if (got == nil) != (want == nil) || !bytes.Equal(got, want) {
		h.t.Fatalf("Get(%q) = %q (nil %t), want %q (nil %t)", key, got, got == nil, want, want == nil)
	}
	has, err := h.st.Has(key)
	if err != nil {
		h.t.Fatalf("Has(%q): %v", key, err)
	}
	if has != (want != nil) {
		h.t.Fatalf("Has(%q) = %t, want %t", key, has, want != nil)
	}
}

func (h *harness) wantOffset(def, want int64) {
	h.t.Helper()
	got, err := h.st.GetOffset(def)
	if err != nil {
		h.t.Fatalf("GetOffset: %v", err)
	}
	if got != want {
		h.t.Fatalf("GetOffset(%d) = %d, want %d", def, got, want)
	}
}

func testGetSetDelete(t *testing.T, h *harness) {
	h.set("k", "v1")
	h.wantGet("k", []byte("v1"))
	h.set("k", "v2")
	h.wantGet("k", []byte("v2"))
	h.del("k")
	h.wantGet("k", nil)
	h.del("k") // deleting a missing key is fine
	h.set("", "empty key")
	h.wantGet("", []byte("empty key"))
	h.set("\x00\xff", "binary key")
	h.wantGet("\x00\xff", []byte("binary key"))
}

func testMissingKey(t *testing.T, h *harness) {
	h.wantGet("missing", nil)
	h.set("present", "x")
	h.wantGet("missing", nil)
	h.wantGet("presen", nil)
	h.wantGet("present\x00", nil)
}

func testEmptyValue(t *testing.T, h *harness) {
	h.set("e", "")
	h.wantGet("e", []byte{})
	it, err := h.st.Iterator()
	if err != nil {
		t.Fatal(err)
	}
	defer it.Release()
	if !it.Next() || string(it.Key()) != "e" {
		t.Fatalf("iterator: want key e, got %q", it.Key())
	}
	if v, err := it.Value(); err != nil || v == nil || len(v) != 0 {
		t.Fatalf("iterator Value() = %q (nil %t), %v; want non-nil empty", v, v == nil, err)
	}
}

func testNilValue(t *testing.T, h *harness) {
	err := h.st.Set("n", nil)
	if h.f.Quirks.RejectsNilValue {
		if err == nil {
			t.Fatal("Set(nil) succeeded; quirk RejectsNilValue says it fails")
		}
		return
	}
	if err != nil {
		t.Fatalf("Set(nil): %v", err)
	}
	h.wantGet("n", []byte{})
}

func testValueCopies(t *testing.T, h *harness) {
	in := []byte("value")
	if err := h.st.Set("k", in); err != nil {
		t.Fatal(err)
	}
	in[0] = 'X'
	out, err := h.st.Get("k")
	if err != nil {
		t.Fatal(err)
	}
	if h.f.Quirks.AliasesValues {
		if string(out) != "Xalue" {
			t.Fatalf("Get = %q; quirk AliasesValues says the caller's slice is kept", out)
		}
		return
	}
	if string(out) != "value" {
		t.Fatalf("Get after mutating the Set slice = %q, want %q", out, "value")
	}
	out[0] = 'Y'
	h.wantGet("k", []byte("value"))
}

func testOffset(t *testing.T, h *harness) {
	h.wantOffset(-2, -2)
	h.wantOffset(7, 7)
	h.setOffset(10)
	h.wantOffset(-2, 10)
	h.setOffset(5) // offsets are not required to grow
	h.wantOffset(-2, 5)
	h.markRecovered()
	h.wantOffset(-2, 5)
	h.setOffset(11)
	h.wantOffset(-2, 11)
	h.wantGet("k", nil) // the offset is not a user key
}

func testPersistence(t *testing.T, h *harness) {
	if !h.f.Persistent {
		t.Skip("storage is not persistent")
	}
	h.wantOffset(-1, -1)
	h.set("a", "1")
	h.set("b", "2")
	h.del("b")
	h.setOffset(42) // in recovery mode
	h.reopen()
	h.wantGet("a", []byte("1"))
	h.wantGet("b", nil)
	h.wantOffset(-1, 42)
	h.markRecovered()
	h.set("c", "3")
	h.setOffset(43)
	h.reopen()
	h.wantGet("c", []byte("3"))
	h.wantOffset(-1, 43)
	h.markRecovered()
	h.wantOffset(-1, 43)
}

func testMarkRecovered(t *testing.T, h *harness) {
	h.set("before", "1")
	h.setOffset(1)
	h.markRecovered()
	h.wantGet("before", []byte("1"))
	h.set("after", "2")
	h.setOffset(2)
	h.wantGet("after", []byte("2"))
	h.wantOffset(-1, 2)
	h.wantKeys(h.iter(nil, nil, false), "after", "before")
}
