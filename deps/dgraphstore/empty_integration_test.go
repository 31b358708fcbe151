//go:build integration

package dgraphstore

import (
	"context"
	"testing"

	"github.com/ripplestream/ripple/deps"
)

// TestEmpty: a store under a fresh prefix is empty until a page is put.
func TestEmpty(t *testing.T) {
	s, _ := openTest(t, Config{})
	ctx := context.Background()
	if empty, err := s.Empty(ctx); err != nil || !empty {
		t.Fatalf("a fresh prefix: Empty = %v, %v", empty, err)
	}
	if _, err := s.PutPage(ctx, deps.PageDeps{Wiki: "enwiki", Page: deps.PageRef{ID: 1, Title: "A"}, RevID: 1, Templates: []string{"Template:T"}}); err != nil {
		t.Fatal(err)
	}
	if empty, err := s.Empty(ctx); err != nil || empty {
		t.Fatalf("with a page: Empty = %v, %v", empty, err)
	}
}
