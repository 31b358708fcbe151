package changeprop

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"testing"

	"github.com/ripplestream/ripple/deps"
	"github.com/ripplestream/ripple/deps/pebblestore"
)

// downStore is a store with batch writes whose PutPages fails while down.
type downStore struct {
	*pebblestore.Store
	down  bool
	calls int
}

func (s *downStore) PutPages(ctx context.Context, pages []deps.PageDeps) ([]deps.PutResult, error) {
	s.calls++
	if s.down {
		return nil, errors.New("store unavailable")
	}
	return s.Store.PutPages(ctx, pages)
}

func bufferPage(i int) deps.PageDeps {
	return deps.PageDeps{Wiki: "enwiki", RevID: 1, Page: deps.PageRef{ID: int64(i + 1), Title: fmt.Sprintf("P%d", i)},
		Templates: []string{"Template:Box"}}
}

func TestDepBufferWritesAPartitionsSetsInOneBatchAndKeepsThemWhileTheStoreIsDown(t *testing.T) {
	ctx := context.Background()
	pebble, err := pebblestore.Open(pebblestore.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pebble.Close() })
	store := &downStore{Store: pebble, down: true}
	b := newDepBuffer(store)
	for i := range 3 {
		if err := b.add(ctx, int32(i%2), bufferPage(i), slog.New(slog.DiscardHandler)); err != nil {
			t.Fatal(err)
		}
	}
	bad := bufferPage(9)
	bad.RevID = 0
	if err := b.add(ctx, 0, bad, slog.New(slog.DiscardHandler)); !errors.Is(err, deps.ErrInvalid) {
		t.Errorf("adding a set without a revision: %v, want deps.ErrInvalid", err)
	}
	if _, ok, _ := pebble.Page(ctx, "enwiki", "P0"); ok || store.calls != 0 {
		t.Fatalf("a set was written before a flush (%d PutPages calls)", store.calls)
	}
	if err := b.flush(ctx, 0); err == nil {
		t.Fatal("flush with the store down succeeded")
	}
	store.down = false
	if err := b.flush(ctx, 0); err != nil {
		t.Fatal(err)
	}
	for i, want := range []bool{true, false, true} {
		if _, ok, _ := pebble.Page(ctx, "enwiki", fmt.Sprintf("P%d", i)); ok != want {
			t.Errorf("P%d stored: %v, want %v (partition 0 flushed, 1 not)", i, ok, want)
		}
	}
	if store.calls != 2 {
		t.Errorf("%d PutPages calls for partition 0, want 2 (down, then up)", store.calls)
	}
	if err := b.flush(ctx, 0); err != nil || store.calls != 2 {
		t.Errorf("flushing an empty partition: %v, %d calls, want nil and no call", err, store.calls)
	}
}

func TestDepBufferWritesWhenFullBeforeKeepingMore(t *testing.T) {
	ctx := context.Background()
	pebble, err := pebblestore.Open(pebblestore.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pebble.Close() })
	store := &downStore{Store: pebble}
	b := newDepBuffer(store)
	for i := range maxBuffered + 1 {
		if err := b.add(ctx, 0, bufferPage(i), slog.New(slog.DiscardHandler)); err != nil {
			t.Fatal(err)
		}
	}
	if store.calls != 1 {
		t.Errorf("%d PutPages calls after %d sets, want 1", store.calls, maxBuffered+1)
	}
	if _, ok, _ := pebble.Page(ctx, "enwiki", fmt.Sprintf("P%d", maxBuffered-1)); !ok {
		t.Errorf("the first %d sets were not written when the next came", maxBuffered)
	}
	if _, ok, _ := pebble.Page(ctx, "enwiki", fmt.Sprintf("P%d", maxBuffered)); ok {
		t.Errorf("the set past the bound was written before a flush")
	}
}

func TestNoBufferForAStoreWithoutBatchWrites(t *testing.T) {
	pebble, err := pebblestore.Open(pebblestore.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pebble.Close() })
	if b := newDepBuffer(struct{ deps.Store }{pebble}); b != nil {
		t.Error("a buffer for a store without PutPages")
	}
}

func TestDepBufferDropsTheSetsOfAReleasedPartition(t *testing.T) {
	ctx := context.Background()
	pebble, err := pebblestore.Open(pebblestore.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pebble.Close() })
	store := &downStore{Store: pebble, down: true}
	b := newDepBuffer(store)
	for i := range 2 {
		if err := b.add(ctx, int32(i), bufferPage(i), slog.New(slog.DiscardHandler)); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.flush(ctx, 0); err == nil {
		t.Fatal("flush with the store down succeeded")
	}
	b.drop(0) // partition 0 stopped with its last flush failed
	store.down = false
	for p := range int32(2) {
		if err := b.flush(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	for i, want := range []bool{false, true} {
		if _, ok, _ := pebble.Page(ctx, "enwiki", fmt.Sprintf("P%d", i)); ok != want {
			t.Errorf("P%d stored: %v, want %v (partition 0 released, 1 kept)", i, ok, want)
		}
	}
}
