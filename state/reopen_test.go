package state

import (
	"fmt"
	"testing"
)

// TestMarkRecoveredDefersReopen checks that MarkRecovered with an open
// iterator leaves the iterator valid and reopens the database in normal
// mode when the last iterator is released.
func TestMarkRecoveredDefersReopen(t *testing.T) {
	dir := t.TempDir()
	st, err := New(Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Open(); err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for i := range 10 {
		if err := st.Set(fmt.Sprint(i), []byte("v")); err != nil {
			t.Fatal(err)
		}
	}
	it, err := st.Iterator()
	if err != nil {
		t.Fatal(err)
	}
	if err := st.MarkRecovered(); err != nil {
		t.Fatal(err)
	}
	st.mu.RLock()
	pending, wal := st.mu.reopenPending, st.mu.wal
	st.mu.RUnlock()
	if !pending || wal {
		t.Fatalf("after MarkRecovered with an open iterator: reopenPending %t, wal %t; want true, false", pending, wal)
	}
	if err := st.Set("late", []byte("x")); err != nil { // applied at once, without a WAL
		t.Fatal(err)
	}
	n := 0
	for it.Next() {
		n++
	}
	if n != 10 {
		t.Fatalf("iterator saw %d keys, want its snapshot of 10", n)
	}
	it.Release()
	st.mu.RLock()
	pending, wal, recoveryOpts := st.mu.reopenPending, st.mu.wal, st.mu.recoveryOptions
	st.mu.RUnlock()
	if pending || !wal || recoveryOpts {
		t.Fatalf("after the last Release: reopenPending %t, wal %t, recoveryOptions %t", pending, wal, recoveryOpts)
	}
	if v, err := st.Get("late"); err != nil || string(v) != "x" {
		t.Fatalf("Get(late) after reopen = %q, %v", v, err)
	}
}

// TestBuilderSharesCache checks that the stores of one Builder share one
// block cache.
func TestBuilderSharesCache(t *testing.T) {
	build := Builder(Config{Dir: t.TempDir()})
	var stores []*Store
	for p := range int32(2) {
		st, err := build("t", p)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Open(); err != nil {
			t.Fatal(err)
		}
		stores = append(stores, st.(*Store))
	}
	if stores[0].mu.cache == nil || stores[0].mu.cache != stores[1].mu.cache {
		t.Fatal("stores of one Builder do not share a block cache")
	}
	for _, st := range stores {
		if err := st.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
