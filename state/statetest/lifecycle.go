package statetest

import (
	"fmt"
	"sync"
	"testing"
)

func testClose(t *testing.T, h *harness) {
	h.set("a", "1")
	h.close()
	if !h.f.Quirks.ClosePanicsTwice {
		if err := h.st.Close(); err != nil {
			t.Fatalf("second Close: %v", err)
		}
	}
	if h.f.Quirks.WorksAfterClose {
		h.wantGet("a", []byte("1"))
		return
	}
	if _, err := h.st.Get("a"); err == nil {
		t.Error("Get after Close: no error")
	}
	if _, err := h.st.Has("a"); err == nil {
		t.Error("Has after Close: no error")
	}
	if err := h.st.Set("b", []byte("2")); err == nil {
		t.Error("Set after Close: no error")
	}
	if err := h.st.Delete("a"); err == nil {
		t.Error("Delete after Close: no error")
	}
	// goleveldb returns an iterator that fails instead of an error.
	it, err := h.st.Iterator()
	if err == nil {
		if it.Next() {
			t.Error("iterator after Close: Next = true")
		}
		if it.Err() == nil {
			t.Error("Iterator after Close: neither it nor its Err failed")
		}
		it.Release()
	}
}

// testConcurrent runs one writer, a goroutine setting offsets (as goka's
// producer callbacks do), and readers, for the race detector.
func testConcurrent(t *testing.T, h *harness) {
	const n = 300
	st := h.st
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	report := func(err error) {
		if err != nil {
			select {
			case errs <- err:
			default:
			}
		}
	}
	wg.Go(func() {
		for i := range n {
			k := fmt.Sprint(i % 17)
			if i%5 == 4 {
				report(st.Delete(k))
			} else {
				report(st.Set(k, []byte(k)))
			}
			if i == n/2 {
				report(st.MarkRecovered())
			}
		}
	})
	wg.Go(func() {
		for i := range n {
			report(st.SetOffset(int64(i)))
		}
	})
	for range 2 {
		wg.Go(func() {
			for i := range n {
				k := fmt.Sprint(i % 17)
				v, err := st.Get(k)
				report(err)
				if v != nil && string(v) != k {
					report(fmt.Errorf("Get(%q) = %q", k, v))
				}
				_, err = st.Has(k)
				report(err)
				if i%50 == 0 {
					it, err := st.Iterator()
					if err != nil {
						report(err)
						continue
					}
					for it.Next() {
						_, err := it.Value()
						report(err)
					}
					it.Release()
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
