package depstest

import (
	"context"
	"errors"
	"testing"

	"github.com/ripplestream/ripple/deps"
)

func testInvalidInput(t *testing.T, h *harness) {
	ok := article("enwiki", "P", 1)
	bad := []struct {
		name string
		edit func(p *deps.PageDeps)
	}{
		{"empty wiki", func(p *deps.PageDeps) { p.Wiki = "" }},
		{"wiki with a space", func(p *deps.PageDeps) { p.Wiki = "en wiki" }},
		{"empty title", func(p *deps.PageDeps) { p.Page.Title = " _ " }},
		{"title with |", func(p *deps.PageDeps) { p.Page.Title = "A|B" }},
		{"title with NUL", func(p *deps.PageDeps) { p.Page.Title = "A\x00B" }},
		{"invalid UTF-8", func(p *deps.PageDeps) { p.Page.Title = "A\xffB" }},
		{"template with {", func(p *deps.PageDeps) { p.Templates = []string{"Template:{{X}}"} }},
		{"rev 0", func(p *deps.PageDeps) { p.RevID = 0 }},
		{"negative namespace", func(p *deps.PageDeps) { p.Page.Namespace = -1 }},
		{"lower-case entity", func(p *deps.PageDeps) { p.Entities = []deps.EntityUsage{{ID: "q42", Aspects: []deps.Aspect{"S"}}} }},
		{"entity Q0", func(p *deps.PageDeps) { p.Entities = []deps.EntityUsage{{ID: "Q0", Aspects: []deps.Aspect{"S"}}} }},
		{"aspect L.", func(p *deps.PageDeps) { p.Entities = []deps.EntityUsage{{ID: "Q1", Aspects: []deps.Aspect{"L."}}} }},
		{"aspect C.31", func(p *deps.PageDeps) { p.Entities = []deps.EntityUsage{{ID: "Q1", Aspects: []deps.Aspect{"C.31"}}} }},
		{"aspect Z", func(p *deps.PageDeps) { p.Entities = []deps.EntityUsage{{ID: "Q1", Aspects: []deps.Aspect{"Z"}}} }},
	}
	for _, c := range bad {
		p := ok
		c.edit(&p)
		if _, err := h.store.PutPage(h.ctx, p); !errors.Is(err, deps.ErrInvalid) {
			t.Errorf("PutPage with %s: %v, want ErrInvalid", c.name, err)
		}
	}
	if _, _, err := h.store.Page(h.ctx, "enwiki", "A|B"); !errors.Is(err, deps.ErrInvalid) {
		t.Errorf("Page with a bad title: %v, want ErrInvalid", err)
	}
	if _, err := h.store.DeletePage(h.ctx, "", "A"); !errors.Is(err, deps.ErrInvalid) {
		t.Errorf("DeletePage with no wiki: %v, want ErrInvalid", err)
	}
	badQueries := []deps.Query{
		{Wiki: "enwiki", Target: "Template:X"},
		{Wiki: "enwiki", Edge: 9, Target: "Template:X"},
		{Edge: deps.Transcludes, Target: "Template:X"},
		{Wiki: "enwiki", Edge: deps.Transcludes, Target: "Template:X", Aspects: []deps.Aspect{"S"}},
		{Wiki: "enwiki", Edge: deps.Transcludes, Target: "Template:X", Limit: -1},
		{Wiki: "enwiki", Edge: deps.Transcludes, Target: "Template:X", Limit: deps.MaxLimit + 1},
		{Wiki: "enwiki", Edge: deps.UsesEntity, Target: "Template:X"},
		{Wiki: "enwiki", Edge: deps.UsesEntity, Target: "Q1", Aspects: []deps.Aspect{"L.x y"}},
		{Wiki: "enwiki", Edge: deps.LinksTo, Target: ""},
	}
	for _, q := range badQueries {
		if _, _, err := h.store.Dependents(h.ctx, q); !errors.Is(err, deps.ErrInvalid) {
			t.Errorf("Dependents(%+v): %v, want ErrInvalid", q, err)
		}
	}
	for _, c := range []deps.Cursor{"garbage", "pb1.!!!", "dg1.zz", "pb1.", "dg1."} {
		q := query("enwiki", deps.Transcludes, "Template:X")
		q.After = c
		if _, _, err := h.store.Dependents(h.ctx, q); !errors.Is(err, deps.ErrBadCursor) {
			t.Errorf("Dependents after cursor %q: %v, want ErrBadCursor", c, err)
		}
	}
}

func testClosedAndCancelled(t *testing.T, h *harness) {
	h.put(t, article("enwiki", "P", 1, "Template:X"))
	q := query("enwiki", deps.Transcludes, "Template:X")
	calls := func(ctx context.Context) map[string]error {
		_, putErr := h.store.PutPage(ctx, article("enwiki", "P", 2))
		_, delErr := h.store.DeletePage(ctx, "enwiki", "P")
		_, _, pageErr := h.store.Page(ctx, "enwiki", "P")
		_, _, depErr := h.store.Dependents(ctx, q)
		return map[string]error{"PutPage": putErr, "DeletePage": delErr, "Page": pageErr, "Dependents": depErr}
	}
	cancelled, cancel := context.WithCancel(h.ctx)
	cancel()
	for name, err := range calls(cancelled) {
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a cancelled context: %v, want context.Canceled", name, err)
		}
	}
	if p, ok := h.page(t, "enwiki", "P"); !ok || p.RevID != 1 {
		t.Errorf("after cancelled calls: %+v, %v; want rev 1 untouched", p, ok)
	}
	if err := h.store.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := h.store.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	for name, err := range calls(h.ctx) {
		if !errors.Is(err, deps.ErrClosed) {
			t.Errorf("%s after Close: %v, want ErrClosed", name, err)
		}
	}
}
